"""Reading an export's directory: its manifest, each file's checksum, and the rows as chunks."""

from __future__ import annotations

import csv
import functools
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kvalitet.bulk.codec import (
    CHUNK_SIZE,
    FORMAT_VERSION,
    MANIFEST,
    TABLES,
    BulkError,
    Chunk,
    CsvDialect,
    ExportFormat,
    column_kinds,
    columns,
    from_cell,
)


def file_sha256(path: Path) -> str:
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
        raise BulkError(f"{path}: unknown format {manifest.get('format')!r} (json, csv or excel).")
    tables = manifest.get("tables")
    if (
        not isinstance(tables, list)
        or not all(isinstance(entry, dict) for entry in tables)
        or [entry.get("name") for entry in tables] != list(TABLES)
    ):
        raise BulkError(f"{path}: the tables listed are not the ones this version exports ({', '.join(TABLES)}).")
    for entry in tables:
        file = directory / str(entry.get("file"))
        if file.parent != directory or file.name != f"{entry['name']}.{ExportFormat(manifest['format']).suffix}":
            raise BulkError(f"{path}: unexpected file name {entry.get('file')!r}.")
        if not file.is_file():
            raise BulkError(f"{file} is missing.")
        if file_sha256(file) != entry.get("sha256"):
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
        read = _read_json if fmt is ExportFormat.json else functools.partial(_read_csv, dialect=fmt.dialect)
        for rows in read(path, name, expected, chunk_size):
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


def _read_csv(
    path: Path, name: str, expected: list[str], chunk_size: int, *, dialect: CsvDialect
) -> Iterator[list[dict]]:
    kinds = column_kinds(name)
    comma = dialect.decimal_comma
    # A cell may hold a whole published sector report.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    with path.open(encoding=dialect.encoding, newline="") as file:
        reader = csv.reader(file, delimiter=dialect.delimiter)
        header = next(reader, None)
        if header is None or sorted(header) != sorted(expected):
            raise BulkError(f"{path}: the header is not the columns {', '.join(expected)}.")
        rows: list[dict] = []
        for number, record in enumerate(reader, start=2):
            if len(record) != len(header):
                raise BulkError(f"{path}: line {number} has {len(record)} cells, the header {len(header)}.")
            try:
                rows.append(
                    {c: from_cell(kinds[c], cell, decimal_comma=comma) for c, cell in zip(header, record, strict=True)}
                )
            except (ValueError, json.JSONDecodeError) as error:
                raise BulkError(f"{path}: line {number}: {error}") from None
            if len(rows) == chunk_size:
                yield rows
                rows = []
        if rows:
            yield rows
