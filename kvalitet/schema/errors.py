"""Errors in a query's arguments, shown to the caller with a code and a readable message."""

from __future__ import annotations

import datetime as dt

from graphql import GraphQLError


def instant(value: dt.datetime | None, argument: str) -> dt.datetime | None:
    """A DateTime argument the database can take: one whose UTC time is within year 1–9999
    (`0001-01-01T00:00:00+01:00` is not), else BadInput."""
    if value is not None:
        try:
            value.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise BadInput(f"{argument} is outside the years 1 to 9999.", argument=argument) from None
    return value


class BadInput(GraphQLError):
    """An argument the caller can fix (a page size out of range, a foreign cursor …)."""

    def __init__(self, message: str, *, argument: str | None = None):
        extensions = {"code": "BAD_USER_INPUT"}
        if argument:
            extensions["argument"] = argument
        super().__init__(message, extensions=extensions)
