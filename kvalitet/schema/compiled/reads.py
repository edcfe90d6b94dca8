"""What each GraphQL field reads from the database, for the compiled path.

Plain fields need no declaration: a field of a `RowNode` type without a resolver is the column
of the same name (that is how `RowNode.from_row` fills it), so `scalar_read` derives it. A
relation is declared once, with `kvalitet.schema.reading.relations.relation`, and its read spec is found in
the field's metadata: the resolver and the compiled path read the same spec. Any other field
is not compiled, and an operation that asks for it runs on the default path.
`tests/schema/test_compiled.py` walks the schema, so every relation and column is run both ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    get_named_type,
)

from kvalitet.schema.base import RowNode
from kvalitet.schema.reading.relations import (
    Children,
    Computed,
    Filters,
    NodeIdOf,
    Page,
    Parent,
    Read,
    Rollup,
    StatementRow,
    read_of,
)


class NotCompilable(Exception):
    """The operation asks for something the compiled path does not do; the default path runs it."""


@dataclass(frozen=True)
class Scalar:
    """A column as a GraphQL scalar or enum."""

    column: str
    kind: str  # string, int, boolean, datetime, date, enum, enum_list
    nullable: bool
    enum_names: dict[str, str] | None = None  # stored value -> GraphQL name


@dataclass(frozen=True)
class NodeId:
    """The Relay global id of the row."""


def _value(value: Any) -> Any:  # graphql-core's enum values are untyped: the stored words
    return value.value if isinstance(value, Enum) else value


_SCALAR_KINDS = {
    "String": "string",
    "Int": "int",
    "Boolean": "boolean",
    "DateTime": "datetime",
    "Date": "date",
    "JSON": "json",
}


def row_node(graphql_type: GraphQLObjectType) -> type[RowNode] | None:
    """The `RowNode` class behind an object type, if it is one."""
    origin = _origin(graphql_type)
    return origin if isinstance(origin, type) and issubclass(origin, RowNode) else None


def row_type(graphql_type: GraphQLObjectType) -> Any:
    """The class behind an object type whose objects are rows of one table (a node type, or a
    type that names its `model`, such as a change record), if it is one."""
    origin = _origin(graphql_type)
    return origin if isinstance(origin, type) and isinstance(getattr(origin, "model", None), type) else None


def statement_row(graphql_type: GraphQLObjectType) -> bool:
    """Are the type's objects rows of a statement (`StatementRow`), its plain fields their columns?"""
    origin = _origin(graphql_type)
    return isinstance(origin, type) and issubclass(origin, StatementRow)


def _origin(graphql_type: GraphQLObjectType) -> Any:
    definition = (graphql_type.extensions or {}).get("strawberry-definition")
    return getattr(definition, "origin", None)


def field_read(graphql_type: GraphQLObjectType, name: str) -> Scalar | NodeId | Read | Computed | NodeIdOf:
    """What `graphql_type.name` reads; NotCompilable when the compiled path does not know."""
    field_def = graphql_type.fields.get(name)
    definition = (field_def.extensions or {}).get("strawberry-definition") if field_def is not None else None
    relation = read_of(definition)
    if relation is not None:
        return relation
    if statement_row(graphql_type) and field_def is not None and definition is not None:
        if definition.base_resolver is not None:
            raise NotCompilable(f"{graphql_type.name}.{name} has a resolver")
        return scalar_read(definition.python_name, field_def.type, f"{graphql_type.name}.{name}")
    node = row_type(graphql_type)
    if node is None or field_def is None:
        raise NotCompilable(f"{graphql_type.name}.{name}")
    if name == "id" and get_named_type(field_def.type).name == "ID" and issubclass(node, RowNode):
        return NodeId()  # relay.Node's id: strawberry makes the global id of the row's id
    if definition is None or definition.base_resolver is not None:
        raise NotCompilable(f"{graphql_type.name}.{name} has a resolver")
    column = getattr(node, "columns", {}).get(definition.python_name, definition.python_name)
    if column not in node.model.__table__.c:
        raise NotCompilable(f"{graphql_type.name}.{name} is no column")
    return scalar_read(column, field_def.type, f"{graphql_type.name}.{name}")


def scalar_read(column: str, graphql_type: GraphQLOutputType, where: str) -> Scalar:
    nullable = not isinstance(graphql_type, GraphQLNonNull)
    named = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
    if isinstance(named, GraphQLScalarType) and named.name in _SCALAR_KINDS:
        return Scalar(column, _SCALAR_KINDS[named.name], nullable)
    if isinstance(named, GraphQLEnumType):
        return Scalar(column, "enum", nullable, _enum_names(named))
    if isinstance(named, GraphQLList):
        element = named.of_type.of_type if isinstance(named.of_type, GraphQLNonNull) else None
        if isinstance(element, GraphQLEnumType):
            return Scalar(column, "enum_list", nullable, _enum_names(element))
    raise NotCompilable(f"{where}: no compiled rendering of {graphql_type}")


def enum_names(graphql_type: GraphQLOutputType) -> dict[str, str]:
    """The GraphQL names of an enum type's stored values (none for any other type)."""
    named = get_named_type(graphql_type)
    return _enum_names(named) if isinstance(named, GraphQLEnumType) else {}


def _enum_names(enum_type: GraphQLEnumType) -> dict[str, str]:
    return {_value(value.value): name for name, value in enum_type.values.items()}


__all__ = [
    "Children",
    "Computed",
    "Filters",
    "NodeId",
    "NodeIdOf",
    "NotCompilable",
    "Page",
    "Parent",
    "Rollup",
    "Scalar",
    "enum_names",
    "field_read",
    "row_node",
    "statement_row",
]
