"""`kvalitet indicators`: the indicator catalogue, and imports of Udir's statistics (the work is
`kvalitet.indicators`')."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from kvalitet.cli.support import database_url, settings_with, with_database
from kvalitet.indicators import catalogue
from kvalitet.indicators.imports import IndicatorImportError, fetch, import_extract, read_files, summary
from kvalitet.indicators.udir import ClientOptions
from kvalitet.infra.log import configure_logging

indicators_app = typer.Typer(help="Indicators: Udir's statistics and their imports.", no_args_is_help=True)


@indicators_app.command("list")
def list_command() -> None:
    """The national indicator catalogue: code, table, measure and name."""
    for definition in catalogue.national().values():
        typer.echo(f"{definition.code}\t{definition.origin.table}\t{definition.measure.value}\t{definition.names.nb}")


@indicators_app.command("import")
def import_command(
    table: Annotated[str, typer.Argument(help="The table, as `kvalitet indicators list` names it (eksport:148).")],
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files saved from the statistics portal (for rapportering: and file: tables).",
            metavar="[FILE…]",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    filter: Annotated[
        str | None, typer.Option("--filter", help="The export API's filter, e.g. TidID(202412)_EnhetNivaa(3).")
    ] = None,
    base_url: Annotated[str | None, typer.Option(help="The export API (default: KVALITET_UDIR_BASE_URL).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and compare, and write nothing.")] = False,
) -> None:
    """Import an indicator table: from Udir's export API (eksport: tables, with --filter) or from
    files (rapportering: and file: tables).

    Everything is read and checked first; an answer in an unknown shape stops the import and
    the data already here stays as it was. The same data imported again writes nothing.
    """
    settings = settings_with(udir_base_url=base_url)
    configure_logging("warning", settings.log_json)
    try:
        if files:
            if filter:
                raise IndicatorImportError("give files or --filter, not both")
            definitions, extract = read_files(table, files)
            detail, source = ",".join(sorted(path.name for path in files)), "file"
        else:
            options = ClientOptions.from_settings(settings)
            with typer.progressbar(length=1, label=f"Reading {table}", file=sys.stderr) as bar:

                def progress(done: int, total: int) -> None:
                    bar.length = total
                    bar.update(1)

                definitions, extract = asyncio.run(fetch(table, filter or "", options, progress))
            detail, source = filter or "", settings.udir_base_url
    except IndicatorImportError as error:
        typer.echo(f"Import stopped, nothing written: {error}", err=True)
        raise typer.Exit(1) from None

    async def write(database):
        async with database.session() as session, session.begin():
            return await import_extract(
                session,
                table,
                definitions,
                extract,
                scope_detail=detail,
                source=source,
                filter=filter,
                actor="system:cli",
                dry_run=dry_run,
            )

    url, _server = database_url(settings)
    result = asyncio.run(with_database(url, write))
    typer.echo(summary(table, result))


@indicators_app.command("refresh")
def refresh_command(
    force: Annotated[bool, typer.Option("--force", help="Fetch every table now, due or not.")] = False,
) -> None:
    """Refresh the tables of KVALITET_INDICATOR_REFRESH that are due (as the worker does on its
    schedule), and say how each went. Exit code 1 when one failed."""
    from kvalitet.indicators.refresh import last_checks, refresh_due

    settings = settings_with()
    configure_logging("warning", settings.log_json)
    if not settings.indicator_refresh:
        typer.echo("No table to refresh: KVALITET_INDICATOR_REFRESH is empty.")
        return

    async def work(database):
        outcomes = await refresh_due(database, settings, force=force)
        return outcomes, await last_checks(database, [job.scope for job in settings.indicator_refresh])

    url, _server = database_url(settings)
    outcomes, checks = asyncio.run(with_database(url, work))
    for outcome in outcomes:
        name = f"{outcome.job.table} {outcome.job.filter}"
        if outcome.outcome is None:
            last = checks.get(outcome.job.scope)
            when = f"last checked {last.checked_at:%Y-%m-%d %H:%M} ({last.outcome})" if last else "being refreshed"
            typer.echo(f"{name}: not due, {when}")
        elif outcome.message:
            typer.echo(f"{name}: failed, nothing written: {outcome.message}")
        else:
            typer.echo(f"{name}: {outcome.outcome} ({outcome.figures} figures)")
    if any(outcome.message for outcome in outcomes):
        raise typer.Exit(1)


def register(app) -> None:
    app.add_typer(indicators_app, name="indicators")
