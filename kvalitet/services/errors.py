"""Errors a person can fix, raised by services and shown as `UserError`s in mutation payloads.

A service raises `UserInputError` with one or more `Problem`s; the mutation layer rolls the
transaction back and returns them, so bad input changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NoReturn

from kvalitet.messages import Text, noun, text

# What a code is about: the input (or the state of what it names), which the person can fix;
# or the caller (its rights, its idempotency key).
INPUT = "input"
CALLER = "caller"


class ErrorCode(StrEnum):
    """The core's codes, each with what it means: the one list of them. `UserError.code`'s
    description is made from it, and a test holds the README's list to it. Profiles' rules add
    their own codes (see docs/plugins.md), which are not listed here."""

    meaning: str
    about: str

    def __new__(cls, code: str, meaning: str, about: str = INPUT):
        member = str.__new__(cls, code)
        member._value_ = code
        member.meaning = meaning
        member.about = about
        return member

    NOT_FOUND = "NOT_FOUND", "No object with that id, or none the caller may see (its existence is not revealed)."
    STALE_VERSION = "STALE_VERSION", "The object was changed since the caller read its `version`; reload and try again."
    INVALID_STATE = "INVALID_STATE", "The object's state does not allow it (a plan not in draft, a submitted report …)."
    REQUIRED = "REQUIRED", "A value that must be given is missing or empty."
    TOO_LONG = "TOO_LONG", "A text is longer than its field allows."
    INVALID_VALUE = (
        "INVALID_VALUE",
        "A value the field does not take (an unknown kind or status, control characters …).",
    )
    INVALID_ORG_NUMBER = "INVALID_ORG_NUMBER", "Not an organisation number: 9 digits with a correct check digit."
    DUPLICATE = "DUPLICATE", "Something that must be unique exists already (an organisation number, an area key …)."
    NOT_APPLICABLE = "NOT_APPLICABLE", "The plan, area or criterion is not for the unit's kind."
    MISSING_ASSESSMENT = "MISSING_ASSESSMENT", "A report is submitted with criteria or local goals not assessed."
    NOTHING_TO_ASSESS = (
        "NOTHING_TO_ASSESS",
        "A report is submitted with nothing to assess: no criteria of the plan for the unit, no local goals.",
    )
    INVALID_FILE = (
        "INVALID_FILE",
        "An uploaded file is not one the service reads (a column missing, a cell that is no number …).",
    )
    # What the caller may not see is NOT_FOUND instead: its existence is not revealed.
    FORBIDDEN = "FORBIDDEN", "The caller sees the object but may not do this to it.", CALLER
    IDEMPOTENCY_KEY_REUSED = (
        "IDEMPOTENCY_KEY_REUSED",
        "The caller used the idempotency key before, with other input.",
        CALLER,
    )


# The codes about the input, in order: what `UserError.code` lists (and the README's conventions).
INPUT_CODES: tuple[ErrorCode, ...] = tuple(code for code in ErrorCode if code.about == INPUT)


def user_error_codes() -> str:
    """`UserError.code`'s description: the core's codes for the input, then the profiles'."""
    return ", ".join(INPUT_CODES) + ", or a profile rule's code."


# The codes by name, for `from .errors import NOT_FOUND`.
NOT_FOUND = ErrorCode.NOT_FOUND
STALE_VERSION = ErrorCode.STALE_VERSION
INVALID_STATE = ErrorCode.INVALID_STATE
REQUIRED = ErrorCode.REQUIRED
TOO_LONG = ErrorCode.TOO_LONG
INVALID_VALUE = ErrorCode.INVALID_VALUE
INVALID_ORG_NUMBER = ErrorCode.INVALID_ORG_NUMBER
DUPLICATE = ErrorCode.DUPLICATE
NOT_APPLICABLE = ErrorCode.NOT_APPLICABLE
MISSING_ASSESSMENT = ErrorCode.MISSING_ASSESSMENT
NOTHING_TO_ASSESS = ErrorCode.NOTHING_TO_ASSESS
INVALID_FILE = ErrorCode.INVALID_FILE
FORBIDDEN = ErrorCode.FORBIDDEN
IDEMPOTENCY_KEY_REUSED = ErrorCode.IDEMPOTENCY_KEY_REUSED


@dataclass(frozen=True)
class Problem:
    code: str
    # A catalogued `Text` (kvalitet.messages), rendered in the caller's language; plain text is
    # a message not catalogued yet, shown as it is.
    message: str | Text
    field: str | None = None


class UserInputError(Exception):
    def __init__(self, *problems: Problem):
        super().__init__("; ".join(str(p.message) for p in problems))
        self.problems = list(problems)


def fail(code: str, message: str | Text, field: str | None = None) -> NoReturn:
    raise UserInputError(Problem(code, message, field))


def not_found(what: str, field: str = "id") -> NoReturn:
    raise UserInputError(Problem(NOT_FOUND, text("error.not_found", what=noun(what)), field))


def stale(what: str, field: str = "version") -> NoReturn:
    raise UserInputError(Problem(STALE_VERSION, text("error.stale", the_what=noun(what, definite=True)), field))
