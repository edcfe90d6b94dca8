"""Errors in a query's arguments, shown to the caller with a code and a readable message."""

from __future__ import annotations

import datetime as dt

from graphql import GraphQLError

from kvalitet.messages import Text, render, text


def instant(value: dt.datetime | None, argument: str) -> dt.datetime | None:
    """A DateTime argument the database can take: one whose UTC time is within year 1–9999
    (`0001-01-01T00:00:00+01:00` is not), else BadInput."""
    if value is not None:
        try:
            value.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise BadInput(text("input.outside_years", argument=argument), argument=argument) from None
    return value


class BadInput(GraphQLError):
    """An argument the caller can fix (a page size out of range, a foreign cursor …): a
    catalogued text, written in English here and in the caller's language by the `ErrorCodes`
    extension, which adds its `messageKey` and `params` (as `UserError` has them)."""

    def __init__(self, message: str | Text, *, argument: str | None = None):
        extensions: dict[str, object] = {"code": "BAD_USER_INPUT"}
        if argument:
            extensions["argument"] = argument
        self.text = message
        super().__init__(render(message, "en"), extensions=extensions)
