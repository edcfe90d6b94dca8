"""Checks on input at the edge: text, organisation numbers, versions. Each collects problems
instead of stopping at the first, so a person sees everything to fix at once."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from kvalitet.messages import Text, text
from kvalitet.models.enums import TextEnum
from kvalitet.services.errors import INVALID_ORG_NUMBER, INVALID_VALUE, REQUIRED, TOO_LONG, Problem, UserInputError

NAME_MAX = 200
TITLE_MAX = 500
TEXT_MAX = 20_000
KEY_MAX = 80
# The years anything may be dated in: outside them a year is a slip of the keyboard.
YEARS = range(1900, 2201)

# Control characters other than newline and tab have no business in plan text.
_ALLOWED_CONTROLS = {"\n", "\t"}


@dataclass
class Checker:
    problems: list[Problem] = field(default_factory=list)

    def add(self, code: str, message: str | Text, field_name: str | None) -> None:
        self.problems.append(Problem(code, message, field_name))

    def text(self, value: str | None, field_name: str, *, max_length: int, required: bool = True) -> str | None:
        """The text trimmed, or None when empty and not required."""
        if value is None or not value.strip():
            if required:
                self.add(REQUIRED, text("input.required", field=field_name), field_name)
            return None
        value = unicodedata.normalize("NFC", value.strip())
        if len(value) > max_length:
            self.add(TOO_LONG, text("input.too_long", field=field_name, max=max_length), field_name)
        if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in value):
            self.add(INVALID_VALUE, text("input.control_characters", field=field_name), field_name)
        elif any(unicodedata.category(ch) == "Cs" for ch in value):
            # A lone surrogate (from a broken \ud800 escape) is not text and cannot be stored.
            self.add(INVALID_VALUE, text("input.broken_character", field=field_name), field_name)
        return value

    def choice(self, value: str | None, allowed: type[TextEnum], field_name: str) -> str | None:
        """`value` as given, when it is one of `allowed`'s words (kvalitet.models.enums)."""
        if value is None:
            self.add(REQUIRED, text("input.required", field=field_name), field_name)
        elif value not in allowed.values():
            self.add(INVALID_VALUE, text("input.unknown_choice", value=value, field=field_name), field_name)
        return value

    def among(self, values: list[str], known: Iterable[str], field_name: str) -> list[str]:
        """`values` without repeats, in order, when each is one of `known` and there is one at
        least (an event type, an API key's scope)."""
        allowed = sorted(known)
        unknown = sorted(set(values) - set(allowed))
        shown = ", ".join(v[:40] for v in unknown[:5]) + (", …" if len(unknown) > 5 else "")
        if unknown:
            self.add(
                INVALID_VALUE,
                text("input.unknown_choices", field=field_name, unknown=shown, known=", ".join(allowed)),
                field_name,
            )
        if not values:
            self.add(INVALID_VALUE, text("input.none_chosen", field=field_name), field_name)
        return sorted(set(values))

    def org_number(self, value: str | None, field_name: str = "orgNumber") -> str | None:
        if value is None or not value.strip():
            return None
        digits = value.replace(" ", "")
        if not valid_org_number(digits):
            self.add(INVALID_ORG_NUMBER, text("input.org_number", value=value), field_name)
        return digits

    def year(self, year: int | None, field_name: str) -> None:
        """Refuse a year outside `YEARS` (None: not given)."""
        if year is not None and year not in YEARS:
            self.add(INVALID_VALUE, text("period.implausible_year", year=year), field_name)

    def check(self, condition: bool, code: str, message: str | Text, field_name: str | None) -> None:
        if not condition:
            self.add(code, message, field_name)

    def raise_if_any(self) -> None:
        if self.problems:
            raise UserInputError(*self.problems)


def require_year(year: int, field_name: str) -> None:
    """`Checker.year`, refused at once."""
    checker = Checker()
    checker.year(year, field_name)
    checker.raise_if_any()


def storable(text: str) -> bool:
    """Can PostgreSQL take `text` as a value? Not with NUL, nor with a lone surrogate (from a
    broken \\ud800 escape), which is no character at all: either fails the statement."""
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def valid_org_number(value: str) -> bool:
    """A Norwegian organisation number: 9 digits, the last a modulus-11 check digit
    (weights 3 2 7 6 5 4 3 2; a remainder giving check digit 10 is never issued)."""
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(value[:8], _WEIGHTS, strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == int(value[8])
