"""What a relation field reads, declared once beside the field, for both ways of answering it.

A field that reads related rows is declared with `@relation(spec)` on a method whose signature
gives the GraphQL type and arguments (its body is not run). The spec says what it reads:

- `Parent`: the row this row's `column` points at (null when absent or hidden);
- `Children`: the rows whose `column` holds this row's id, in `order`, filtered by `filters`;
- `Page`: a cursor connection of such rows (`first`, `after`, and the spec's order and filters);
- `Rows`: every row of a table the caller may see, in order (a root list);
- `Derived`: rows a statement works out from this row (a report's items), as objects whose
  fields are relations on the statement's columns;
- `Rollup`: one row a statement works out from this row and the field's arguments (the sector
  report), answered on the default path by the field's own resolver (`compiled_as`).

A type whose objects are rows of such a statement (`StatementRow`) has its plain fields read
from the columns of their Python names on the compiled path, `NodeIdOf` its Relay ids.

The resolver made here reads through the request's loaders (batched, narrowed by the access
policy); the compiled path (`kvalitet.schema.compiled`) finds the same spec in the field's metadata and
writes the same read into its one statement. Filters and orders are functions of the field's
arguments by their Python names, so both ways build them from one function.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry import relay

from kvalitet.models import Base

if TYPE_CHECKING:
    from kvalitet.schema.base import RowNode

# The key of a field's read spec in its strawberry metadata.
READ = "kvalitet.read"


@dataclass(frozen=True)
class Filters:
    """Rows' filters: column = value (None: IS NULL), and `build(table)` clauses."""

    equals: dict[str, Any] = field(default_factory=dict)
    where: tuple = ()


def _no_filters(arguments: dict) -> Filters:
    return Filters()


@dataclass(frozen=True)
class Parent:
    model: type[Base]
    column: str

    async def read(self, info, root, arguments: dict):
        return await node_type(self.model).load(info, getattr(root, self.column))


@dataclass(frozen=True)
class Children:
    model: type[Base]
    column: str
    order: tuple[str, ...] = ("position", "id")
    filters: Callable[[dict], Filters] = _no_filters
    # The argument that keeps only the first rows (checked like a page size), if any.
    limit_argument: str | None = None

    async def read(self, info, root, arguments: dict):
        from kvalitet.schema.reading.connection import page_size

        found = self.filters(arguments)
        loader = info.context.loaders.children(
            self.model, self.column, order=self.order, where=found.where, **found.equals
        )
        rows = await loader.load(uuid.UUID(root.id))
        limit = arguments.get(self.limit_argument) if self.limit_argument else None
        if limit is not None:
            rows = rows[: page_size(info.context.settings, limit)]
        return node_type(self.model).from_rows(rows)


@dataclass(frozen=True)
class Page:
    model: type[Base]
    column: str
    order: Callable[[dict], tuple[str, ...]]
    filters: Callable[[dict], Filters] = _no_filters
    # The items' type when it is not the model's node type (a change record), made lazily.
    item: Callable[[], Any] | None = None
    # A column that must name the parent's model too (the change log's `entity_type`): the
    # `column` holds ids of rows of many tables.
    parent_type_column: str | None = None

    def item_type(self) -> Any:
        return self.item() if self.item is not None else node_type(self.model)

    async def read(self, info, root, arguments: dict):
        from kvalitet.schema.reading.connection import Connection, paged

        node = self.item_type()
        found = self.filters(arguments)
        equals = dict(found.equals)
        if self.parent_type_column is not None:
            equals[self.parent_type_column] = type(root).model.__name__
        return await paged(
            info,
            self.model,
            self.column,
            uuid.UUID(root.id),
            first=arguments.get("first"),
            after=arguments.get("after"),
            last=arguments.get("last"),
            before=arguments.get("before"),
            order=self.order(arguments),
            node_from_row=node.from_row,
            connection_type=Connection[node],  # type: ignore[valid-type]  # specialised at run time, per node type
            where=found.where,
            **equals,
        )


@dataclass(frozen=True)
class Rows:
    """Every row of `model` the caller may see, in `order` (a root list)."""

    model: type[Base]
    order: tuple[str, ...]

    async def read(self, info, root, arguments: dict):
        from sqlalchemy import select

        table = self.model.__table__
        statement = select(table).order_by(*(table.c[name] for name in self.order))
        return node_type(self.model).from_rows(await info.context.loaders.fetch(self.model, statement))


