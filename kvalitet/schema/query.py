"""The root query."""

from __future__ import annotations

import asyncio
import functools

import strawberry
from graphql import GraphQLObjectType
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from kvalitet import models
from kvalitet.messages import text
from kvalitet.schema import indicator
from kvalitet.schema.changes import ChangeFeed, change_feed, feed_row
from kvalitet.schema.enums import IndicatorSource, UnitKind
from kvalitet.schema.errors import BadInput
from kvalitet.schema.me import Me
from kvalitet.schema.municipality import Municipality
from kvalitet.schema.national_goal import NationalGoal
from kvalitet.schema.profile import Profile
from kvalitet.schema.reading.relations import Rollup, Rows, compiled_as, relation


async def _node(info: Info, id: strawberry.ID) -> relay.Node | None:
    # By hand rather than `relay.node()`: an id that is malformed, or names a type that is no
    # node, is simply not found (relay.node() raises, echoing the id back).
    try:
        global_id = relay.GlobalID.from_id(id)
    except (relay.GlobalIDValueError, ValueError, TypeError):
        return None
    if global_id.type_name not in _node_type_names(info.schema):
        return None  # the Node interface itself, Query, a payload …: no such object
    try:
        return await global_id.resolve_node(info, required=False)
    except (relay.GlobalIDValueError, ValueError, TypeError):
        return None


@functools.cache
def _node_type_names(schema) -> frozenset[str]:
    """The object types of `schema` that implement Node (what a global id may name)."""
    types = schema._schema.type_map.values()  # graphql-core's schema, which strawberry builds
    return frozenset(
        t.name for t in types if isinstance(t, GraphQLObjectType) and any(i.name == "Node" for i in t.interfaces)
    )


def numbers_for(profiles, number: str) -> list[str]:
    """The numbers `municipality(number:)` looks for, in order of preference: the number asked
    for, then the numbers of its profile (a former number finds the municipality that has it now)."""
    numbers = [number]
    profile = profiles.for_municipality(number)
    if profile is not None:
        numbers.extend(profile.municipality_numbers)
    return numbers


def query_type() -> type:
    """A new root query type for each schema, so the fields profiles merge into one schema's
    query never reach another's (tests build several schemas in one process)."""

    @strawberry.type(
        name="Query",
        description="What can be read: any object by its global ID, the caller, the installed profiles, "
        "municipalities with their units, plans, local plans and reports, the national goals, indicators and the "
        "change feed. Installed profiles may add fields of their own.",
    )
    class Query:
        @strawberry.field(description="Any object by its global ID; null when it is not found (or not yours to see).")
        async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
            return await _node(info, id)

        @strawberry.field(
            description="Objects by their global IDs, in the order asked (at most the largest page size at once); "
            "null for each that is not found (or not yours to see)."
        )
        async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[relay.Node | None]:
            most = info.context.settings.max_page_size
            if len(ids) > most:
                raise BadInput(text("input.too_many_ids", max=most), argument="ids")
            # Resolved together: the loaders read each type's rows in one statement.
            return list(await asyncio.gather(*(_node(info, id) for id in ids)))

        @strawberry.field(
            description="Who is calling: their roles with the municipality or unit each covers, and what each "
            "lets them do (or an API key's scopes)."
        )
        def me(self, info: Info) -> Me:
            return Me.of(info.context.actor)

        @strawberry.field(description="The installed profiles.")
        def profiles(self, info: Info) -> list[Profile]:
            return [Profile.of(p) for p in info.context.profiles.all()]

        @strawberry.field(description="One installed profile by its code.")
        def profile(self, info: Info, code: str) -> Profile | None:
            found = info.context.profiles.get(code)
            return Profile.of(found) if found else None

        @relation(Rows(models.Municipality, ("number",)), description="Every municipality, by number.")
        async def municipalities(self, info: Info) -> list[Municipality]: ...

        @strawberry.field(
            description="A municipality by its number; a former number (before a merger or county reform) "
            "finds the municipality that has it now."
        )
        async def municipality(self, info: Info, number: str) -> Municipality | None:
            table = models.Municipality.__table__
            numbers = numbers_for(info.context.profiles, number)
            rows = await info.context.loaders.fetch(
                models.Municipality, select(table).where(table.c.number.in_(numbers))
            )
            by_number = {row["number"]: row for row in rows}
            for candidate in numbers:
                if candidate in by_number:
                    return Municipality.from_row(by_number[candidate])
            return None

        @compiled_as(
            Rollup(feed_row),
            description="Every change you may see, oldest first: creations, updates and deletions (tombstones). "
            "Keep `endCursor` and ask again with `after` to mirror the data exactly.",
        )
        async def changes(
            self, info: Info, after: str | None = None, first: int | None = None, entity_types: list[str] | None = None
        ) -> ChangeFeed:
            return await change_feed(info, after, first, entity_types)

        @relation(
            Rows(models.NationalGoal, ("position",)),
            description="The national sector goals (sektormål), kindergarten first.",
        )
        async def national_goals(self, info: Info) -> list[NationalGoal]: ...

        @strawberry.field(
            description="The indicators: the national catalogue (Udir's statistics), then the municipality's own "
            "that you may see; by the kind of unit they apply to, or their source."
        )
        async def indicators(
            self, info: Info, unit_kind: UnitKind | None = None, source: IndicatorSource | None = None
        ) -> list[indicator.Indicator]:
            return await indicator.catalogue_of(info, unit_kind, source)

        @strawberry.field(
            description="When each of Udir's tables the service refreshes on a schedule was last fetched, and how "
            "it went: for a «last updated» beside the figures."
        )
        async def indicator_refreshes(self, info: Info) -> list[indicator.IndicatorRefresh]:
            return await indicator.refreshes_of(info)

    return Query
