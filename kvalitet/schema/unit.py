"""Units: kindergartens, schools and SFOs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from .. import models
from .base import RowNode, Versioned
from .connection import Connection
from .enums import Ownership, UnitKind

if TYPE_CHECKING:
    from .municipality import Municipality


@strawberry.type(description="One kindergarten, school or SFO.")
class Unit(RowNode, Versioned):
    model = models.Unit
    id: relay.NodeID[str]
    name: str
    kind: UnitKind
    org_number: str | None = strawberry.field(description="The 9-digit organisation number (NSR/NBR).")
    ownership: Ownership
    zone: str | None = strawberry.field(description="The zone or network the unit belongs to, if any.")
    archived_at: dt.datetime | None
    municipality_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def municipality(
        self, info: Info
    ) -> Annotated[Municipality, strawberry.lazy("kvalitet.schema.municipality")] | None:
        from .municipality import Municipality

        row = await info.context.loaders.by_id(models.Municipality).load(self.municipality_id)
        return Municipality.from_row(row) if row else None


UnitConnection = Connection[Unit]
