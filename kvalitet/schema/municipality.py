"""Municipalities: the owners of units and plans."""

from __future__ import annotations

import uuid

import strawberry
from strawberry import relay
from strawberry.types import Info

from .. import models
from ..pagination import CursorError
from .base import RowNode, Versioned
from .connection import Connection, page_size, to_connection
from .enums import UnitKind
from .errors import BadInput
from .plan import Plan
from .profile import Profile
from .unit import Unit

UNIT_ORDER = ("name", "id")


@strawberry.type(description="A municipality (kommune), identified by its 4-digit number.")
class Municipality(RowNode, Versioned):
    model = models.Municipality
    id: relay.NodeID[str]
    number: str = strawberry.field(description="The kommunenummer, e.g. 5501.")
    name: str
    profile_code: strawberry.Private[str | None]

    @strawberry.field(description="The profile the municipality uses.")
    def profile(self, info: Info) -> Profile | None:
        found = info.context.profiles.get(self.profile_code) if self.profile_code else None
        return Profile.of(found) if found else None

    @strawberry.field(description="The municipality's plans, oldest period first.")
    async def plans(self, info: Info) -> list[Plan]:
        loader = info.context.loaders.children(models.Plan, "municipality_id", order=("period_start", "created_at", "id"))
        return Plan.from_rows(await loader.load(uuid.UUID(self.id)))

    @strawberry.field(description="The municipality's units by name, a page at a time.")
    async def units(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kind: UnitKind | None = None,
        include_archived: bool = False,
    ) -> Connection[Unit]:
        size = page_size(info, first)
        filters = {} if kind is None else {"kind": kind.value}
        if not include_archived:
            filters["archived_at"] = None
        try:
            loader = info.context.loaders.pages(
                models.Unit, "municipality_id", first=size, after=after, order=UNIT_ORDER, **filters
            )
        except CursorError as error:
            raise BadInput(str(error), argument="after") from error
        page = await loader.load(uuid.UUID(self.id))
        return to_connection(page, Unit, UNIT_ORDER, Connection[Unit])
