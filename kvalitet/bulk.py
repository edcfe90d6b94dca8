"""Bulk export and import of a municipality's data.

`kvalitet export --municipality 5501 --format json --out DIR` writes one file per table and a
`manifest.json`; `kvalitet import DIR` writes them into a database (e.g. a new, migrated one)
with every id, timestamp and version as they were. Export, import, export again gives the
same files byte for byte (only the manifest's `exported_at` differs).

What an export holds, in foreign-key order (`TABLES`): the municipality, the national goals
its plans' goals link to, its units, plans (areas parents first, goals, criteria, measures),
local plans (sections, local goals, actions), reports and assessments, published sector
reports, and its change-log rows (so history survives the move). What it leaves out
(`NOT_EXPORTED`): API keys and webhook subscriptions (they carry secrets: a key's hash, a
webhook's signing secret; the receiving side makes new ones), their change-log rows (whose
«create» changes hold those secrets too), and operational rows (outbox events, webhook
deliveries, idempotency records).

One export path: `stream_export` yields chunks of JSON-ready rows; the CLI writes them to
files, and a GraphQL subscription can send them as they come.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Column,
    ColumnElement,
    Table,
    any_,
    bindparam,
    false,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kvalitet.models import Base
from kvalitet.ownership import OWNERSHIP, Owned, scoped

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK_SIZE = 500
# Shorter runs finish before a bar would tell anything.
PROGRESS_MIN_ROWS = 2000

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
    "change_log",
)
NOT_EXPORTED = {
    "api_key": "holds a secret's hash; make new keys where the data is imported",
    "webhook_subscription": "holds a signing secret; subscribe again where the data is imported",
    "outbox_event": "operational",
    "webhook_delivery": "operational",
    "idempotency_record": "operational",
}
# Change-log rows of rows that are not exported: their changes name the secrets.
_SECRET_ENTITIES = ("ApiKey", "WebhookSubscription")
# `change_log.tx_id` is the id of the transaction that wrote the row, meaningful only in the
# database that wrote it: the change feed orders by it and shows only transactions older
# than every running one. Copied, a source's (larger) ids would hide the history from the
# feed and sort later changes before it; left out, the import's own transaction is the
# writer, as it is.
_LOCAL_COLUMNS = {"change_log": {"tx_id"}}

_METADATA = Base.metadata


class BulkError(Exception):
    """An export or import that cannot be done; the message says why, for a person."""


class ExportFormat(str, Enum):
    json = "json"
    csv = "csv"


@dataclass(frozen=True)
class Chunk:
    """Up to `chunk_size` rows of one table, as JSON values: UUIDs, dates and timestamps as
    ISO strings (timestamps in UTC, with microseconds), arrays as lists, JSONB as objects;
    keys in the table's column order."""

    table: str
    rows: list[dict[str, Any]]


# --- Columns and values ------------------------------------------------------------------


def _table(name: str) -> Table:
    return _METADATA.tables[name]


def columns(table_name: str) -> list[str]:
    """The exported columns of a table, in order: the id first, then the table's order."""
    local = _LOCAL_COLUMNS.get(table_name, set())
    names = [c.name for c in _table(table_name).columns if c.name not in local]
    return sorted(names, key=lambda name: name != "id")


def _kind(column: Column) -> str:
    if isinstance(column.type, ARRAY):
        return "array"
    if isinstance(column.type, JSON):  # JSONB too
        return "json"
    python_type = column.type.python_type
    kinds = {uuid.UUID: "uuid", dt.datetime: "datetime", dt.date: "date", bool: "bool", int: "int", str: "str"}
    if python_type in kinds:
        return kinds[python_type]
    raise TypeError(f"{column.table.name}.{column.name}: no export for {column.type!r}")


@functools.cache
def _kinds(table_name: str) -> dict[str, str]:
    table = _table(table_name)
    return {name: _kind(table.c[name]) for name in columns(table_name)}


def _to_json(kind: str, value: Any) -> Any:
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
    return value


_JSON_TYPES = {"bool": bool, "int": int, "str": str, "uuid": str, "datetime": str, "date": str, "array": list}


