"""Batched reads for one GraphQL request: every database read of the API goes through here.

Each loader is a strawberry DataLoader that answers all the keys asked for in one tick of
the event loop with one SELECT, so a request costs a number of statements bounded by the
depth of its query, never by the number of rows. Every SELECT is first passed through the
access policy's `scope`. Rows come back as plain mappings, never lazy ORM objects.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, true, tuple_
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from strawberry.dataloader import DataLoader

from kvalitet.access.actor import AccessPolicy, Actor
from kvalitet.db.outage import once_more_if_dead
from kvalitet.db.shared import SharedConnection
from kvalitet.models.base import Base
from kvalitet.schema.reading.pagination import CursorError, Page, decode_cursor, encode_cursor
from kvalitet.services.validation import storable


@dataclass(frozen=True)
class AtLeast:
    """`column >= value`: a filter for pages (hashable, so loaders can be cached by it)."""

    column: str
    value: Any

    def build(self, table):
        return table.c[self.column] >= self.value


@dataclass(frozen=True)
class IsIn:
    """`column IN values`."""

    column: str
    values: tuple

    def build(self, table):
        return table.c[self.column].in_(self.values)


@dataclass(frozen=True)
class UnitKindIs:
    """The row's unit (through `column`) is of `kind`."""

    column: str
    kind: str

    def build(self, table):
        from kvalitet.models import Unit

        return table.c[self.column].in_(select(Unit.id).where(Unit.kind == self.kind))


class Loaders:
    def __init__(self, engine: AsyncEngine, policy: AccessPolicy, actor: Actor, shared: SharedConnection | None = None):
        # The request's one connection (an HTTP request's); without one, a connection per batch.
        self.shared = shared if shared is not None else SharedConnection(engine, share=False)
        self.policy = policy
        self.actor = actor
        self._loaders: dict[Hashable, DataLoader] = {}

    def scoped(self, model: type[Base], statement: Select | None = None) -> Select:
        """`statement` (default: every column of `model`) narrowed by the access policy."""
        statement = statement if statement is not None else select(model.__table__)
        return self.policy.scope(self.actor, model, statement)

    async def fetch(self, model: type[Base], statement: Select | None = None) -> list[RowMapping]:
        """Run one scoped SELECT and return its rows as mappings."""
        return await self._read(self.scoped(model, statement))

    async def _read(self, statement: Select) -> list[RowMapping]:
        """Run a statement already narrowed by the policy."""

        async def rows(connection: AsyncConnection) -> list[RowMapping]:
            return list((await connection.execute(statement)).mappings().all())

        return await once_more_if_dead(lambda: self.shared.run(rows))

    def batched(self, key: Hashable, batch) -> DataLoader:
        """The request's loader under `key`, made with `batch` the first time (the one per key)."""
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = DataLoader(load_fn=batch)
        return loader

    def by_id(self, model: type[Base]) -> DataLoader:
        """Rows by primary key; a missing (or hidden) row loads as None."""
        table = model.__table__

        async def batch(ids: list[uuid.UUID]) -> list[RowMapping | None]:
            rows = await self.fetch(model, select(table).where(table.c.id.in_(ids)))
            found = {row["id"]: row for row in rows}
            return [found.get(i) for i in ids]

        return self.batched(("by_id", model), batch)

    def profile_codes(self, model: type[Base]) -> DataLoader:
        """The profile code of the municipality each `model` row (by id) belongs to; None for a
        row not found (or hidden) or a municipality with no profile."""
        from kvalitet.access.ownership import municipality_id_of
        from kvalitet.models import Municipality

        table = model.__table__

        async def batch(ids: list[uuid.UUID]) -> list[str | None]:
            statement = (
                select(table.c.id, Municipality.profile_code)
                .join(Municipality, Municipality.id == municipality_id_of(model, table))
                .where(table.c.id.in_(ids))
            )
            found = {row["id"]: row["profile_code"] for row in await self.fetch(model, statement)}
            return [found.get(i) for i in ids]

        return self.batched(("profile_codes", model), batch)

    def children(
        self,
        model: type[Base],
        column: str,
        *,
        order: Sequence[str] = ("position", "id"),
        where: tuple = (),
        **equals: Any,
    ) -> DataLoader:
        """Lists of rows by the value of `column`, in `order`, where every `equals` holds
        (a None value means IS NULL) and every `where` clause."""
        table = model.__table__
        filters = tuple(sorted(equals.items()))

        async def batch(keys: list[Any]) -> list[list[RowMapping]]:
            statement = select(table).where(table.c[column].in_(keys), *filter_clauses(table, filters, where))
            statement = statement.order_by(*(table.c[name] for name in order))
            grouped: dict[Any, list[RowMapping]] = defaultdict(list)
            for row in await self.fetch(model, statement):
                grouped[row[column]].append(row)
            return [grouped.get(key, []) for key in keys]

        return self.batched(("children", model, column, tuple(order), filters, where), batch)

    def pages(
        self,
        model: type[Base],
        column: str,
        *,
        first: int,
        after: str | None,
        order: Sequence[str],
        where: tuple = (),
        backward: bool = False,
        **equals: Any,
    ) -> DataLoader:
        """One page of rows per value of `column`, by keyset over `order` (which must end in a
        unique column), with the total count; one SELECT for all parents asked for. `where`
        holds further filters (`AtLeast`, `IsIn`, `UnitKindIs`); `equals`, column = value.
        `backward`: the `first` rows before the cursor `after` (Relay's `last` and `before`),
        still in `order`."""
        table = model.__table__
        filters = tuple(sorted(equals.items()))
        order_columns = [table.c[name] for name in order]
        after_values = cursor_values(after, order_columns) if after else None

        async def batch(keys: list[Any]) -> list[Page]:
            parent = table.c[column]
            inner = self.scoped(model).add_columns(func.count().over(partition_by=parent).label("_total"))
            inner = inner.where(parent.in_(keys), *filter_clauses(table, filters, where))
            sub = inner.subquery()
            sub_order = [sub.c[name] for name in order]
            is_after: ColumnElement[bool]
            if after_values is None:
                is_after = true()
            else:
                bound = [literal(v, type_=c.type) for v, c in zip(after_values, order_columns, strict=True)]
                is_after = tuple_(*sub_order) < tuple_(*bound) if backward else tuple_(*sub_order) > tuple_(*bound)
            # Rank the rows after the cursor (before it, backward) apart from the others, and
            # keep one of the others per parent too: it carries the total when the page is empty.
            rank_order = [c.desc() for c in sub_order] if backward else sub_order
            ranked = select(
                sub,
                is_after.label("_after"),
                func.row_number().over(partition_by=[sub.c[column], is_after], order_by=rank_order).label("_rn"),
            ).subquery()
            statement = (
                select(ranked)
                .where(or_(and_(ranked.c._after, ranked.c._rn <= first + 1), and_(~ranked.c._after, ranked.c._rn == 1)))
                .order_by(ranked.c[column], ranked.c._rn)
            )
            rows = await self._read(statement)
            grouped: dict[Any, list[RowMapping]] = defaultdict(list)
            totals: dict[Any, int] = {}
            for row in rows:
                totals[row[column]] = row["_total"]
                if row["_after"]:
                    grouped[row[column]].append(row)
            pages = []
            for key in keys:
                found = grouped.get(key, [])
                if backward:  # ranked from the cursor back: the page is the nearest rows, in order
                    page = Page(rows=found[:first][::-1], total=totals.get(key, 0), has_previous=len(found) > first)
                else:
                    page = Page(rows=found[:first], has_next=len(found) > first, total=totals.get(key, 0))
                pages.append(page)
            return pages

        key = ("pages", model, column, tuple(order), filters, where, first, after, backward)
        return self.batched(key, batch)

    def clear(self) -> None:
        """Forget what was loaded (after a mutation changed it)."""
        self._loaders.clear()

    @staticmethod
    def cursor_of(row: RowMapping, order: Sequence[str]) -> str:
        return encode_cursor([row[name] for name in order])


