"""What an export is made of: its tables in insert order, its files' format, and how each column's
values become JSON values and CSV cells and back."""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Column,
    Table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kvalitet.models import Base

FORMAT_VERSION = 1


MANIFEST = "manifest.json"


CHUNK_SIZE = 500


# Exported, in the order an import inserts them (every reference points to an earlier table).
TABLES = (
    "municipality",
    "national_goal",
    "unit",
    "plan",
    "area",
    "goal",
    "criterion",
    "measure",
    "local_plan",
    "local_plan_section",
    "local_goal",
    "local_action",
    "report",
    "assessment",
    "sector_report",
    # The yearly report to the council: the drafts, their sections' texts, the published editions.
    "council_report",
    "council_report_section",
    "council_report_edition",
    # Follow-up of the units: meetings, the points agreed in them, the rhythm per kind of meeting;
    # and the competence plans with their needs, goals and measures.
    "follow_up_meeting",
    "follow_up_point",
    "follow_up_rhythm",
    "competence_plan",
    "competence_need",
    "competence_goal",
    "competence_measure",
    # The municipality's own indicators, their upload batches and figures (national ones are
    # nobody's and are not exported: the ownership map scopes these to the municipality's).
    "indicator",
    "indicator_batch",
    "indicator_value",
    "change_log",
)


NOT_EXPORTED = {
    "api_key": "holds a secret's hash; make new keys where the data is imported",
    "webhook_subscription": "holds a signing secret; subscribe again where the data is imported",
    "outbox_event": "operational",
    "webhook_delivery": "operational",
    "idempotency_record": "operational",
    # National statistics are everyone's, not the municipality's (an export holds only the
    # municipality's own indicators): import them from Udir where the data goes.
    "indicator_refresh": "operational: when the national tables were last fetched",
    "register_sync": "operational: where the sync with the national registers stands; the next sync there starts over",
    "council_report_pdf": "a rendition of an edition, made again from the edition's content where it is imported",
}


# `change_log.tx_id` is the id of the transaction that wrote the row, meaningful only in the
# database that wrote it: the change feed orders by it and shows only transactions older
# than every running one. Copied, a source's (larger) ids would hide the history from the
# feed and sort later changes before it; left out, the import's own transaction is the
# writer, as it is.
#
# A figure's id is a number the database counts (a figure has no identity of its own beyond its
# indicator, place, year, grade and gender, which are unique): an import lets the database count
# on, instead of bringing numbers that another municipality's figures may hold already.
_LOCAL_COLUMNS = {"change_log": {"tx_id"}, "indicator_value": {"id"}}


def has_own_ids(table_name: str) -> bool:
    """Whether the table's rows keep their ids across an export and import."""
    return "id" not in _LOCAL_COLUMNS.get(table_name, set())


_METADATA = Base.metadata


class BulkError(Exception):
    """An export or import that cannot be done; the message says why, for a person."""


class ExportFormat(str, Enum):
    json = "json"
    csv = "csv"
    # CSV as Norwegian Excel opens it by a double click: UTF-8 with a byte-order mark (else Excel
    # reads æøå as Windows-1252), semicolons (the list separator where the decimal sign is a
    # comma) and decimal commas.
    excel = "excel"

    @property
    def suffix(self) -> str:
        return "json" if self is ExportFormat.json else "csv"

    @property
    def dialect(self) -> CsvDialect:
        return _DIALECTS[self]


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    encoding: str
    decimal_comma: bool


_DIALECTS = {
    ExportFormat.csv: CsvDialect(",", "utf-8", False),
    ExportFormat.excel: CsvDialect(";", "utf-8-sig", True),
}


@dataclass(frozen=True)
class Chunk:
    """Up to `chunk_size` rows of one table, as JSON values: UUIDs, dates and timestamps as
    ISO strings (timestamps in UTC, with microseconds), arrays as lists, JSONB as objects;
    keys in the table's column order."""

    table: str
    rows: list[dict[str, Any]]


def table_of(name: str) -> Table:
    return _METADATA.tables[name]


def columns(table_name: str) -> list[str]:
    """The exported columns of a table, in order: the id first, then the table's order."""
    local = _LOCAL_COLUMNS.get(table_name, set())
    names = [c.name for c in table_of(table_name).columns if c.name not in local]
    return sorted(names, key=lambda name: name != "id")