def _from_json(kind: str, value: Any) -> Any:
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
    return value


def _to_cell(kind: str, value: Any) -> str:
    """A CSV cell of a JSON value. Empty is NULL; a text that is empty, or that starts with a
    double quote, is written as a JSON string, so every cell reads back unambiguously."""
    if value is None:
        return ""
    if kind == "str":
        return value if value and not value.startswith('"') else json.dumps(value, ensure_ascii=False)
    if kind == "bool":
        return "true" if value else "false"
    if kind in ("array", "json"):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _from_cell(kind: str, cell: str) -> Any:
    if cell == "":
        return None
    if kind == "str":
        return json.loads(cell) if cell.startswith('"') else cell
    if kind == "bool":
        if cell not in ("true", "false"):
            raise ValueError("expected true or false")
        return cell == "true"
    if kind == "int":
        return int(cell)
    if kind in ("array", "json"):
        return json.loads(cell)
    return cell


def _tree_order(rows: list[dict]) -> list[dict]:
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


# --- Export --------------------------------------------------------------------------------


def _scopes(municipality_id: uuid.UUID) -> dict[str, ColumnElement[bool]]:
    """For each exported table, which of its rows are the municipality's (from the ownership
    map: the rows that name it, and the rows below them)."""

    def theirs(model: type, rule: Owned, table: Table):
        return table.c[rule.municipality] == municipality_id if rule.municipality else false()

    by_table = {model.__tablename__: model for model in OWNERSHIP}
    scopes = {name: scoped(by_table[name], _table(name), theirs) for name in TABLES if name != "national_goal"}
    goal = _table("goal")
    # National goals are nobody's: an export holds those its plans' goals link to.
    linked = select(goal.c.national_goal_id).where(scopes["goal"], goal.c.national_goal_id.is_not(None))
    scopes["national_goal"] = _table("national_goal").c.id.in_(linked)
    scopes["change_log"] = scopes["change_log"] & _table("change_log").c.entity_type.not_in(_SECRET_ENTITIES)
    return scopes


async def _require_municipality(source: AsyncConnection | AsyncSession, municipality_id: uuid.UUID) -> None:
    table = _table("municipality")
    found = await source.scalar(select(table.c.id).where(table.c.id == municipality_id))
    if found is None:
        raise BulkError(f"No municipality with id {municipality_id}.")


async def export_counts(source: AsyncConnection | AsyncSession, municipality_id: uuid.UUID) -> dict[str, int]:
    """How many rows of each table an export of the municipality holds (for progress)."""
    scopes = _scopes(municipality_id)
    counts = {}
    for name in TABLES:
        counts[name] = await source.scalar(select(func.count()).select_from(_table(name)).where(scopes[name]))
    return counts


