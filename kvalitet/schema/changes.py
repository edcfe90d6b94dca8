"""The change feed: every creation, update and deletion, in order, for mirroring the data.

Ordered by (transaction, change) and shown only once every older transaction has finished,
so a client that stores the last cursor and asks again never misses a change, even one that
committed late. Deletions come as tombstones (`action: DELETE`, `node: null`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import strawberry
from sqlalchemy import DateTime, Select, Text, case, func, literal, literal_column, select, text, tuple_
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from kvalitet import messages, models
from kvalitet.schema.compiled.json_sql import cursor_text
from kvalitet.schema.errors import BadInput
from kvalitet.schema.history import ChangeAction
from kvalitet.schema.reading.connection import page_size
from kvalitet.schema.reading.loaders import cursor_values
from kvalitet.schema.reading.pagination import CursorError, encode_cursor
from kvalitet.schema.reading.relations import READ, Derived, NodeIdOf, StatementRow


class ChangeFeedScope:
    """What the access policy is asked to narrow for the feed: changes of rows the caller may
    read, by the municipality and unit each change belongs to."""

    __table__ = models.ChangeLog.__table__


@strawberry.type(description="One change of one object.")
class Change(StatementRow):
    cursor: str = strawberry.field(description="Pass as `after` to continue after this change.")
    at: dt.datetime = strawberry.field(description="When the change was made.")
    actor: str | None = strawberry.field(
        description="Who made it, as the change log names callers (`user:<subject>`, `apikey:<prefix>`); null when "
        "no caller was recorded."
    )
    action: ChangeAction = strawberry.field(description="Whether the object was created, updated or deleted.")
    entity_type: str = strawberry.field(description="The GraphQL type of the object, e.g. `Report`.")
    entity_id: relay.GlobalID = strawberry.field(
        description="The object's global ID; it still names a deleted object, which `node` no longer finds.",
        metadata={READ: NodeIdOf(None, "entity_id", type_column="graphql_type")},
    )
    changes: JSON = strawberry.field(description="Creation: the values set. Update: `{field: [old, new]}`.")

    @strawberry.field(description="The object as it is now; null when it is deleted (or hidden from you).")
    async def node(self, info: Info) -> relay.Node | None:
        try:
            return await self.entity_id.resolve_node(info, required=False)
        except (relay.GlobalIDValueError, ValueError):
            return None


def change_rows(feed: Any) -> Select[Any]:
    """The changes of `feed_row`'s page, one row each, in the feed's order (`n`)."""
    elements = func.jsonb_array_elements(feed.c.page).table_valued("value", with_ordinality="n").render_derived()
    change = elements.c.value

    def field(name: str, type_=Text) -> Any:
        return change.op("->>", return_type=Text)(name).cast(type_)

    return select(
        field("cursor").label("cursor"),
        field("at", DateTime(timezone=True)).label("at"),
        field("actor").label("actor"),
        field("action").label("action"),
        field("entity_type").label("entity_type"),
        field("graphql_type").label("graphql_type"),
        field("entity_id").label("entity_id"),
        change.op("->", return_type=JSONB)("changes").label("changes"),
        elements.c.n,
    ).correlate(feed)


@strawberry.type(description="A page of the change feed.")
class ChangeFeed(StatementRow):
    changes: list[Change] = strawberry.field(
        description="The changes of this page, oldest first.",
        metadata={READ: Derived(change_rows, ("n",), item=lambda: Change)},
    )
    end_cursor: str | None = strawberry.field(description="Where the next page starts (null: nothing new yet).")
    has_more: bool = strawberry.field(
        description="More changes are ready now: ask again at once with `after: endCursor` (false: poll later)."
    )


_TYPE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,59}")
_VISIBLE_TRANSACTIONS = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


def feed_page(
    table: Any, settings, after: str | None, first: int | None, entity_types: list[str] | None
) -> tuple[Select[Any], int]:
    """The page's statement over `table` (the change log's, or an alias of it), without the
    access policy's clause, and the page size; its rows are one more than the page (when there
    are more). Arguments it refuses raise BadInput, as answered."""
    size = page_size(settings, first)
    statement = select(table).where(table.c.tx_id < _VISIBLE_TRANSACTIONS)
    if after:
        try:
            tx_id, change_id = cursor_values(after, [table.c.tx_id, table.c.id])
        except CursorError as error:
            raise BadInput(messages.text("input.foreign_cursor", argument="after"), argument="after") from error
        statement = statement.where(tuple_(table.c.tx_id, table.c.id) > tuple_(literal(tx_id), literal(change_id)))
    if entity_types:
        if len(entity_types) > 50 or not all(_TYPE_NAME.fullmatch(t) for t in entity_types):
            raise BadInput(messages.text("input.entity_types"), argument="entityTypes")
        statement = statement.where(table.c.entity_type.in_(entity_types))
    return statement.order_by(table.c.tx_id, table.c.id).limit(size + 1), size


def feed_row(root: None, arguments: dict[str, Any], scope) -> Select[Any] | None:
    """The compiled path's page of the feed (a `Rollup` at the root; `scope`:
    `kvalitet.schema.reading.relations.ReadScope`): one row of `has_more`, `end_cursor` and
    `page`, the page's changes as a JSON array (`change_rows` reads them back), worked out as
    `change_feed` does. None for arguments the default path refuses, with its error."""
    table = models.ChangeLog.__table__.alias()
    after = arguments.get("after")
    try:
        statement, size = feed_page(table, scope.settings, after, arguments.get("first"), arguments.get("entity_types"))
    except BadInput:
        return None
    rank = func.row_number().over(order_by=(table.c.tx_id, table.c.id)).label("rank")
    page = statement.where(*scope.visible(ChangeFeedScope, table)).add_columns(rank).subquery()
    cursor = cursor_text([(page.c.tx_id, "int"), (page.c.id, "int")])
    graphql_type = case(
        *((page.c.entity_type == model, literal(name)) for model, name in _TYPE_NAMES.items()),
        else_=page.c.entity_type,
    )
    change = func.jsonb_build_object(
        literal("cursor"), cursor,
        literal("at"), page.c.created_at,
        literal("actor"), page.c.actor,
        literal("action"), page.c.action,
        literal("entity_type"), page.c.entity_type,
        literal("graphql_type"), graphql_type,
        literal("entity_id"), page.c.entity_id,
        literal("changes"), page.c.changes,
    )  # fmt: skip
    in_page = page.c.rank <= size
    last = func.array_agg(aggregate_order_by(cursor, page.c.rank.desc())).filter(in_page)
    found: Select[Any] = select(  # type: ignore[assignment]  # (three columns)
        (func.count() > size).label("has_more"),
        func.coalesce(last[1], literal(after, Text)).label("end_cursor"),
        func.coalesce(
            func.jsonb_agg(aggregate_order_by(change, page.c.rank)).filter(in_page), literal_column("'[]'::jsonb")
        ).label("page"),
    ).select_from(page)
    return found


async def change_feed(info: Info, after: str | None, first: int | None, entity_types: list[str] | None) -> ChangeFeed:
    statement, size = feed_page(models.ChangeLog.__table__, info.context.settings, after, first, entity_types)
    rows = await info.context.loaders.fetch(ChangeFeedScope, statement)
    page = rows[:size]
    changes = [
        Change(
            cursor=encode_cursor([row["tx_id"], row["id"]]),
            at=row["created_at"],
            actor=row["actor"],
            action=ChangeAction(row["action"]),
            entity_type=row["entity_type"],
            entity_id=relay.GlobalID(_graphql_type(row["entity_type"]), str(row["entity_id"])),
            changes=row["changes"],
        )
        for row in page
    ]
    return ChangeFeed(
        changes=changes,
        end_cursor=changes[-1].cursor if changes else after,
        has_more=len(rows) > size,
    )


# Model names that differ from their GraphQL type names.
_TYPE_NAMES = {"SectorReport": "PublishedSectorReport"}


def _graphql_type(model_name: str) -> str:
    return _TYPE_NAMES.get(model_name, model_name)