def _kind(column: Column) -> str:
    if isinstance(column.type, ARRAY):
        return "uuid_array" if column.type.item_type.python_type is uuid.UUID else "array"
    if isinstance(column.type, JSON):  # JSONB too
        return "json"
    python_type = column.type.python_type
    kinds = {
        uuid.UUID: "uuid",
        dt.datetime: "datetime",
        dt.date: "date",
        bool: "bool",
        int: "int",
        str: "str",
        Decimal: "decimal",
    }
    if python_type in kinds:
        return kinds[python_type]
    raise TypeError(f"{column.table.name}.{column.name}: no export for {column.type!r}")


@functools.cache
def column_kinds(table_name: str) -> dict[str, str]:
    table = table_of(table_name)
    return {name: _kind(table.c[name]) for name in columns(table_name)}


def to_json(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "uuid":
        return str(value)
    if kind == "datetime":
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if kind == "date":
        return value.isoformat()
    if kind == "array":
        return list(value)
    if kind == "uuid_array":
        return [str(item) for item in value]
    if kind == "decimal":
        return str(value)  # exact: a JSON number would pass through a float
    return value


_JSON_TYPES = {
    "bool": bool,
    "int": int,
    "str": str,
    "uuid": str,
    "datetime": str,
    "date": str,
    "array": list,
    "uuid_array": list,
    "decimal": str,
}


def from_json(kind: str, value: Any) -> Any:
    """The database value of a JSON value; ValueError when it is not one of the column's."""
    if value is None:
        return None
    expected = _JSON_TYPES.get(kind)
    if expected is not None and (not isinstance(value, expected) or (kind == "int" and isinstance(value, bool))):
        raise ValueError(f"expected {kind}, got {type(value).__name__}")
    if kind == "uuid":
        return uuid.UUID(value)
    if kind == "datetime":
        value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError("a timestamp needs its time zone")
        return value
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "uuid_array":
        return [uuid.UUID(item) for item in value]
    if kind == "decimal":
        try:
            number = Decimal(value)
        except ArithmeticError:
            raise ValueError(f"«{value}» is not a number") from None
        if not number.is_finite():
            raise ValueError(f"«{value}» is not a number")
        return number
    return value


def to_cell(kind: str, value: Any, *, decimal_comma: bool = False) -> str:
    """A CSV cell of a JSON value. Empty is NULL; a text that is empty, or that starts with a
    double quote, is written as a JSON string, so every cell reads back unambiguously."""
    if value is None:
        return ""
    if kind == "decimal" and decimal_comma:
        return value.replace(".", ",")
    if kind == "str":
        return value if value and not value.startswith('"') else json.dumps(value, ensure_ascii=False)
    if kind == "bool":
        return "true" if value else "false"
    if kind in ("array", "uuid_array", "json"):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def from_cell(kind: str, cell: str, *, decimal_comma: bool = False) -> Any:
    if cell == "":
        return None
    if kind == "decimal" and decimal_comma:
        return cell.replace(",", ".")
    if kind == "str":
        return json.loads(cell) if cell.startswith('"') else cell
    if kind == "bool":
        if cell not in ("true", "false"):
            raise ValueError("expected true or false")
        return cell == "true"
    if kind == "int":
        return int(cell)
    if kind in ("array", "uuid_array", "json"):
        return json.loads(cell)
    return cell


def tree_order(rows: list[dict]) -> list[dict]:
    """Areas with every parent before its children: each plan's roots by position, each
    subtree depth first (the order of `position`), ties by id."""
    ids = {row["id"] for row in rows}
    children: dict[Any, list[dict]] = defaultdict(list)
    for row in rows:
        children[row["parent_id"] if row["parent_id"] in ids else None].append(row)

    def key(row):
        return (str(row["plan_id"]), row["position"], str(row["id"]))

    ordered: list[dict] = []
    stack = sorted(children[None], key=key, reverse=True)
    while stack:
        row = stack.pop()
        ordered.append(row)
        stack.extend(sorted(children[row["id"]], key=key, reverse=True))
    if len(ordered) < len(rows):  # a cycle: cannot be inserted; left for the database to refuse
        seen = {row["id"] for row in ordered}
        ordered += sorted((row for row in rows if row["id"] not in seen), key=key)
    return ordered


async def schema_revision(source: AsyncConnection | AsyncSession) -> str | None:
    if await source.scalar(text("SELECT to_regclass('alembic_version')")) is None:
        return None
    return await source.scalar(text("SELECT version_num FROM alembic_version"))


def examples(values: Iterable[Any], limit: int = 3) -> str:
    values = sorted(str(v) for v in values)
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")