def filter_clauses(table, equals, where: tuple = ()) -> list:
    """`column = value` for each (column, value) of `equals` (IS NULL for None), then each of
    `where` (`AtLeast`, `IsIn`, `UnitKindIs`) built over `table` (a table or an alias of it)."""
    pairs = equals.items() if isinstance(equals, dict) else equals
    clauses = [table.c[name].is_(None) if value is None else table.c[name] == value for name, value in pairs]
    return clauses + [clause.build(table) for clause in where]


def cursor_values(cursor: str, columns) -> list:
    """The sort values a cursor names, as the types of `columns`; CursorError for a cursor this
    service did not make (or made for another order)."""
    return [_coerce(v, c) for v, c in zip(decode_cursor(cursor, len(columns)), columns, strict=True)]


def _coerce(value: str | None, column) -> Any:
    """A cursor's value as the column's Python type; a value that does not fit is a foreign cursor."""
    if value is None:
        if not column.nullable:
            raise CursorError("the cursor is not one this service made")
        return None
    kind = column.type.python_type
    try:
        if kind is dt.datetime:
            return dt.datetime.fromisoformat(value)
        if kind is dt.date:
            return dt.date.fromisoformat(value)
        coerced = kind(value)
    except (ValueError, TypeError) as error:
        raise CursorError("the cursor is not one this service made") from error
    # What the database could not take as a parameter (it would fail the statement) no cursor
    # of ours holds: integers beyond bigint, text with NUL or a lone surrogate.
    if isinstance(coerced, int) and not -(2**63) <= coerced < 2**63:
        raise CursorError("the cursor is not one this service made")
    if isinstance(coerced, str) and not storable(coerced):
        raise CursorError("the cursor is not one this service made")
    return coerced


__all__ = ["CursorError", "Loaders", "cursor_values", "filter_clauses"]