@dataclass(frozen=True)
class Derived:
    """Rows worked out in SQL from the parent's row: `rows(table)` is a SELECT correlated to
    `table` (the parent's table or an alias of it), in `order` (its columns); each row is made
    an `item()` with `item().from_row`, whose fields read the row's columns as relations."""

    rows: Callable[[Any], Any]
    order: tuple[str, ...]
    item: Callable[[], Any]

    async def read(self, info, root, arguments: dict):
        from collections import defaultdict

        from sqlalchemy import select, true

        model = type(root).model
        table = model.__table__
        derived = self.rows(table).lateral()

        async def batch(keys: list[uuid.UUID]) -> list[list[Any]]:
            statement = (
                select(table.c.id.label("_parent"), derived)
                .select_from(table.join(derived, true()))
                .where(table.c.id.in_(keys))
                .order_by(table.c.id, *(derived.c[name] for name in self.order))
            )
            grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
            item = self.item()
            for row in await info.context.loaders.fetch(model, statement):
                grouped[row["_parent"]].append(item.from_row(row))
            return [grouped.get(key, []) for key in keys]

        loader = info.context.loaders.batched(("derived", model, self.rows), batch)
        return await loader.load(uuid.UUID(root.id))


@dataclass(frozen=True)
class Computed:
    """A field worked out from its row's columns: in Python by the field's own resolver, and in
    SQL by `sql(table)` on the compiled path (the two beside each other where they are defined)."""

    sql: Callable[[Any], Any]
    kind: str  # as `kvalitet.schema.compiled.reads.Scalar.kind`: boolean, int, string …


@dataclass(frozen=True)
class Rollup:
    """One object a statement works out in SQL from the parent's row (None at the root) and the
    field's arguments (a roll-up, a page of the change feed), for the compiled path; the default
    path runs the field's own resolver. `row(table, arguments, scope)` (`ReadScope`) is a SELECT
    of at most one row correlated to `table` (no row: the default path answers, with its
    error), or None for arguments the default path refuses. With an `action`, the caller reads
    it only with that permission on the parent's municipality (else null, as the resolver
    answers)."""

    row: Callable[..., Any]
    action: str | None = None


@dataclass(frozen=True)
class ReadScope:
    """What a roll-up's statement may need of the request: the installed profiles, the settings,
    and `visible(model, table)`, the access policy's clauses for the rows of `table` (an alias
    of `model`'s table; none when every row is visible), as the loaders add them."""

    profiles: Any
    settings: Any
    visible: Callable[[Any, Any], list[Any]]


@dataclass(frozen=True)
class NodeIdOf:
    """A Relay id (of `type_name`, or of the type named in the row's `type_column`) in the
    column `column` of a statement's row (null where NULL)."""

    type_name: str | None
    column: str
    type_column: str | None = None


class StatementRow:
    """A type whose objects the compiled path writes from the rows of a statement (`Derived`,
    `Rollup`): each plain field is the column of its Python name."""


Relation = Parent | Children | Page | Rows | Derived  # what `relation` reads on both paths
Read = Relation | Rollup


def computed(sql: Callable[[Any], Any], kind: str, **options):
    """A field answered by the method it decorates, which the compiled path answers with
    `sql(table)` instead; `options` are strawberry.field's (description …)."""

    return compiled_as(Computed(sql, kind), **options)


def compiled_as(spec: Read | Computed | NodeIdOf, **options):
    """A field answered by the method it decorates on the default path, and by `spec` on the
    compiled path (a roll-up's parts); `options` are strawberry.field's (description …)."""

    def declare(method):
        return strawberry.field(resolver=method, metadata={READ: spec}, **options)

    return declare


def relation(spec: Relation, **options):
    """The field a method declares (its name, type, arguments and docstring-free signature),
    answered by reading `spec`; `options` are strawberry.field's (description …)."""

    def declare(method):
        @functools.wraps(method)  # strawberry reads the method's signature and module
        async def resolve(self, info, **arguments):
            return await spec.read(info, self, arguments)

        return strawberry.field(resolver=resolve, metadata={READ: spec}, **options)

    return declare


def read_of(definition) -> Read | Computed | NodeIdOf | None:
    """The read spec of a strawberry field definition, if it is a relation."""
    return (getattr(definition, "metadata", None) or {}).get(READ)


@functools.cache
def node_type(model: type[Base]) -> type[RowNode]:
    """The node type (`RowNode`) whose rows are `model`'s. (Found among relay's node types:
    `kvalitet.schema.base`, where `RowNode` is, declares its relations with this module.)"""
    found = [cls for cls in _subclasses(relay.Node) if cls.__dict__.get("model") is model]
    if len(found) != 1:
        raise LookupError(f"{len(found)} node types for {model.__name__}")
    return found[0]


def _subclasses(cls: type) -> list[type]:
    result: list[type] = []
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        result += [sub, *_subclasses(sub)]
    return result


__all__ = [
    "READ",
    "Children",
    "Computed",
    "Derived",
    "Filters",
    "NodeIdOf",
    "Page",
    "Parent",
    "Read",
    "ReadScope",
    "Rollup",
    "Rows",
    "StatementRow",
    "compiled_as",
    "computed",
    "node_type",
    "read_of",
    "relation",
]
