"""A query's cost: about how many objects it asks for, computed before it runs.

Each field counts once for every object it is asked on. A connection multiplies what is below
its `edges`/`nodes` by `first` (or the default page size); another list field multiplies by an
estimate of its length. A query over the limit is refused before any resolver runs, and every
response tells its cost in `extensions.cost`. No library computes this for strawberry, so it
is written here; the walk is guarded against fragment cycles (they are refused by validation
anyway, but the walk runs before validation).
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

from kvalitet.infra import observed

LIST_ESTIMATE = 5  # plain lists (areas, goals, criteria …) hold a handful each; a round guess
MAX_STEPS = 100_000  # fields visited while counting; fragments spread many times can explode


class TooComplex(Exception):
    """Counting the cost itself took too long: the query is refused as too costly."""


def _is_list(graphql_type) -> bool:
    while isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    return isinstance(graphql_type, GraphQLList)


class CostCounter:
    def __init__(self, schema, document, variables: dict | None, default_page: int, max_page: int):
        self.schema = schema
        self.fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
        self.variables = variables or {}
        self.default_page = default_page
        self.max_page = max_page  # a larger `first` is refused by the field itself, with its own message
        self.steps = 0

    def _first(self, field: FieldNode) -> int | None:
        for argument in field.arguments or ():
            if argument.name.value in ("first", "last"):  # a page forward or backward
                if isinstance(argument.value, VariableNode):
                    value = self.variables.get(argument.value.name.value)
                else:
                    value = value_from_ast_untyped(argument.value)
                return value if isinstance(value, int) and value >= 0 else None
        return None

    def _fields(
        self, selection_set: SelectionSetNode | None, seen: frozenset[str], on_type=None
    ) -> Iterator[tuple[FieldNode, frozenset[str], object]]:
        """Every field selected, with the type it is selected on (a fragment's type condition,
        e.g. `... on Municipality` under `node`, else `on_type`)."""
        for selection in selection_set.selections if selection_set else ():
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise TooComplex
            if isinstance(selection, FieldNode):
                yield selection, seen, on_type
            elif isinstance(selection, InlineFragmentNode):
                yield from self._fields(selection.selection_set, seen, self._condition(selection, on_type))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen or name not in self.fragments:
                    continue  # a cycle or an unknown fragment: validation will refuse it
                fragment = self.fragments[name]
                yield from self._fields(fragment.selection_set, seen | {name}, self._condition(fragment, on_type))

    def _condition(self, fragment, on_type):
        condition = getattr(fragment, "type_condition", None)
        return self.schema.get_type(condition.name.value) if condition is not None else on_type

    def cost(self, selection_set, parent_type, multiplier: int, seen: frozenset[str] = frozenset()) -> int:
        total = 0
        for field, seen_here, on_type in self._fields(selection_set, seen, parent_type):
            total += multiplier
            definition = (getattr(on_type, "fields", None) or {}).get(field.name.value)
            if definition is None or field.selection_set is None:
                continue
            child_type = get_named_type(definition.type)
            factor = 1
            if child_type.name.endswith("Connection"):
                first = self._first(field)
                factor = self.default_page if first is None else min(first, self.max_page)
                total += self._connection(field, child_type, multiplier, factor, seen_here)
                continue
            if _is_list(definition.type):
                factor = LIST_ESTIMATE
            total += self.cost(field.selection_set, child_type, multiplier * factor, seen_here)
        return total

    def _connection(self, field: FieldNode, connection_type, multiplier: int, page: int, seen) -> int:
        """`edges`/`nodes` of a connection are a page long; its other fields are once."""
        total = 0
        for sub, seen_here, _ in self._fields(field.selection_set, seen, connection_type):
            total += multiplier
            if sub.selection_set is None:
                continue
            definition = connection_type.fields.get(sub.name.value)
            if definition is None:
                continue
            named = get_named_type(definition.type)
            if sub.name.value in ("edges", "nodes"):
                total += self.cost(sub.selection_set, named, multiplier * max(page, 1), seen_here)
            else:
                total += self.cost(sub.selection_set, named, multiplier, seen_here)
        return total

    def of_operation(self, operation: OperationDefinitionNode) -> int:
        root = {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
            OperationType.SUBSCRIPTION: self.schema.subscription_type,
        }[operation.operation]
        return self.cost(operation.selection_set, root, 1)


def over_budget(context, wait: float) -> GraphQLError:
    """The error of an operation the caller's budget cannot afford now (the view answers 429)."""
    from kvalitet.web.ratelimit import refusal

    said, extensions = refusal(wait)  # the same error as a refusal on arrival (ErrorCodes words it)
    scope = getattr(getattr(context.context, "request", None), "scope", None)
    if isinstance(scope, dict):
        scope.setdefault("state", {})["rate_limited"] = extensions["retryAfter"]
    return GraphQLError(str(said), extensions=extensions)


class QueryCost(SchemaExtension):
    def __init__(self, *, max_cost: int, default_page: int, max_page: int):
        self.max_cost = max_cost
        self.default_page = default_page
        self.max_page = max_page
        self.requested: int | None = None

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and not context.pre_execution_errors:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if context.operation_name:
                operations = [o for o in operations if o.name and o.name.value == context.operation_name]
            if len(operations) == 1:
                counter = CostCounter(
                    context.schema._schema, document, context.variables, self.default_page, self.max_page
                )
                try:
                    self.requested = counter.of_operation(operations[0])
                except TooComplex:
                    self.requested = self.max_cost + 1
                # A query refused for its cost never runs: it spends one unit of the caller's budget.
                runs = self.requested <= self.max_cost
                observed.note(cost=self.requested if runs else 1)
                wait = observed.admit(self.requested) if runs else None
                if wait is not None:
                    context.pre_execution_errors = [over_budget(context, wait)]
                if self.requested > self.max_cost:
                    context.pre_execution_errors = [
                        GraphQLError(
                            f"The query asks for about {self.requested} objects; the limit is {self.max_cost}. "
                            "Ask for smaller pages or fewer fields.",
                            extensions={"code": "QUERY_TOO_COSTLY", "cost": self.requested, "limit": self.max_cost},
                        )
                    ]
        yield

    def get_results(self) -> dict:
        if self.requested is None:
            return {}
        return {"cost": {"requested": self.requested, "limit": self.max_cost}}
