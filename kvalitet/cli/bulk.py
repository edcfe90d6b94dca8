"""`kvalitet export` and `kvalitet import`: the bulk commands (the work is `kvalitet.bulk`'s)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from kvalitet.bulk import (
    TABLES,
    BulkError,
    ExportFormat,
    check_out_dir,
    export_counts,
    export_to_directory,
    import_directory,
    read_manifest,
)
from kvalitet.bulk.codec import table_of
from kvalitet.cli.support import database_url, settings_with, with_database
from kvalitet.infra.log import configure_logging

# Shorter runs finish before a bar would tell anything.
PROGRESS_MIN_ROWS = 2000


def _progressbar(total: int, label: str):
    # On standard error, so the summary on standard output stays clean to read or save.
    return typer.progressbar(length=total, label=label, file=sys.stderr, hidden=total < PROGRESS_MIN_ROWS)


def _run(work):
    """Run `work(database)` against the configured database; a BulkError exits with 1."""
    settings = settings_with()
    configure_logging("warning", settings.log_json)
    url, server = database_url(settings)  # `server` keeps an embedded database running
    try:
        return asyncio.run(with_database(url, work))
    except BulkError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None


def export_command(
    municipality: Annotated[str, typer.Option(help="The municipality's number (kommunenummer), e.g. 5501.")],
    out: Annotated[Path, typer.Option(help="The directory to write (new or empty).", file_okay=False)],
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="One JSON or CSV file per table; excel: CSV as Norwegian Excel opens it (UTF-8 with BOM, "
            "semicolons, decimal commas).",
        ),
    ] = ExportFormat.json,
) -> None:
    """Export a municipality's data: one file per table and a manifest.

    API keys and webhook subscriptions are left out (they hold secrets), as are outbox events, webhook deliveries and idempotency records.
    """

    async def work(database):
        async with database.engine.connect() as connection:
            # One snapshot for every query of the export.
            connection = await connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            async with connection.begin():
                table = table_of("municipality")
                municipality_id = await connection.scalar(select(table.c.id).where(table.c.number == municipality))
                if municipality_id is None:
                    raise BulkError(f"No municipality {municipality}.")
                check_out_dir(out)
                counts = await export_counts(connection, municipality_id)
                with _progressbar(sum(counts.values()), f"Exporting {municipality}") as bar:
                    return await export_to_directory(connection, municipality_id, out, fmt, progress=bar.update)

    manifest = _run(work)
    total = sum(entry["rows"] for entry in manifest["tables"])
    typer.echo(f"Exported municipality {municipality}: {total} rows ({fmt.value}) to {out}")
    for entry in manifest["tables"]:
        typer.echo(f"  {entry['name'] + ':':<20} {entry['rows']}")


def import_command(
    directory: Annotated[
        Path, typer.Argument(help="A directory `kvalitet export` wrote.", exists=True, file_okay=False, metavar="DIR")
    ],
) -> None:
    """Import a municipality's export, keeping every id, timestamp and version.

    All in one transaction: refused, with nothing written, if the municipality or any of its rows is in the database already.
    """

    async def work(database):
        manifest = read_manifest(directory)
        total = sum(entry["rows"] for entry in manifest["tables"])
        async with database.engine.begin() as connection:
            with _progressbar(total, f"Importing {manifest['municipality_number']}") as bar:
                return await import_directory(connection, directory, manifest=manifest, progress=bar.update)

    result = _run(work)
    typer.echo(f"Imported municipality {result.municipality_number} ({result.municipality_name}): {result.total} rows")
    for name in TABLES:
        typer.echo(f"  {name + ':':<20} {result.rows.get(name, 0)}")
    if result.national_goals_present:
        typer.echo(f"  ({result.national_goals_present} national goals were in the database already and are used)")


def register(app) -> None:
    """Add `kvalitet export` and `kvalitet import`."""
    app.command("export")(export_command)
    app.command("import")(import_command)
