"""Keyset (cursor) pagination: opaque cursors over the sort key of a row.

A cursor names the last row seen by its sort values, so a page never skips or repeats rows
when others are inserted before it (unlike offsets). Cursors are base64 of a JSON list; they
are opaque to clients and validated here.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any


class CursorError(ValueError):
    """A cursor that this service did not make, or for another ordering."""


def encode_cursor(values: list[Any]) -> str:
    # Text as it is (not \u-escaped): the JSON PostgreSQL's to_json writes, so the compiled path
    # makes the same cursor for a name with æ, ø or å (`json_sql.cursor_text`). Cursors made
    # with escapes before still decode to the same values.
    raw = json.dumps([str(v) if v is not None else None for v in values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[str | None]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError) as error:
        raise CursorError("the cursor is not one this service made") from error
    if (
        not isinstance(values, list)
        or len(values) != arity
        or not all(isinstance(v, (str, type(None))) for v in values)
    ):
        raise CursorError("the cursor is not one this service made")
    return values


@dataclass
class Page:
    rows: list[Any] = field(default_factory=list)
    has_next: bool = False
    total: int = 0
    has_previous: bool = False  # paging backward (`last`, `before`): rows before the page
