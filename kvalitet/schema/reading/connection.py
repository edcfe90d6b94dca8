"""Cursor connections (Relay): edges, page info, a total count, and page-size limits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

import strawberry
from strawberry import relay

from kvalitet.messages import text
from kvalitet.models.base import Base
from kvalitet.schema.errors import BadInput
from kvalitet.schema.reading.loaders import Loaders
from kvalitet.schema.reading.pagination import Page

NodeType = TypeVar("NodeType")


@strawberry.type(description="A page of a list, with cursors to fetch the next.")
class Connection(Generic[NodeType]):
    # Our own generic, not strawberry's relay.Connection (which describes its fields itself), so the two
    # fields that hold strawberry's Edge and PageInfo (types it describes) are described here.
    edges: list[relay.Edge[NodeType]] = strawberry.field(  # type: ignore[type-var]  # relay.Edge wants a Node; ChangeRecord is none
        description="The items of this page, each with its cursor."
    )
    page_info: relay.PageInfo = strawberry.field(
        description="Whether there is a next page, and the cursor to pass as `after` to get it (`endCursor`)."
    )
    total_count: int = strawberry.field(description="How many items the whole list has, over all pages.")

    @strawberry.field(description="The nodes of this page, without their edges.")
    def nodes(self) -> list[NodeType]:
        return [edge.node for edge in self.edges]


def page_size(settings, first: int | None, argument: str = "first") -> int:
    """`first` (or `last`), checked against the configured maximum; the default when not given."""
    if first is None:
        return settings.default_page_size
    if first < 0 or first > settings.max_page_size:
        raise BadInput(text("input.between", argument=argument, low=0, high=settings.max_page_size), argument=argument)
    return first


def direction(first: int | None, after: str | None, last: int | None, before: str | None) -> bool:
    """Whether a page is asked for backward (`last`, `before`); refuses a mix of the two ways."""
    backward = last is not None or bool(before)
    if backward and (first is not None or bool(after)):
        raise BadInput(text("input.paging_direction"), argument="last" if last is not None else "before")
    return backward


def to_connection(page: Page, node_from_row, order: Sequence[str], connection_type) -> Connection:
    """A loaded page as a connection; `node_from_row` makes each node from its row."""
    edges = [relay.Edge(cursor=Loaders.cursor_of(row, order), node=node_from_row(row)) for row in page.rows]
    return connection_type(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )


async def paged(
    info,
    model: type[Base],
    column: str,
    parent_id,
    *,
    first: int | None,
    after: str | None,
    order: Sequence[str],
    node_from_row,
    connection_type,
    where: tuple = (),
    last: int | None = None,
    before: str | None = None,
    **equals,
) -> Connection:
    """One page of `model` rows under `parent_id` (batched with the other parents asked for):
    the `first` after the cursor `after`, or the `last` before the cursor `before`."""
    from kvalitet.schema.reading.pagination import CursorError

    backward = direction(first, after, last, before)
    size = page_size(info.context.settings, last, "last") if backward else page_size(info.context.settings, first)
    cursor, argument = (before, "before") if backward else (after, "after")
    try:
        loader = info.context.loaders.pages(
            model, column, first=size, after=cursor or None, order=order, where=where, backward=backward, **equals
        )
    except CursorError as error:
        raise BadInput(text("input.foreign_cursor", argument=argument), argument=argument) from error
    return to_connection(await loader.load(parent_id), node_from_row, order, connection_type)
