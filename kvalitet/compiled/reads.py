"""What each GraphQL field reads from the database, for the compiled path.

Plain fields need no entry: a field of a `RowNode` type without a resolver is the column of
the same name (that is how `RowNode.from_row` fills it), so `scalar_read` derives it. Fields
with resolvers are listed in `RELATIONS`, each mirroring its resolver: the same table, the
same parent column, order and filters, the same arguments. A field in neither place is not
compiled, and an operation that asks for it runs on the default path. `tests/test_compiled.py`
runs every relation here both ways and compares the answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, get_named_type

from .. import models
from ..schema.base import RowNode
from ..schema.municipality import UNIT_ORDERS, unit_filters
from ..schema.review_lists import ORDER as REVIEW_ORDER
from ..schema.review_lists import review_filters


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


@dataclass(frozen=True)
class Filters:
    """Rows' filters: column = value (None: IS NULL), and `build(table)` clauses."""

    equals: dict[str, Any] = field(default_factory=dict)
    where: tuple = ()


@dataclass(frozen=True)
class Children:
    """A plain list of rows whose `column` holds the parent's id, in `order`."""

    model: type
    column: str
    order: tuple[str, ...] = ("position", "id")
    filters: Callable[[dict], Filters] = lambda args: Filters()
    # The argument that keeps only the first rows (checked like a page size), if any.
    limit_argument: str | None = None


@dataclass(frozen=True)
class Page:
    """A cursor connection of rows whose `column` holds the parent's id (see `paged`)."""

    model: type
    column: str
    order: Callable[[dict], tuple[str, ...]]
    filters: Callable[[dict], Filters]


@dataclass(frozen=True)
class Parent:
    """The row that this row's `column` points at (null when absent or hidden)."""

    model: type
    column: str


def _value(value):
    return value.value if isinstance(value, Enum) else value


def _unit_filters(args: dict) -> Filters:
    return Filters(*unit_filters(args.get("kind"), args.get("includeArchived", False), args.get("updatedSince")))


def _review_filters(args: dict) -> Filters:
    # Local plans' lists have no year or period: `get` gives None for them.
    return Filters(*review_filters(
        status=args.get("status"), year=args.get("year"), period=args.get("period"),
        unit_kind=args.get("unitKind"), updated_since=args.get("updatedSince"),
    ))


def _areas_of_plan(args: dict) -> Filters:
    kind = args.get("kind")
    return Filters({"parent_id": None}) if kind is None else Filters({"kind": kind})


def _review_order(args: dict) -> tuple[str, ...]:
    return REVIEW_ORDER


def _reports(column: str) -> Page:
    return Page(models.Report, column, _review_order, _review_filters)


def _local_plans(column: str) -> Page:
    return Page(models.LocalPlan, column, _review_order, _review_filters)


# (GraphQL type, field) -> what the field's resolver reads.
RELATIONS: dict[tuple[str, str], Children | Page | Parent] = {
    ("Municipality", "plans"): Children(models.Plan, "municipality_id", order=("period_start", "created_at", "id")),
    ("Municipality", "units"): Page(
        models.Unit, "municipality_id", lambda args: UNIT_ORDERS[_value(args.get("orderBy", "NAME"))], _unit_filters
    ),
    ("Municipality", "reports"): _reports("municipality_id"),
    ("Municipality", "localPlans"): _local_plans("municipality_id"),
    ("Unit", "municipality"): Parent(models.Municipality, "municipality_id"),
    ("Unit", "reports"): _reports("unit_id"),
    ("Unit", "localPlans"): _local_plans("unit_id"),
    ("Report", "unit"): Parent(models.Unit, "unit_id"),
    ("Report", "plan"): Parent(models.Plan, "plan_id"),
    ("Report", "localPlan"): Parent(models.LocalPlan, "local_plan_id"),
    ("Report", "assessments"): Children(
        models.Assessment, "report_id", order=("created_at", "id"), limit_argument="first"
    ),
    ("Assessment", "criterion"): Parent(models.Criterion, "criterion_id"),
    ("Assessment", "localGoal"): Parent(models.LocalGoal, "local_goal_id"),
    ("Plan", "areas"): Children(models.Area, "plan_id", filters=_areas_of_plan),
    ("Plan", "municipality"): Parent(models.Municipality, "municipality_id"),
    ("Area", "parent"): Parent(models.Area, "parent_id"),
    ("Area", "children"): Children(models.Area, "parent_id"),
    ("Area", "goals"): Children(models.Goal, "area_id"),
    ("Area", "criteria"): Children(models.Criterion, "area_id"),
    ("Area", "measures"): Children(models.Measure, "area_id"),
    ("Area", "plan"): Parent(models.Plan, "plan_id"),
    ("Goal", "criteria"): Children(models.Criterion, "goal_id"),
    ("Goal", "nationalGoal"): Parent(models.NationalGoal, "national_goal_id"),
    ("Goal", "area"): Parent(models.Area, "area_id"),
    ("LocalPlan", "unit"): Parent(models.Unit, "unit_id"),
    ("LocalPlan", "plan"): Parent(models.Plan, "plan_id"),
    ("LocalPlan", "goals"): Children(models.LocalGoal, "local_plan_id"),
    ("LocalPlan", "actions"): Children(models.LocalAction, "local_plan_id"),
    ("LocalPlan", "sections"): Children(models.LocalPlanSection, "local_plan_id"),
    ("LocalGoal", "area"): Parent(models.Area, "area_id"),
    ("LocalAction", "area"): Parent(models.Area, "area_id"),
    ("LocalAction", "localGoal"): Parent(models.LocalGoal, "local_goal_id"),
    ("LocalPlanSection", "area"): Parent(models.Area, "area_id"),
}

_SCALAR_KINDS = {"String": "string", "Int": "int", "Boolean": "boolean", "DateTime": "datetime", "Date": "date"}


def row_node(graphql_type: GraphQLObjectType) -> type[RowNode] | None:
    """The `RowNode` class behind an object type, if it is one."""
    definition = (graphql_type.extensions or {}).get("strawberry-definition")
    origin = getattr(definition, "origin", None)
    return origin if isinstance(origin, type) and issubclass(origin, RowNode) else None


def field_read(graphql_type: GraphQLObjectType, name: str) -> Scalar | NodeId | Children | Page | Parent:
    """What `graphql_type.name` reads; NotCompilable when the compiled path does not know."""
    relation = RELATIONS.get((graphql_type.name, name))
    if relation is not None:
        return relation
    node = row_node(graphql_type)
    field_def = graphql_type.fields.get(name)
    if node is None or field_def is None:
        raise NotCompilable(f"{graphql_type.name}.{name}")
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if name == "id" and get_named_type(field_def.type).name == "ID":
        return NodeId()  # relay.Node's id: strawberry makes the global id of the row's id
    if definition is None or definition.base_resolver is not None:
        raise NotCompilable(f"{graphql_type.name}.{name} has a resolver")
    column = definition.python_name
    if column not in node.model.__table__.c:
        raise NotCompilable(f"{graphql_type.name}.{name} is no column")
    return scalar_read(column, field_def.type, f"{graphql_type.name}.{name}")


def scalar_read(column: str, graphql_type, where: str) -> Scalar:
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


def _enum_names(enum_type: GraphQLEnumType) -> dict[str, str]:
    return {_value(value.value): name for name, value in enum_type.values.items()}


__all__ = [
    "Children",
    "Filters",
    "NodeId",
    "NotCompilable",
    "Page",
    "Parent",
    "RELATIONS",
    "Scalar",
    "field_read",
    "row_node",
]
