"""Importing an export: the rows inserted as they were, in one transaction, refused when any is
not the municipality's."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from kvalitet.bulk.codec import (
    CHUNK_SIZE,
    TABLES,
    BulkError,
    Chunk,
    column_kinds,
    examples,
    from_json,
    has_own_ids,
    schema_revision,
    table_of,
    tree_order,
)
from kvalitet.bulk.manifest import read_chunks, read_manifest
from kvalitet.bulk.scope import refuse_rows_of_others


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
    (`refuse_rows_of_others`): an export's files are the caller's input, not to be trusted.

    The rows are written with SQLAlchemy Core, not the ORM: the ORM's unit of work would set
    its own version and timestamps, and its audit hook would log every row as created now by
    the importer, where the imported change log already tells the rows' real history.
    """
    revision = await schema_revision(connection)
    if revision is None:
        raise BulkError("The database is not migrated: run `kvalitet db upgrade` first.")
    if revision != manifest.get("schema_revision"):
        raise BulkError(
            f"The export is of schema revision {manifest.get('schema_revision')}, the database is at {revision}: "
            "import into a database at the export's revision (then upgrade it)."
        )
    municipality = table_of("municipality")
    number = manifest.get("municipality_number")
    existing = await connection.scalar(select(municipality.c.name).where(municipality.c.number == number))
    if existing is not None:
        raise BulkError(f"Municipality {number} ({existing}) is in this database already.")

    # A number that is no text matches no municipality row, and the import is refused below.
    result = ImportResult(municipality_number=str(number))
    national_ids: dict[uuid.UUID, uuid.UUID] = {}  # the export's id → the database's, where they differ
    pending_areas: list[dict] = []
    order = iter(TABLES)
    current = None

    inserted: dict[str, list[uuid.UUID]] = defaultdict(list)

    async def insert_rows(name: str, rows: list[dict]) -> None:
        if rows:
            ids = await _insert(connection, name, rows, result, national_ids)
            if name != "national_goal":  # a shared catalogue, nobody's own
                inserted[name] += ids

    for chunk in chunks:
        if chunk.table != current:
            if current is None and chunk.table != "municipality":
                raise BulkError("The export holds no municipality.")
            # Tables come in order, each table's rows together (`in` consumes the iterator).
            if chunk.table not in order:
                raise BulkError(f"The rows of {chunk.table} come out of order or twice.")
            if current == "area":
                await insert_rows("area", tree_order(pending_areas))
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
        await insert_rows("area", tree_order(pending_areas))
    if not result.municipality_name:
        raise BulkError("The export holds no municipality.")
    await refuse_rows_of_others(connection, inserted["municipality"][0], inserted)
    if result.rows.get("change_log"):
        # The identity sequence continues after the imported ids (and never goes back).
        await connection.execute(
            text(
                "SELECT setval(sequence, GREATEST((SELECT max(id) FROM change_log), pg_sequence_last_value(sequence))) "
                "FROM CAST(pg_get_serial_sequence('change_log', 'id') AS regclass) AS sequence"
            )
        )
    return result


def _decoded(name: str, row: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for column, kind in column_kinds(name).items():
        try:
            decoded[column] = from_json(kind, row[column])
        except KeyError:
            raise ValueError(f"a row has no {column}") from None
        except ValueError as error:
            raise ValueError(f"{column} of row {row.get('id')}: {error}") from None
    return decoded


async def _insert(
    connection: AsyncConnection, name: str, rows: list[dict], result: ImportResult, national_ids: dict
) -> list:
    """Insert the rows; returns their ids (those the database gave, for a table whose ids are
    its own: `has_own_ids`)."""
    table = table_of(name)
    if not has_own_ids(name):
        try:
            given = (await connection.scalars(insert(table).returning(table.c.id), rows)).all()
        except DBAPIError as error:
            raise BulkError(f"The database refused a {name} row: {_first_line(error)}") from None
        result.rows[name] = result.rows.get(name, 0) + len(rows)
        return list(given)
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
                f"{len(clashes)} {name} row(s) with the export's ids are in this database already: {examples(clashes)}."
            )
    if name == "goal":
        for row in rows:
            row["national_goal_id"] = national_ids.get(row["national_goal_id"], row["national_goal_id"])
    if name == "unit":
        numbers = [row["org_number"] for row in rows if row["org_number"]]
        taken = (await connection.scalars(select(table.c.org_number).where(table.c.org_number.in_(numbers)))).all()
        if taken:
            raise BulkError(f"Units with organisation numbers {examples(taken)} are in this database already.")
    if rows:
        try:
            await connection.execute(insert(table), rows)
        except DBAPIError as error:
            raise BulkError(f"The database refused a {name} row: {_first_line(error)}") from None
    result.rows[name] = result.rows.get(name, 0) + len(rows)
    return ids


def _first_line(error: DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)


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
