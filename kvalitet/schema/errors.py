"""Errors in a query's arguments, shown to the caller with a code and a readable message."""

from __future__ import annotations

from graphql import GraphQLError


class BadInput(GraphQLError):
    """An argument the caller can fix (a page size out of range, a foreign cursor …)."""

    def __init__(self, message: str, *, argument: str | None = None):
        extensions = {"code": "BAD_USER_INPUT"}
        if argument:
            extensions["argument"] = argument
        super().__init__(message, extensions=extensions)
