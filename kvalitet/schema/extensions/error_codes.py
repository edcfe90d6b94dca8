"""Codes on the errors of a query itself (syntax, validation, limits), so programs can tell
them apart: graphql-core and strawberry's limiters give readable messages but no code."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

# (a piece of the message, the code), first match wins.
_CODES = (
    ("Document contains more than", "TOO_MANY_TOKENS"),
    ("exceeds maximum operation depth", "QUERY_TOO_DEEP"),
    ("aliases found", "TOO_MANY_ALIASES"),
    ("introspection has been disabled", "INTROSPECTION_DISABLED"),
)


def _label(errors, default: str) -> None:
    for error in errors or ():
        if error.extensions and error.extensions.get("code"):
            continue
        code = next((c for piece, c in _CODES if piece in error.message), default)
        error.extensions = {**(error.extensions or {}), "code": code}


class ErrorCodes(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        yield
        _label(self.execution_context.pre_execution_errors, "GRAPHQL_PARSE_FAILED")

    def on_validate(self) -> Iterator[None]:
        yield
        _label(self.execution_context.pre_execution_errors, "GRAPHQL_VALIDATION_FAILED")
