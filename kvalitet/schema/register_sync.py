"""Where a municipality's sync with the national registers stands (`kvalitet units sync`, the
worker's `KVALITET_REGISTER_SYNC`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from kvalitet.schema.enums import RefreshOutcome, Register


@strawberry.type(
    description="The last sync of the municipality's units with one national register: when it ran, how it went, "
    "and the newest change date the register gave (the next sync reads in full only what changed after it)."
)
class RegisterSyncState:
    register: Register = strawberry.field(description="The register: NSR (schools) or NBR (kindergartens).")
    synced_at: dt.datetime = strawberry.field(description="When it last ran.")
    outcome: RefreshOutcome = strawberry.field(
        description="How it went: units written, nothing to change, or failed (nothing was written; the next sync "
        "tries the same changes again)."
    )
    changed_through: dt.datetime | None = strawberry.field(
        description="The newest change date among the units the register listed; null: none yet."
    )
    listed: int = strawberry.field(description="Units the register listed under the municipality's numbers.")
    fetched: int = strawberry.field(description="Of them, how many were read in full (changed, or not here yet).")
    message: str | None = strawberry.field(description="Why it failed, as the register or the client said it.")

    @classmethod
    def from_row(cls, row: Any) -> RegisterSyncState:
        return cls(
            register=Register(row["register"]),
            synced_at=row["synced_at"],
            outcome=RefreshOutcome(row["outcome"]),
            changed_through=row["changed_through"],
            listed=row["listed"],
            fetched=row["fetched"],
            message=row["message"],
        )
