"""Errors a person can fix, raised by services and shown as `UserError`s in mutation payloads.

A service raises `UserInputError` with one or more `Problem`s; the mutation layer rolls the
transaction back and returns them, so bad input changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

# The core's codes; profiles' rules add their own (see docs/plugins.md).
NOT_FOUND = "NOT_FOUND"
STALE_VERSION = "STALE_VERSION"
INVALID_STATE = "INVALID_STATE"
REQUIRED = "REQUIRED"
TOO_LONG = "TOO_LONG"
INVALID_VALUE = "INVALID_VALUE"
INVALID_ORG_NUMBER = "INVALID_ORG_NUMBER"
DUPLICATE = "DUPLICATE"
NOT_APPLICABLE = "NOT_APPLICABLE"
MISSING_ASSESSMENT = "MISSING_ASSESSMENT"
# The caller sees the object but may not do this to it. (What the caller may not see is
# NOT_FOUND instead: its existence is not revealed.)
FORBIDDEN = "FORBIDDEN"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str | None = None


class UserInputError(Exception):
    def __init__(self, *problems: Problem):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


def fail(code: str, message: str, field: str | None = None):
    raise UserInputError(Problem(code, message, field))


def not_found(what: str, field: str = "id"):
    raise UserInputError(Problem(NOT_FOUND, f"No {what} with that id.", field))


def stale(what: str, field: str = "version"):
    raise UserInputError(
        Problem(STALE_VERSION, f"The {what} was changed by someone else; reload it and try again.", field)
    )
