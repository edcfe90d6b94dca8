"""Exporting a municipality: `stream_export` yields chunks of JSON-ready rows; the CLI writes
them to files (`export_to_directory`), and a GraphQL subscription can send them as they come."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kvalitet.bulk.codec import (
    CHUNK_SIZE,
    FORMAT_VERSION,
    MANIFEST,
    NOT_EXPORTED,
    TABLES,
    BulkError,
    Chunk,
    ExportFormat,
    column_kinds,
    has_own_ids,
    schema_revision,
    table_of,
    to_cell,
    to_json,
    tree_order,
)
from kvalitet.bulk.scope import municipality_scopes, require_municipality

# For the rest of an export's transaction: no parallel plans. PostgreSQL chose a parallel scan of
# every municipality's reports (to spread the lookups of one municipality's assessments over two
# processes) where the municipality's own index reads a third of the blocks. One tenant's export
# should read that tenant's rows, and leave the other cores to the other tenants.
SETTINGS = {"max_parallel_workers_per_gather": "0"}


async def _settle(source: AsyncConnection | AsyncSession) -> None:
    for name, value in SETTINGS.items():
        await source.execute(select(func.set_config(name, value, True)))  # (true: for the transaction)


async def export_counts(source: AsyncConnection | AsyncSession, municipality_id: uuid.UUID) -> dict[str, int]:
    """How many rows of each table an export of the municipality holds (for progress)."""
    await _settle(source)
    scopes = municipality_scopes(municipality_id)
    counts: dict[str, int] = {}
    for name in TABLES:
        counted = await source.execute(select(func.count()).select_from(table_of(name)).where(scopes[name]))
        counts[name] = counted.scalar_one()
    return counts


async def stream_export(
    source: AsyncConnection | AsyncSession, municipality_id: uuid.UUID, *, chunk_size: int = CHUNK_SIZE
) -> AsyncIterator[Chunk]:
    """The municipality's rows, table by table in `TABLES` order, at most `chunk_size` rows a
    chunk; tables without rows yield no chunk. Rows come sorted by id, except areas, which come
    in tree order (parents first), so the chunks can be inserted as they come.

    Reads through `source` (a connection or session, in a transaction: the rows come through a
    server-side cursor) with one query a table: for a consistent snapshot, call it inside a
    REPEATABLE READ (read-only) transaction, as the CLI does. Raises BulkError when there is no
    such municipality.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    await require_municipality(source, municipality_id)
    await _settle(source)
    scopes = municipality_scopes(municipality_id)
    for name in TABLES:
        table = table_of(name)
        kinds = column_kinds(name)
        # The id orders the pages, exported or not.
        selected = [table.c[c] for c in kinds] + ([] if has_own_ids(name) else [table.c.id])

        def jsonable(row) -> dict[str, Any]:
            return {c: to_json(kind, row[c]) for c, kind in kinds.items()}  # noqa: B023

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
            order = [row["id"] for row in tree_order([dict(row) for row in shape])]
            for start in range(0, len(order), chunk_size):
                ids = order[start : start + chunk_size]
                rows = (await source.execute(select(*selected).where(table.c.id.in_(ids)))).mappings().all()
                by_id = {row["id"]: row for row in rows}
                yield Chunk(name, [jsonable(by_id[id_]) for id_ in ids if id_ in by_id])
            continue
        # One statement a table, read through a server-side cursor a chunk at a time: paging by
        # id instead (`id > last … LIMIT n`) walked the table's primary key past every other
        # municipality's rows for each page, which at national size made an export's time grow
        # with the whole database rather than with the municipality.
        result = await source.stream(select(*selected).where(scopes[name]).order_by(table.c.id))
        async for rows in result.mappings().partitions(chunk_size):
            yield Chunk(name, [jsonable(row) for row in rows])


class _FileWriter:
    """One table's file, written chunk by chunk, hashed as it is written."""

    def __init__(self, path: Path, fmt: ExportFormat, table_name: str):
        self.path = path
        self.fmt = fmt
        self.kinds = column_kinds(table_name)
        self.file = path.open("wb")
        self.sha256 = hashlib.sha256()
        self.rows = 0
        if fmt is not ExportFormat.json:
            self.dialect = fmt.dialect
            if self.dialect.encoding == "utf-8-sig":
                self._put("\ufeff")
            self._csv(list(self.kinds))

    def _put(self, data: str) -> None:
        encoded = data.encode("utf-8")
        self.file.write(encoded)
        self.sha256.update(encoded)

    def _csv(self, *records: list[str]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n", delimiter=self.dialect.delimiter)
        writer.writerows(records)
        self._put(buffer.getvalue())

    def write(self, rows: list[dict[str, Any]]) -> None:
        if self.fmt is not ExportFormat.json:
            comma = self.dialect.decimal_comma
            self._csv(*([to_cell(kind, row[c], decimal_comma=comma) for c, kind in self.kinds.items()] for row in rows))
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


def check_out_dir(out: Path) -> None:
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
    check_out_dir(out)
    await require_municipality(source, municipality_id)
    municipality = table_of("municipality")
    number = await source.scalar(select(municipality.c.number).where(municipality.c.id == municipality_id))
    revision = await schema_revision(source)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Any]] = {}
    writer: _FileWriter | None = None
    try:
        async for chunk in stream_export(source, municipality_id, chunk_size=chunk_size):
            if writer is None or writer.path.stem != chunk.table:
                if writer is not None:
                    files[writer.path.stem] = writer.close()
                writer = _FileWriter(out / f"{chunk.table}.{fmt.suffix}", fmt, chunk.table)
            writer.write(chunk.rows)
            if progress is not None:
                progress(len(chunk.rows))
        if writer is not None:
            files[writer.path.stem] = writer.close()
            writer = None
        for name in TABLES:  # the tables without rows
            if name not in files:
                files[name] = _FileWriter(out / f"{name}.{fmt.suffix}", fmt, name).close()
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