async def stream_export(
    source: AsyncConnection | AsyncSession, municipality_id: uuid.UUID, *, chunk_size: int = CHUNK_SIZE
) -> AsyncIterator[Chunk]:
    """The municipality's rows, table by table in `TABLES` order, at most `chunk_size` rows a
    chunk; tables without rows yield no chunk. Rows come sorted by id, except areas, which come
    in tree order (parents first), so the chunks can be inserted as they come.

    Reads through `source` (a connection or session) in as many queries as chunks: for a
    consistent snapshot, call it inside a REPEATABLE READ (read-only) transaction, as the CLI
    does. Raises BulkError when there is no such municipality.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    await _require_municipality(source, municipality_id)
    scopes = _scopes(municipality_id)
    for name in TABLES:
        table = _table(name)
        kinds = _kinds(name)
        selected = [table.c[c] for c in kinds]

        def jsonable(row) -> dict[str, Any]:
            return {c: _to_json(kind, row[c]) for c, kind in kinds.items()}  # noqa: B023

        if name == "area":
            # Few rows (a plan's structure): ordered as a tree, then read in chunks of that order.
            shape = (
                (
                    await source.execute(
                        select(table.c.id, table.c.parent_id, table.c.plan_id, table.c.position).where(scopes[name])
                    )
                )
                .mappings()
                .all()
            )
            order = [row["id"] for row in _tree_order([dict(row) for row in shape])]
            for start in range(0, len(order), chunk_size):
                ids = order[start : start + chunk_size]
                rows = (await source.execute(select(*selected).where(table.c.id.in_(ids)))).mappings().all()
                by_id = {row["id"]: row for row in rows}
                yield Chunk(name, [jsonable(by_id[id_]) for id_ in ids if id_ in by_id])
            continue
        last = None
        while True:
            statement = select(*selected).where(scopes[name])
            if last is not None:
                statement = statement.where(table.c.id > last)
            rows = (await source.execute(statement.order_by(table.c.id).limit(chunk_size))).mappings().all()
            if not rows:
                break
            yield Chunk(name, [jsonable(row) for row in rows])
            if len(rows) < chunk_size:
                break
            last = rows[-1]["id"]


class _FileWriter:
    """One table's file, written chunk by chunk, hashed as it is written."""

    def __init__(self, path: Path, fmt: ExportFormat, table_name: str):
        self.path = path
        self.fmt = fmt
        self.kinds = _kinds(table_name)
        self.file = path.open("wb")
        self.sha256 = hashlib.sha256()
        self.rows = 0
        if fmt is ExportFormat.csv:
            self._csv(list(self.kinds))

    def _put(self, data: str) -> None:
        encoded = data.encode("utf-8")
        self.file.write(encoded)
        self.sha256.update(encoded)

    def _csv(self, *records: list[str]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(records)
        self._put(buffer.getvalue())

    def write(self, rows: list[dict[str, Any]]) -> None:
        if self.fmt is ExportFormat.csv:
            self._csv(*([_to_cell(kind, row[c]) for c, kind in self.kinds.items()] for row in rows))
        else:
            # A JSON list with one row a line: valid JSON, and easy to diff and to read.
            lead = "[\n" if self.rows == 0 else ",\n"
            self._put(lead + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
        self.rows += len(rows)

    def close(self) -> dict[str, Any]:
        if self.fmt is ExportFormat.json:
            self._put("\n]\n" if self.rows else "[]\n")
        self.file.close()
        return {"name": self.path.stem, "file": self.path.name, "rows": self.rows, "sha256": self.sha256.hexdigest()}


async def _revision(source: AsyncConnection | AsyncSession) -> str | None:
    if await source.scalar(text("SELECT to_regclass('alembic_version')")) is None:
        return None
    return await source.scalar(text("SELECT version_num FROM alembic_version"))


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise BulkError(f"{out} is not a directory.")
    if out.is_dir() and any(out.iterdir()):
        raise BulkError(f"{out} is not empty: export into a new or empty directory.")


async def export_to_directory(
    source: AsyncConnection | AsyncSession,
    municipality_id: uuid.UUID,
    out: Path,
    fmt: ExportFormat = ExportFormat.json,
    *,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, Any]:
    """Write the municipality's export to the directory `out` (new or empty); returns the
    manifest, which is written last: a directory without one is not a finished export."""
    fmt = ExportFormat(fmt)
    _check_out_dir(out)
    await _require_municipality(source, municipality_id)
    municipality = _table("municipality")
    number = await source.scalar(select(municipality.c.number).where(municipality.c.id == municipality_id))
    revision = await _revision(source)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Any]] = {}
    writer: _FileWriter | None = None
    try:
        async for chunk in stream_export(source, municipality_id, chunk_size=chunk_size):
            if writer is None or writer.path.stem != chunk.table:
                if writer is not None:
                    files[writer.path.stem] = writer.close()
                writer = _FileWriter(out / f"{chunk.table}.{fmt.value}", fmt, chunk.table)
            writer.write(chunk.rows)
            if progress is not None:
                progress(len(chunk.rows))
        if writer is not None:
            files[writer.path.stem] = writer.close()
            writer = None
        for name in TABLES:  # the tables without rows
            if name not in files:
                files[name] = _FileWriter(out / f"{name}.{fmt.value}", fmt, name).close()
    finally:
        if writer is not None:
            writer.file.close()
    manifest = {
        "format_version": FORMAT_VERSION,
        "format": fmt.value,
        "municipality_number": number,
        "schema_revision": revision,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tables": [files[name] for name in TABLES],
        "not_exported": NOT_EXPORTED,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


# --- Import --------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(directory: Path) -> dict[str, Any]:
    """The export's manifest, after checking it and every file's checksum."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BulkError(f"{directory} holds no {MANIFEST}: not a (finished) export.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BulkError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        version = manifest.get("format_version") if isinstance(manifest, dict) else None
        raise BulkError(f"{path}: format version {version!r}; this version of kvalitet reads {FORMAT_VERSION}.")
    if manifest.get("format") not in {f.value for f in ExportFormat}:
        raise BulkError(f"{path}: unknown format {manifest.get('format')!r} (json or csv).")
    tables = manifest.get("tables")
    listed = isinstance(tables, list) and all(isinstance(entry, dict) for entry in tables)
    if not listed or [entry.get("name") for entry in tables] != list(TABLES):
        raise BulkError(f"{path}: the tables listed are not the ones this version exports ({', '.join(TABLES)}).")
    for entry in tables:
        file = directory / str(entry.get("file"))
        if file.parent != directory or file.name != f"{entry['name']}.{manifest['format']}":
            raise BulkError(f"{path}: unexpected file name {entry.get('file')!r}.")
        if not file.is_file():
            raise BulkError(f"{file} is missing.")
        if _sha256(file) != entry.get("sha256"):
            raise BulkError(f"{file} does not match its checksum in the manifest: changed or damaged.")
    return manifest


def read_chunks(directory: Path, manifest: dict[str, Any], *, chunk_size: int = CHUNK_SIZE) -> Iterator[Chunk]:
    """The rows of an export's files as chunks of JSON values (what `stream_export` yields)."""
    fmt = ExportFormat(manifest["format"])
    for entry in manifest["tables"]:
        name = entry["name"]
        path = directory / entry["file"]
        expected = columns(name)
        count = 0
        for rows in (_read_csv if fmt is ExportFormat.csv else _read_json)(path, name, expected, chunk_size):
            count += len(rows)
            yield Chunk(name, rows)
        if count != entry["rows"]:
            raise BulkError(f"{path}: {count} rows, the manifest says {entry['rows']}.")


def _read_json(path: Path, name: str, expected: list[str], chunk_size: int) -> Iterator[list[dict]]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BulkError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(rows, list):
        raise BulkError(f"{path}: expected a JSON list of rows.")
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or sorted(row) != sorted(expected):
            raise BulkError(f"{path}: row {number} does not have the columns {', '.join(expected)}.")
    for start in range(0, len(rows), chunk_size):
        yield rows[start : start + chunk_size]


def _read_csv(path: Path, name: str, expected: list[str], chunk_size: int) -> Iterator[list[dict]]:
    kinds = _kinds(name)
    # A cell may hold a whole published sector report.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        header = next(reader, None)
        if header is None or sorted(header) != sorted(expected):
            raise BulkError(f"{path}: the header is not the columns {', '.join(expected)}.")
        rows: list[dict] = []
        for number, record in enumerate(reader, start=2):
            if len(record) != len(header):
                raise BulkError(f"{path}: line {number} has {len(record)} cells, the header {len(header)}.")
            try:
                rows.append({c: _from_cell(kinds[c], cell) for c, cell in zip(header, record, strict=True)})
            except (ValueError, json.JSONDecodeError) as error:
                raise BulkError(f"{path}: line {number}: {error}") from None
            if len(rows) == chunk_size:
                yield rows
                rows = []
        if rows:
            yield rows


@dataclass
class ImportResult:
    municipality_number: str = ""
    municipality_name: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    # National goals are a shared catalogue: a goal already in the database (same id, or same
    # key under another id) is used, not inserted again.
    national_goals_present: int = 0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _examples(values: Iterable[Any], limit: int = 3) -> str:
    values = sorted(str(v) for v in values)
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


async def import_chunks(
    connection: AsyncConnection,
    manifest: dict[str, Any],
    chunks: Iterable[Chunk],
    *,
    progress: Callable[[int], Any] | None = None,
) -> ImportResult:
    """Insert an export's rows, in `TABLES` order, keeping ids, timestamps and versions.

    Run it in one transaction and roll back on any error (`engine.begin()` does): it raises
    BulkError, possibly after inserting some of the rows, when the database is not at the
    export's schema revision, when the municipality (its id or number) or any row's id is
    there already, when the database refuses a row, or when a row is not the municipality's
    (`_refuse_rows_of_others`): an export's files are the caller's input, not to be trusted.

    The rows are written with SQLAlchemy Core, not the ORM: the ORM's unit of work would set
    its own version and timestamps, and its audit hook would log every row as created now by
    the importer, where the imported change log already tells the rows' real history.
    """
    revision = await _revision(connection)
    if revision is None:
        raise BulkError("The database is not migrated: run `kvalitet db upgrade` first.")
    if revision != manifest.get("schema_revision"):
        raise BulkError(
            f"The export is of schema revision {manifest.get('schema_revision')}, the database is at {revision}: "
            "import into a database at the export's revision (then upgrade it)."
        )
    municipality = _table("municipality")
    number = manifest.get("municipality_number")
    existing = await connection.scalar(select(municipality.c.name).where(municipality.c.number == number))
    if existing is not None:
        raise BulkError(f"Municipality {number} ({existing}) is in this database already.")

    result = ImportResult(municipality_number=number)
    national_ids: dict[uuid.UUID, uuid.UUID] = {}  # the export's id → the database's, where they differ
    pending_areas: list[dict] = []
    order = iter(TABLES)
    current = None

    inserted: dict[str, list[uuid.UUID]] = defaultdict(list)

    async def insert_rows(name: str, rows: list[dict]) -> None:
        if rows:
            await _insert(connection, name, rows, result, national_ids)
            if name != "national_goal":  # a shared catalogue, nobody's own
                inserted[name] += [row["id"] for row in rows]

    for chunk in chunks:
        if chunk.table != current:
            if current is None and chunk.table != "municipality":
                raise BulkError("The export holds no municipality.")
            # Tables come in order, each table's rows together (`in` consumes the iterator).
            if chunk.table not in order:
                raise BulkError(f"The rows of {chunk.table} come out of order or twice.")
            if current == "area":
                await insert_rows("area", _tree_order(pending_areas))
            current = chunk.table
        try:
            rows = [_decoded(chunk.table, row) for row in chunk.rows]
        except (ValueError, KeyError) as error:
            raise BulkError(f"{chunk.table}: {error}") from None
        if chunk.table == "municipality":
            if len(rows) != 1 or result.municipality_name or rows[0]["number"] != number:
                raise BulkError(f"The export must hold one municipality, number {number}.")
            result.municipality_name = rows[0]["name"]
        if chunk.table == "area":
            pending_areas += rows  # inserted when complete, parents first
        else:
            await insert_rows(chunk.table, rows)
        if progress is not None:
            progress(len(rows))
    if current == "area":
        await insert_rows("area", _tree_order(pending_areas))
    if not result.municipality_name:
        raise BulkError("The export holds no municipality.")
    await _refuse_rows_of_others(connection, inserted["municipality"][0], inserted)
    if result.rows.get("change_log"):
        # The identity sequence continues after the imported ids (and never goes back).
        await connection.execute(
            text(
                "SELECT setval(sequence, GREATEST((SELECT max(id) FROM change_log), pg_sequence_last_value(sequence))) "
                "FROM CAST(pg_get_serial_sequence('change_log', 'id') AS regclass) AS sequence"
            )
        )
    return result


async def _refuse_rows_of_others(
    connection: AsyncConnection, municipality_id: uuid.UUID, inserted: dict[str, list[uuid.UUID]]
) -> None:
    """Refuse the import when a row it wrote is not the municipality's, or refers to a row that
    is not: each row must be one an export of the municipality would hold (`_scopes`, the
    export's own definition), and so must every row its foreign keys name (its whole parent
    chain, and links such as an assessment's criterion), national goals excepted. Checked in
    the database after the inserts, in the import's transaction, with one statement a table."""
    scopes = _scopes(municipality_id)
    for name, ids in inserted.items():
        table = _table(name)
        wrong = [~scopes[name]]
        for key in table.foreign_keys:
            target = key.column.table.name
            if target in scopes and target != "national_goal":
                theirs = select(key.column).where(scopes[target])
                wrong.append(key.parent.is_not(None) & key.parent.not_in(theirs))
        if name == "change_log":
            wrong += _change_log_links(scopes)
        imported = table.c.id == any_(bindparam(f"{name}_ids", ids, type_=ARRAY(table.c.id.type)))
        found = (await connection.scalars(select(table.c.id).where(imported, or_(*wrong)).limit(4))).all()
        if found:
            raise BulkError(
                f"{name} row(s) {_examples(found)} belong to another municipality than {municipality_id} (or refer to "
                "another's rows): an export holds one municipality's rows only. Nothing was imported."
            )


def _change_log_links(scopes: dict[str, ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    """A change-log row names its unit and entity without foreign keys: an imported one must
    not name another municipality's unit, nor add to the history of another's row."""
    log = _table("change_log").c
    units = _table("unit")
    wrong = [log.unit_id.is_not(None) & log.unit_id.not_in(select(units.c.id).where(scopes["unit"]))]
    owned = [name for name in TABLES if name not in ("national_goal", "change_log")]
    known = []
    for model in OWNERSHIP:
        table = model.__table__
        if table.name in owned:
            known.append(model.__name__)
            others = select(table.c.id).where(~scopes[table.name])
            wrong.append((log.entity_type == model.__name__) & log.entity_id.in_(others))
    wrong.append(log.entity_type.not_in(known))
    return wrong


def _decoded(name: str, row: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for column, kind in _kinds(name).items():
        try:
            decoded[column] = _from_json(kind, row[column])
        except KeyError:
            raise ValueError(f"a row has no {column}") from None
        except ValueError as error:
            raise ValueError(f"{column} of row {row.get('id')}: {error}") from None
    return decoded


async def _insert(
    connection: AsyncConnection, name: str, rows: list[dict], result: ImportResult, national_ids: dict
) -> None:
    table = _table(name)
    ids = [row["id"] for row in rows]
    if name == "national_goal":
        present = (
            await connection.execute(
                select(table.c.id, table.c.key).where(table.c.id.in_(ids) | table.c.key.in_([r["key"] for r in rows]))
            )
        ).all()
        present_ids = {id_ for id_, _ in present}
        by_key = {key: id_ for id_, key in present}
        new = []
        for row in rows:
            if row["id"] in present_ids:
                result.national_goals_present += 1
            elif row["key"] in by_key:
                national_ids[row["id"]] = by_key[row["key"]]
                result.national_goals_present += 1
            else:
                new.append(row)
        rows = new
    else:
        clashes = (await connection.scalars(select(table.c.id).where(table.c.id.in_(ids)))).all()
        if clashes:
            raise BulkError(
                f"{len(clashes)} {name} row(s) with the export's ids are in this database already: {_examples(clashes)}."
            )
    if name == "goal":
        for row in rows:
            row["national_goal_id"] = national_ids.get(row["national_goal_id"], row["national_goal_id"])
    if name == "unit":
        numbers = [row["org_number"] for row in rows if row["org_number"]]
        taken = (await connection.scalars(select(table.c.org_number).where(table.c.org_number.in_(numbers)))).all()
        if taken:
            raise BulkError(f"Units with organisation numbers {_examples(taken)} are in this database already.")
    if rows:
        try:
            await connection.execute(insert(table), rows)
        except DBAPIError as error:
            detail = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
            raise BulkError(f"The database refused a {name} row: {detail}") from None
    result.rows[name] = result.rows.get(name, 0) + len(rows)


async def import_directory(
    connection: AsyncConnection,
    directory: Path,
    *,
    manifest: dict[str, Any] | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], Any] | None = None,
) -> ImportResult:
    """Import an export directory (see `import_chunks`: run it in one transaction)."""
    manifest = manifest if manifest is not None else read_manifest(directory)
    chunks = read_chunks(directory, manifest, chunk_size=chunk_size)
    return await import_chunks(connection, manifest, chunks, progress=progress)
