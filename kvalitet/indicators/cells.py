"""One cell of Udir's statistics: a number written the Norwegian way, a suppression marker, or
nothing.

Udir's export and reporting APIs give every value as a string (reference samples in the
project's Udir notes, docs/indicators.md): a decimal comma (`"3,1"`), a space as the thousands
separator (`"5 943"`, also a no-break space), `"*"` for a suppressed cell («prikket»), `null`
where a value does not apply, and `""` or `"-"` for no data. Anything else is a changed
answer, and the import stops (`CellError`) rather than guess; so does a decimal point
(`"1.234"` may be a thousand written another way). Numbers in JSON (not strings) are taken as
they are.

Written by hand: the locale-aware parsers (Babel's `parse_decimal`) accept grouping a
statistics file does not use and say nothing of `*` or `-`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

SUPPRESSED_MARKERS = frozenset({"*"})
NO_DATA_MARKERS = frozenset({"", "-"})

# Spaces that group thousands: space, no-break space, narrow no-break space.
_GROUPING = re.compile(r"[ \u00a0\u202f]")
_NUMBER = re.compile(r"-?(?:[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]+)(?:,[0-9]+)?")


class CellKind(Enum):
    NUMBER = "number"
    SUPPRESSED = "suppressed"
    NO_DATA = "no_data"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Cell:
    kind: CellKind
    number: Decimal | None = None


class CellError(ValueError):
    """A cell that is neither a number, a suppression marker nor empty."""


def parse_cell(raw: object) -> Cell:
    """`"3,1"` → 3.1; `"5 943"` → 5943; `"*"` → suppressed; `""`/`"-"` → no data; `None` → not applicable."""
    if raw is None:
        return Cell(CellKind.NOT_APPLICABLE)
    if isinstance(raw, bool):
        raise CellError(f"{raw!r} is not a number")
    if isinstance(raw, int | float):
        return Cell(CellKind.NUMBER, Decimal(str(raw)))
    if not isinstance(raw, str):
        raise CellError(f"{raw!r} is not a number")
    text = raw.strip()
    if text in SUPPRESSED_MARKERS:
        return Cell(CellKind.SUPPRESSED)
    if text in NO_DATA_MARKERS:
        return Cell(CellKind.NO_DATA)
    if not _NUMBER.fullmatch(text):
        raise CellError(f"{raw!r} is not a number, «*» or «-»")
    try:
        return Cell(CellKind.NUMBER, Decimal(_GROUPING.sub("", text).replace(",", ".")))
    except InvalidOperation:  # pragma: no cover - the pattern admits only what Decimal reads
        raise CellError(f"{raw!r} is not a number") from None


def parse_count(raw: object) -> Cell:
    """A count of respondents: a whole, non-negative number (or a marker)."""
    cell = parse_cell(raw)
    if cell.kind is CellKind.NUMBER:
        assert cell.number is not None
        if cell.number != cell.number.to_integral_value() or cell.number < 0:
            raise CellError(f"{raw!r} is not a count")
    return cell
