"""The change feed: every creation, update and deletion, in order, for mirroring the data.

Ordered by (transaction, change) and shown only once every older transaction has finished,
so a client that stores the last cursor and asks again never misses a change, even one that
committed late. Deletions come as tombstones (`action: DELETE`, `node: null`).
"""

from __future__ import annotations

import datetime as dt
import re

import strawberry
from sqlalchemy import literal, select, text, tuple_
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from kvalitet import messages, models
from kvalitet.schema.errors import BadInput
from kvalitet.schema.history import ChangeAction
from kvalitet.schema.reading.connection import page_size
from kvalitet.schema.reading.loaders import cursor_values
from kvalitet.schema.reading.pagination import CursorError, encode_cursor


class ChangeFeedScope:
    """What the access policy is asked to narrow for the feed: changes of rows the caller may
    read, by the municipality and unit each change belongs to."""

    __table__ = models.ChangeLog.__table__


@strawberry.type(description="One change of one object.")
class Change:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this change.")
    at: dt.datetime = strawberry.field(description="When the change was made.")
    actor: str | None = strawberry.field(
        description="Who made it, as the change log names callers (`user:<subject>`, `apikey:<prefix>`); null when "
        "no caller was recorded."
    )
    action: ChangeAction = strawberry.field(description="Whether the object was created, updated or deleted.")
    entity_type: str = strawberry.field(description="The GraphQL type of the object, e.g. `Report`.")
    entity_id: relay.GlobalID = strawberry.field(
        description="The object's global ID; it still names a deleted object, which `node` no longer finds."
    )
    changes: JSON = strawberry.field(description="Creation: the values set. Update: `{field: [old, new]}`.")

    @strawberry.field(description="The object as it is now; null when it is deleted (or hidden from you).")
    async def node(self, info: Info) -> relay.Node | None:
        try:
            return await self.entity_id.resolve_node(info, required=False)
        except (relay.GlobalIDValueError, ValueError):
            return None


@strawberry.type(description="A page of the change feed.")
class ChangeFeed:
    changes: list[Change] = strawberry.field(description="The changes of this page, oldest first.")
    end_cursor: str | None = strawberry.field(description="Where the next page starts (null: nothing new yet).")
    has_more: bool = strawberry.field(
        description="More changes are ready now: ask again at once with `after: endCursor` (false: poll later)."
    )


_TYPE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,59}")
_VISIBLE_TRANSACTIONS = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


async def change_feed(info: Info, after: str | None, first: int | None, entity_types: list[str] | None) -> ChangeFeed:
    size = page_size(info.context.settings, first)
    table = models.ChangeLog.__table__
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
    statement = statement.order_by(table.c.tx_id, table.c.id).limit(size + 1)
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
