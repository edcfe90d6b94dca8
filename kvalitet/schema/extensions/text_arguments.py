"""Refuses, before a query runs, text arguments that are not text: NUL, or a lone surrogate
(the JSON escape \\ud800 with no partner). PostgreSQL can store or compare neither, so either
would fail the statement that carries it, on the compiled path and the default path alike.

Mutations are left to their services, which name the input field in a `UserError`.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, StringValueNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from kvalitet.messages import text
from kvalitet.schema.errors import BadInput
from kvalitet.services.validation import storable


def _strings(value: object) -> Iterator[str]:
    """Every string in a JSON value (walked without recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        self.found.append(node.value)


class TextArguments(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None and not execution.result and execution.operation_type is not OperationType.MUTATION:
            literals = _Literals()
            visit(document, literals)
            if not all(storable(s) for s in (*_strings(execution.variables or {}), *literals.found)):
                error = BadInput(text("input.not_text"))
                execution.result = ExecutionResult(data=None, errors=[error])
        yield
