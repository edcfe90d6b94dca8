"""The change history of a node, from the change log."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import strawberry
from strawberry.scalars import JSON

from kvalitet.models import ChangeLog
from kvalitet.schema.enums import ChangeAction


@strawberry.type(description="One recorded change: who, when, and what changed.")
class ChangeRecord:
    # A row of the change log; `at` is its `created_at` (what the compiled path reads).
    model: ClassVar = ChangeLog
    columns: ClassVar[dict[str, str]] = {"at": "created_at"}

    at: dt.datetime
    actor: str | None
    action: ChangeAction
    changes: JSON = strawberry.field(
        description="For a creation, the values set; for an update, `{field: [old, new]}`."
    )

    @staticmethod
    def from_row(row) -> ChangeRecord:
        return ChangeRecord(
            at=row["created_at"], actor=row["actor"], action=ChangeAction(row["action"]), changes=row["changes"]
        )
