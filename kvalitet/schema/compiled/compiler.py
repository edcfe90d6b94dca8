"""Compile a query operation to one SQL statement that writes the whole `data` as JSON text.

The walk follows graphql-core's own executor: the operation, fragments and coerced variables
come from `Executor.build`, fields are grouped with `collect_fields`/`collect_subfields`
(fragments, type conditions, `@include`/`@skip`, merged response keys) and arguments are
coerced with `get_argument_values`. Each field becomes a piece of text: a column rendered as
JSON, or a correlated subquery that aggregates child rows. Every table is read through an
alias narrowed by the access policy's `visible` clause, the same clause the loaders add, so
the compiled path sees exactly the rows the default path sees.

Anything the compiled path does not do raises `NotCompilable` and the default path runs the
operation instead; so does any argument the default path would refuse (an out-of-range page
size, a foreign cursor), so the caller gets the default path's error.

Over 400 lines on purpose: `Compiler` is one recursive walk (operation, field, relation,
connection), and its steps share the walk's state; split, each part would need all of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationType,
    get_named_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet, collect_fields, collect_subfields
from graphql.execution.executor import Executor
from graphql.execution.values import get_argument_values
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Text,
    and_,
    case,
    false,
    func,
    literal,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by, array
from strawberry import relay

from kvalitet import models
from kvalitet.access.actor import AccessPolicy, Actor
from kvalitet.access.ownership import municipality_id_of
from kvalitet.schema.base import parse_uuid
from kvalitet.schema.compiled.json_sql import (
    JsonText,
    column_kind,
    cursor_text,
    global_id,
    global_id_of,
    json_array,
    json_object,
    quoted,
    scalar_json,
    sql_text,
)
from kvalitet.schema.compiled.reads import (
    Children,
    Computed,
    NodeId,
    NodeIdOf,
    NotCompilable,
    Page,
    Parent,
    Rollup,
    Scalar,
    enum_names,
    field_read,
    row_node,
)
from kvalitet.schema.errors import BadInput
from kvalitet.schema.query import numbers_for
from kvalitet.schema.reading.connection import page_size
from kvalitet.schema.reading.loaders import CursorError, cursor_values, filter_clauses
from kvalitet.schema.reading.relations import Derived, Filters, Read, ReadScope, Rows, read_of

if TYPE_CHECKING:
    from kvalitet.infra.settings import Settings
    from kvalitet.plugins import Profiles

COMMA = ","

# What a member of a connection object needs, found in the first pass over its fields:
# (response key, what it is, the label of the page row's column it reads, if one).
Member = tuple[str, str, str | None]


class Compiler:
    """Compiles one operation for one caller."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        *,
        actor: Actor,
        policy: AccessPolicy,
        settings: Settings,
        profiles: Profiles,
    ) -> None:
        built = Executor.build(schema, document, raw_variable_values=variables, operation_name=operation_name)
        if isinstance(built, list):
            raise NotCompilable("the variables or operation are refused")
        if built.operation.operation != OperationType.QUERY:
            raise NotCompilable("not a query")
        self.executor = built
        self.schema = schema
        self.actor = actor
        self.policy = policy
        self.settings = settings
        self.profiles = profiles
        # The aliases whose rows the statement reads only as far as the policy lets it (each with
        # its model): a child read from one of them through its ownership parent needs no clause
        # of its own (`policy.visible_below`), which at national size the planner answered by
        # reading every tenant's rows above the child once per parent row.
        self._read_visibly: dict[FromClause, type[models.Base]] = {}

    # -- the walk ----------------------------------------------------------------------------

    def statement(self) -> Select[tuple[str]]:
        """SELECT of one text value: the `data` object of the response."""
        ex = self.executor
        query_type = self.schema.query_type
        if query_type is None:  # pragma: no cover - a schema always has one
            raise NotCompilable("no query type")
        collected = collect_fields(self.schema, ex.fragments, ex.variable_values, query_type, ex.operation)
        if collected.new_defer_usages:
            raise NotCompilable("@defer")
        members = [(key, self._root_field(details)) for key, details in collected.grouped_field_set.items()]
        return select(json_object(members))

    def _subfields(self, graphql_type: GraphQLObjectType, details: FieldDetailsList) -> GroupedFieldSet:
        ex = self.executor
        collected = collect_subfields(
            self.schema, ex.fragments, ex.variable_values, ex.operation, graphql_type, details
        )
        if collected.new_defer_usages:
            raise NotCompilable("@defer")
        return collected.grouped_field_set

    def _arguments(self, field_def: GraphQLField, details: FieldDetailsList) -> dict[str, Any]:
        """The field's arguments by their Python names (as its resolver gets them, and as the
        read specs' filters and orders take them)."""
        values = get_argument_values(
            field_def, details[0].node, self.executor.variable_values, details[0].fragment_variable_values
        )
        definition = (field_def.extensions or {}).get("strawberry-definition")
        arguments = getattr(definition, "arguments", None) or []
        names = dict(zip(field_def.args, (a.python_name for a in arguments), strict=False))
        return {names.get(name, name): value for name, value in values.items()}

    def _object(
        self, graphql_type: GraphQLObjectType, row: FromClause, details: FieldDetailsList, guarded: bool = False
    ) -> JsonText:
        """The JSON text of one object of `graphql_type` whose row is `row` (a table alias).
        `guarded`: the list that holds it checks that no object came out NULL, so a non-null
        parent may leave it NULL when missing (and the default path then says which)."""
        members: list[tuple[str, JsonText]] = []
        for key, sub in self._subfields(graphql_type, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                members.append((key, sql_text(f'"{graphql_type.name}"')))
            else:
                read = field_read(graphql_type, name)
                members.append((key, self._field(graphql_type, row, read, graphql_type.fields[name], sub, guarded)))
        return json_object(members)

    def _field(
        self,
        graphql_type: GraphQLObjectType,
        row: FromClause,
        read: Scalar | NodeId | Read | Computed | NodeIdOf,
        field_def: GraphQLField,
        details: FieldDetailsList,
        guarded: bool = False,
    ) -> JsonText:
        nullable = not isinstance(field_def.type, GraphQLNonNull)
        if isinstance(read, Scalar):
            if read.column not in row.c:  # a statement's row without it
                raise NotCompilable(f"{graphql_type.name}: no column {read.column}")
            return scalar_json(row.c[read.column], read.kind, read.nullable, read.enum_names)
        if isinstance(read, Computed):
            return scalar_json(read.sql(row), read.kind, nullable, enum_names(field_def.type))
        if isinstance(read, NodeId):
            return global_id(graphql_type.name, row.c.id)
        if isinstance(read, NodeIdOf):
            if read.type_column is not None:
                found = global_id_of(row.c[read.type_column], row.c[read.column])
            else:
                assert read.type_name is not None  # (one of the two)
                found = global_id(read.type_name, row.c[read.column])
            return func.coalesce(found, sql_text("null")) if nullable else found
        arguments = self._arguments(field_def, details)
        if isinstance(read, Rollup):
            return self._rollup(graphql_type, row, read, field_def, details, arguments)
        if isinstance(read, Parent):
            return self._parent(row, read, field_def, details, guarded)
        if isinstance(read, Derived):
            return self._derived(row, read, field_def, details)
        if isinstance(read, Children):
            return self._children(row, read, field_def, details, arguments)
        if isinstance(read, Page):
            return self._page(graphql_type, row, read, field_def, details, arguments)
        raise NotCompilable(repr(read))  # pragma: no cover

    # -- reading rows ------------------------------------------------------------------------

    def _alias(self, model: type[models.Base]) -> FromClause:
        # Always an alias, never the table itself: the policy's own subqueries name the bare
        # tables, and SQLAlchemy would correlate them to a bare table of an enclosing query.
        return model.__table__.alias()

    def _visible(self, model: type[models.Base], table: FromClause) -> list[ColumnElement[bool]]:
        """The policy's clause for the rows of `table`, which from here on are read visibly."""
        self._read_visibly[table] = model
        clause = self.policy.visible(self.actor, model, table)
        return [] if clause is None else [clause]

    def _visible_below(
        self, model: type[models.Base], table: FromClause, column: str, row: FromClause
    ) -> list[ColumnElement[bool]]:
        """`_visible`, or nothing when the rows are read through `column` from `row`, a row read
        visibly, and the policy says that makes them visible."""
        parent = self._read_visibly.get(row)
        if parent is not None and self.policy.visible_below(self.actor, model, column, parent):
            self._read_visibly[table] = model
            return []
        return self._visible(model, table)

    def _parent(
        self, row: FromClause, read: Parent, field_def: GraphQLField, details: FieldDetailsList, guarded: bool
    ) -> JsonText:
        target_type = field_def.type
        non_null = isinstance(target_type, GraphQLNonNull)
        if non_null and not guarded:
            raise NotCompilable("a non-null parent")  # a hidden parent would be an error there
        if isinstance(target_type, GraphQLNonNull):
            target_type = target_type.of_type
        if not isinstance(target_type, GraphQLObjectType):  # pragma: no cover - a parent is a row's node type
            raise NotCompilable("a parent that is no object")
        table = self._alias(read.model)
        visible = self._visible(read.model, table)  # before the object: what it reads below is read visibly
        value = self._object(target_type, table, details, guarded)
        # The policy's clause in a CASE, not in WHERE: there PostgreSQL would join its subquery
        # (the rows above the parent) once per lookup; here it is a hashed subplan, built once.
        # Missing and non-null: NULL, which makes the object NULL, which its guarded list refuses.
        selected = value if non_null else _boxed(value)
        found = (
            select(case((and_(*visible), selected)) if visible else selected)
            .where(table.c.id == row.c[read.column])
            .correlate(row)
            .scalar_subquery()
        )
        return found if non_null else _unboxed(found)

    def _derived(self, row: FromClause, read: Derived, field_def: GraphQLField, details: FieldDetailsList) -> JsonText:
        """Rows a statement works out from `row`, as a list of objects: NULL (the whole answer
        NULL, so the default path answers) when any object came out NULL."""
        element = self._list_type(field_def)
        derived = read.rows(row).correlate(row).subquery()
        objects = (
            select(
                self._object(element, derived, details, guarded=True).label("item"),
                *(derived.c[name].label(f"k{i}") for i, name in enumerate(read.order)),
            )
            .correlate(row)  # a subquery in FROM correlates only when told
            # OFFSET 0 keeps PostgreSQL from pulling the subquery up into the aggregate, which
            # would write each object's expression twice (for string_agg and for count) and
            # work it out twice per row.
            .offset(literal_column("0"))
            .subquery()
        )
        keys = [objects.c[f"k{i}"] for i in range(len(read.order))]
        items = func.string_agg(objects.c.item, aggregate_order_by(sql_text(COMMA), *keys))
        complete = func.count() == func.count(objects.c.item)
        return select(case((complete, json_array(items)))).scalar_subquery()

    def _rollup(
        self,
        parent_type: GraphQLObjectType,
        row: FromClause | None,
        read: Rollup,
        field_def: GraphQLField,
        details: FieldDetailsList,
        arguments: dict[str, Any],
    ) -> JsonText:
        """One object a statement works out from `row` (None at the root): null for a caller
        without the read's permission; NULL (the whole answer NULL, so the default path says
        why) when the statement finds no row."""
        target = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
        if not isinstance(target, GraphQLObjectType):
            raise NotCompilable("a roll-up that is no object")
        scope = ReadScope(self.profiles, self.settings, self._visible)
        built = read.row(row, arguments, scope)
        if built is None:
            raise NotCompilable("roll-up arguments the default path refuses")
        # OFFSET 0: computed once, not pulled up into each of the many subqueries that read it.
        rolled = built.offset(literal_column("0")).subquery()
        selected = select(self._object(target, rolled, details)).select_from(rolled)
        value = (selected if row is None else selected.correlate(row)).scalar_subquery()
        if read.action is None:
            return value
        parent = row_node(parent_type)
        if parent is None or row is None:
            raise NotCompilable("a roll-up read with a permission on no row")
        owners_of = getattr(self.policy, "owners", None)  # (as the one-statement writes ask it)
        if owners_of is None:
            raise NotCompilable("the access policy names no owners")
        owners = owners_of(self.actor, read.action, parent.model)
        if owners is None:  # every row
            return value
        municipalities = owners[0]  # (a unit's grant never reaches its municipality's roll-up)
        allowed = municipality_id_of(parent.model, row).in_(municipalities) if municipalities else false()
        return case((allowed, value), else_=sql_text("null"))

    def _list_type(self, field_def: GraphQLField) -> GraphQLObjectType:
        """The element type of a list of non-null objects (the lists the compiler makes)."""
        outer = field_def.type
        inner = outer.of_type if isinstance(outer, GraphQLNonNull) else outer
        if not isinstance(inner, GraphQLList) or not isinstance(inner.of_type, GraphQLNonNull):
            raise NotCompilable("a list of nullable items")
        element = inner.of_type.of_type
        if not isinstance(element, GraphQLObjectType):
            raise NotCompilable("a list of non-objects")
        return element

    def _children(
        self,
        row: FromClause,
        read: Children,
        field_def: GraphQLField,
        details: FieldDetailsList,
        arguments: dict[str, Any],
    ) -> JsonText:
        parent_id = row.c.id
        element = self._list_type(field_def)
        table = self._alias(read.model)
        filters = self._filters(read, arguments)
        conditions = [
            table.c[read.column] == parent_id,
            *self._visible_below(read.model, table, read.column, row),
            *filter_clauses(table, filters.equals, filters.where),
        ]
        order = [table.c[name] for name in read.order]
        item = self._object(element, table, details)
        limit = arguments.get(read.limit_argument) if read.limit_argument else None
        if limit is None:
            items = (
                select(func.string_agg(item, aggregate_order_by(sql_text(COMMA), *order)))
                .where(*conditions)
                .correlate(row)
            )
        else:
            limit = self._page_size(limit)
            rows = (
                select(item.label("item"), *(c.label(f"k{i}") for i, c in enumerate(order)))
                .where(*conditions)
                .order_by(*order)
                .limit(limit)
                .correlate(row)  # a subquery in FROM correlates only when told
                .subquery()
            )
            keys = [rows.c[f"k{i}"] for i in range(len(order))]
            items = select(func.string_agg(rows.c.item, aggregate_order_by(sql_text(COMMA), *keys)))
        return json_array(items.scalar_subquery())

    @staticmethod
    def _filters(read: Children | Page, arguments: dict[str, Any]) -> Filters:
        """The read's filters; arguments the default path refuses are left to it, with its error."""
        try:
            return read.filters(arguments)
        except BadInput as error:
            raise NotCompilable("an argument the default path refuses") from error

    def _page_size(self, first: int | None) -> int:
        """`first` as the default path takes it; out of range, the default path answers with its error."""
        try:
            return page_size(self.settings, first)
        except BadInput as error:
            raise NotCompilable("a page size out of range") from error

    def _page(
        self,
        parent_type: GraphQLObjectType,
        row: FromClause,
        read: Page,
        field_def: GraphQLField,
        details: FieldDetailsList,
        arguments: dict[str, Any],
    ) -> JsonText:
        """A cursor connection, as `kvalitet.schema.reading.connection.paged` makes it: one page after
        the cursor (one row more, to tell whether there is a next page), and the total."""
        parent_id = row.c.id
        connection_type = get_named_type(field_def.type)
        if not isinstance(connection_type, GraphQLObjectType):  # pragma: no cover - a page is a connection
            raise NotCompilable("a page that is no object")
        if arguments.get("last") is not None or arguments.get("before") is not None:
            raise NotCompilable("a page backward (last, before)")  # the default path pages backward
        first = self._page_size(arguments.get("first"))
        order_names = read.order(arguments)
        filters = self._filters(read, arguments)
        table = self._alias(read.model)
        conditions = [
            table.c[read.column] == parent_id,
            *self._visible(read.model, table),
            *filter_clauses(table, filters.equals, filters.where),
        ]
        if read.parent_type_column is not None:
            parent = row_node(parent_type)
            if parent is None:  # pragma: no cover - only node types have a history
                raise NotCompilable(f"{parent_type.name} is no node type")
            conditions.append(table.c[read.parent_type_column] == parent.model.__name__)
        order = [table.c[name] for name in order_names]
        after = arguments.get("after")
        page_conditions = list(conditions)
        if after:
            try:
                values = cursor_values(after, order)
            except CursorError as error:
                raise NotCompilable("a foreign cursor") from error
            bound = [literal(v, type_=c.type) for v, c in zip(values, order, strict=True)]
            page_conditions.append(tuple_(*order) > tuple_(*bound))

        columns: list[ColumnElement[Any]] = []  # what each page row carries, besides its rank

        def carry(expression: ColumnElement[Any]) -> str:
            label = f"v{len(columns)}"
            columns.append(expression.label(label))
            return label

        cursor_labels: list[str] = []  # the row's cursor, carried once however often it is asked for

        def cursor_label() -> str:
            if cursor_labels:
                return cursor_labels[0]
            kinds = [column_kind(c) for c in order]
            known = [kind for kind in kinds if kind is not None]
            if len(known) < len(kinds):
                raise NotCompilable("a cursor over text")  # str() of text needs JSON escaping
            cursor_labels.append(carry(cursor_text(list(zip(order, known, strict=True)))))
            return cursor_labels[0]

        # First pass: what the connection's fields need from each row: per member, a label
        # (nodes), the type name (__typename), or the members of each edge or of the pageInfo.
        plan: list[tuple[str, str, str | None | list[Member]]] = []
        for key, sub in self._subfields(connection_type, details).items():
            name = sub[0].node.name.value
            sub_def = connection_type.fields.get(name)
            if name == "__typename":
                plan.append((key, "typename", connection_type.name))
            elif name == "totalCount":
                plan.append((key, "total", None))
            elif sub_def is None:
                raise NotCompilable(f"{connection_type.name}.{name}")
            elif name == "nodes":
                element = self._list_type(sub_def)
                plan.append((key, "nodes", carry(self._object(element, table, sub))))
            elif name == "edges":
                edge_type = self._list_type(sub_def)
                edge_plan: list[Member] = []
                for edge_key, edge_sub in self._subfields(edge_type, sub).items():
                    edge_name = edge_sub[0].node.name.value
                    if edge_name == "__typename":
                        edge_plan.append((edge_key, "typename", edge_type.name))
                    elif edge_name == "cursor":
                        edge_plan.append((edge_key, "cursor", cursor_label()))
                    elif edge_name == "node":
                        node_type = get_named_type(edge_type.fields["node"].type)
                        if not isinstance(node_type, GraphQLObjectType):  # pragma: no cover - a node is an object
                            raise NotCompilable(f"{edge_type.name}.node is no object")
                        edge_plan.append((edge_key, "node", carry(self._object(node_type, table, edge_sub))))
                    else:
                        raise NotCompilable(f"{edge_type.name}.{edge_name}")
                plan.append((key, "edges", edge_plan))
            elif name == "pageInfo":
                info_type = get_named_type(sub_def.type)
                if not isinstance(info_type, GraphQLObjectType):  # pragma: no cover - PageInfo is an object
                    raise NotCompilable(f"{connection_type.name}.{name} is no object")
                info_plan: list[Member] = []
                for info_key, info_sub in self._subfields(info_type, sub).items():
                    info_name = info_sub[0].node.name.value
                    needs = cursor_label() if info_name in ("startCursor", "endCursor") else None
                    info_plan.append((info_key, info_name, needs))
                plan.append((key, "pageInfo", info_plan))
            else:
                raise NotCompilable(f"{connection_type.name}.{name}")

        rows = (
            select(*columns, func.row_number().over(order_by=order).label("rank"))
            .where(*page_conditions)
            .order_by(*order)
            .limit(first + 1)
            .correlate(row)  # a subquery in FROM correlates only when told
            .subquery()
        )
        in_page = rows.c.rank <= first

        def ordered(label: str, descending: bool = False) -> JsonText:
            rank = rows.c.rank.desc() if descending else rows.c.rank
            return func.string_agg(rows.c[label], aggregate_order_by(sql_text(COMMA), rank)).filter(in_page)

        # Second pass: the connection object, aggregated over the page's rows in one SELECT.
        members: list[tuple[str, JsonText]] = []
        for key, what, detail in plan:
            if what == "typename":
                members.append((key, sql_text(f'"{detail}"')))
            elif what == "total":
                total = select(func.count()).select_from(table).where(*conditions).correlate(row)
                members.append((key, total.scalar_subquery().cast(Text)))
            elif what == "nodes":
                assert isinstance(detail, str)  # the label of the carried node
                members.append((key, json_array(ordered(detail))))
            elif what == "edges":
                assert isinstance(detail, list)  # the edge's members
                edge = json_object([(k, _edge_member(rows, w, d)) for k, w, d in detail])
                edges = func.string_agg(edge, aggregate_order_by(sql_text(COMMA), rows.c.rank)).filter(in_page)
                members.append((key, json_array(edges)))
            elif what == "pageInfo":
                assert isinstance(detail, list)  # the pageInfo's members
                members.append(
                    (key, json_object([(k, _page_info_member(n, label, first, ordered)) for k, n, label in detail]))
                )
        aggregated = any(
            what in ("nodes", "edges")
            or (
                what == "pageInfo"
                and isinstance(detail, list)
                and any(name in ("hasNextPage", "startCursor", "endCursor") for _, name, _ in detail)
            )
            for _, what, detail in plan
        )
        # Only an aggregate over the page gives one row; without one, no FROM is needed at all.
        connection = select(json_object(members))
        return (connection.select_from(rows) if aggregated else connection).scalar_subquery()

    # -- the root ----------------------------------------------------------------------------

    def _root_field(self, details: FieldDetailsList) -> JsonText:
        name = details[0].node.name.value
        query_type = self.schema.query_type
        if query_type is None:  # pragma: no cover - a schema always has one
            raise NotCompilable("no query type")
        if name == "__typename":
            return sql_text(f'"{query_type.name}"')
        field_def = query_type.fields.get(name)
        if field_def is None:
            raise NotCompilable(name)  # introspection
        arguments = self._arguments(field_def, details)
        if name == "node":
            return self._node(arguments["id"], details)
        if name == "municipality":
            return self._municipality(arguments["number"], field_def, details)
        read = read_of((field_def.extensions or {}).get("strawberry-definition"))
        if isinstance(read, Rows):
            return self._root_list(read.model, read.order, field_def, details)
        if isinstance(read, Rollup):
            return self._rollup(query_type, None, read, field_def, details, arguments)
        raise NotCompilable(f"Query.{name}")

    def _root_list(
        self, model: type[models.Base], order_names: tuple[str, ...], field_def: GraphQLField, details: FieldDetailsList
    ) -> JsonText:
        element = self._list_type(field_def)
        table = self._alias(model)
        visible = self._visible(model, table)  # first: what the objects read below is read visibly
        order = [table.c[name] for name in order_names]
        items = select(
            func.string_agg(self._object(element, table, details), aggregate_order_by(sql_text(COMMA), *order))
        )
        return json_array(items.where(*visible).scalar_subquery())

    def _municipality(self, number: str, field_def: GraphQLField, details: FieldDetailsList) -> JsonText:
        numbers = numbers_for(self.profiles, number)  # as the resolver looks, in its order
        table = self._alias(models.Municipality)
        preference = case(*((table.c.number == n, i) for i, n in enumerate(numbers)))
        municipality_type = get_named_type(field_def.type)
        if not isinstance(municipality_type, GraphQLObjectType):  # pragma: no cover - Municipality is an object
            raise NotCompilable("Query.municipality is no object")
        visible = self._visible(models.Municipality, table)
        found = (
            select(_boxed(self._object(municipality_type, table, details)))
            .where(table.c.number.in_(numbers), *visible)
            .order_by(preference)
            .limit(1)
            .scalar_subquery()
        )
        return _unboxed(found)

    def _node(self, id_value: str, details: FieldDetailsList) -> JsonText:
        try:
            global_id_ = relay.GlobalID.from_id(id_value)
        except (relay.GlobalIDValueError, ValueError, TypeError):
            raise NotCompilable("a malformed id") from None
        graphql_type = self.schema.get_type(global_id_.type_name)
        node = row_node(graphql_type) if isinstance(graphql_type, GraphQLObjectType) else None
        row_id = parse_uuid(global_id_.node_id)
        if node is None or row_id is None or not isinstance(graphql_type, GraphQLObjectType):
            raise NotCompilable("an id of no compiled type")
        table = self._alias(node.model)
        visible = self._visible(node.model, table)
        found = (
            select(_boxed(self._object(graphql_type, table, details)))
            .where(table.c.id == row_id, *visible)
            .scalar_subquery()
        )
        return _unboxed(found)


def _boxed(value: JsonText) -> ColumnElement[Any]:
    """An object in a one-element array, so that a row whose object came out NULL (something
    non-null inside it was missing) can be told from no row at all (`_unboxed`)."""
    return array([value], type_=Text)


def _unboxed(found: ColumnElement[Any]) -> JsonText:
    """A nullable object a scalar subquery found, `_boxed`: `null` when there was no row (not
    there, or not visible); NULL when its object came out NULL, which makes the whole answer
    NULL, so that the default path answers and says what was missing (as it would, with the
    object null and an error)."""
    nothing: ColumnElement[Any] = array([sql_text("null")], type_=Text)
    return func.coalesce(found, nothing, type_=ARRAY(Text))[1]


def _edge_member(rows: FromClause, what: str, detail: str | None) -> JsonText:
    if what == "typename":
        return sql_text(f'"{detail}"')
    assert detail is not None  # a cursor's or node's label
    if what == "cursor":
        return quoted(rows.c[detail])
    return rows.c[detail]  # the node


def _page_info_member(name: str, label: str | None, first: int, ordered: Callable[..., JsonText]) -> JsonText:
    if name == "__typename":
        return sql_text('"PageInfo"')
    if name == "hasNextPage":
        return case((func.count() > first, sql_text("true")), else_=sql_text("false"))
    if name == "hasPreviousPage":
        return sql_text("false")  # pages only go forward, as on the default path
    if name in ("startCursor", "endCursor"):
        # Cursors are URL-safe base64: no commas, so the first of a comma-joined list is one.
        assert label is not None  # a cursor's label (`cursor_label`)
        cursor = func.split_part(ordered(label, descending=name == "endCursor"), sql_text(COMMA), 1)
        return func.coalesce(quoted(cursor), sql_text("null"))  # no rows: NULL, and `||` keeps it NULL
    raise NotCompilable(f"PageInfo.{name}")


__all__ = ["Compiler", "NotCompilable"]
