"""An import from start to end: read (Udir's export API, or files saved from the portal), turn
the rows into figures, then store them in one transaction.

Reading and checking come first and hold no transaction; a changed or broken answer stops the
import there (`ImportError_`), so the last good data stays as it was.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from kvalitet.indicators import catalogue
from kvalitet.indicators.catalogue import IndicatorDefinition
from kvalitet.indicators.rows import Extract, ShapeError, SourceRow, figures_of, flat_rows, pivot_rows
from kvalitet.indicators.store import ImportResult, store
from kvalitet.indicators.udir import ClientOptions, UdirClient, UdirError
from kvalitet.messages import text


class IndicatorImportError(RuntimeError):
    """Why an import stopped; nothing was written."""


def definitions_for(table: str) -> list[IndicatorDefinition]:
    definitions = catalogue.of_table(table)
    if not definitions:
        known = ", ".join(catalogue.tables())
        raise IndicatorImportError(f"no indicator of the catalogue comes from «{table}» (known tables: {known})")
    return definitions


async def fetch(
    table: str, filter: str, options: ClientOptions, progress: Callable[[int, int], None] | None = None
) -> tuple[list[IndicatorDefinition], Extract]:
    """Read an export-API table for `filter` and turn it into figures (no database)."""
    definitions = definitions_for(table)
    kind, name = table.split(":", 1)
    if kind != "eksport":
        raise IndicatorImportError(f"«{table}» is read from files, not from the export API")
    if not filter.strip():
        raise IndicatorImportError("the export API needs a filter, e.g. TidID(202412)")
    try:
        async with UdirClient(options) as client:
            pages = await client.table(name, filter, progress)
        rows = (row for page in pages for row in flat_rows(page.rows, f"{table}/{page.number}"))
        return definitions, figures_of(rows, definitions)
    except (UdirError, ShapeError) as error:
        raise IndicatorImportError(str(error)) from None


def read_files(table: str, paths: list[Path]) -> tuple[list[IndicatorDefinition], Extract]:
    """Read saved answers or downloaded files of `table` and turn them into figures."""
    definitions = definitions_for(table)
    kind = table.split(":", 1)[0]
    if kind not in ("rapportering", "file"):
        raise IndicatorImportError(f"«{table}» is read from the export API (give --filter, not files)")
    pivot = definitions[0].origin.pivot

    def rows() -> Iterator[SourceRow]:
        for path in paths:
            yield from source_rows(path.name, path.read_bytes(), pivot if kind == "rapportering" else None)

    try:
        return definitions, figures_of(rows(), definitions)
    except ShapeError as error:
        raise IndicatorImportError(str(error)) from None


def source_rows(name: str, content: bytes, pivot: tuple[str, ...] | None) -> Iterator[SourceRow]:
    """A file's rows: JSON (the export API's list of rows, or a reporting-API pivot when `pivot`
    is given), or CSV with a header row (semicolon- or comma-separated, UTF-8 with or without BOM)."""
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ShapeError(text("indicator_file.not_utf8", where=name)) from None
    if decoded.lstrip().startswith(("[", "{")):
        try:
            body = json.loads(decoded)
        except json.JSONDecodeError as error:
            raise ShapeError(text("indicator_file.not_json", where=f"{name}:{error.lineno}")) from None
        if pivot is not None:
            yield from pivot_rows(body, pivot, name)
        else:
            yield from flat_rows(body, name)
        return
    if pivot is not None:
        raise ShapeError(text("indicator_file.pivot", where=name))
    header = decoded.split("\n", 1)[0]
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    reader = csv.DictReader(io.StringIO(decoded, newline=""), delimiter=delimiter)
    if not reader.fieldnames or len(reader.fieldnames) < 2:
        raise ShapeError(text("indicator_file.no_header", where=name))
    rows = []
    for line, record in enumerate(reader, start=2):
        if None in record or any(value is None for value in record.values()):
            raise ShapeError(text("indicator_file.columns", where=f"{name}:{line}", count=len(reader.fieldnames)))
        rows.append(record)
    yield from flat_rows(rows, name, offset=1)


def scope_of(table: str, detail: str) -> str:
    """What a later import of the same thing replaces: the table, and its filter or file names."""
    return f"{table}|{detail}"


async def import_extract(
    session: AsyncSession,
    table: str,
    definitions: list[IndicatorDefinition],
    extract: Extract,
    *,
    scope_detail: str,
    source: str,
    filter: str | None = None,
    actor: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    return await store(
        session,
        extract,
        definitions,
        source=source,
        scope=scope_of(table, scope_detail),
        filter=filter,
        actor=actor,
        dry_run=dry_run,
    )


def summary(table: str, result: ImportResult) -> str:
    """What an import did, for a person at a terminal."""
    if result.unchanged:
        return f"{table}: the same data as the last import of {result.scope}; nothing written."
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(result.statuses.items()))
    verb = "would be" if result.dry_run else "were"
    return (
        f"{table}: {result.rows_read} rows read, {result.rows_skipped} not in the catalogue; "
        f"{result.figures} figures ({statuses or 'none'}). "
        f"Compared with the last import: {result.added} new, {result.changed} changed, "
        f"{result.removed} removed {verb} written." + (" (dry run: nothing written)" if result.dry_run else "")
    )
