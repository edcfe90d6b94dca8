"""`kvalitet units import` and `kvalitet units sync`: units from the national registers (the
work is `kvalitet.registers`')."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kvalitet.cli.support import run_service
from kvalitet.registers import Action, RegisterFileError, import_units, parse_files, summary


def _progressbar(actions: list[Action]):
    # On standard error, so the summary on standard output stays clean to read or save.
    return typer.progressbar(actions, label="Importing units", file=sys.stderr, hidden=len(actions) < 50)


def import_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="NSR or NBR API responses (JSON) saved to files.", metavar="FILE…", exists=True, dir_okay=False
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change, and change nothing.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="List every skipped entry.")] = False,
) -> None:
    """Import kindergartens (NBR) and schools (NSR) from the national registers' API responses.

    Units are matched on organisation number: new ones are created, changed ones updated, inactive ones archived.

    All in one transaction; entries that cannot be imported are reported and skipped.
    """
    try:
        parsed = parse_files(files)
    except RegisterFileError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    plan = run_service(lambda service: import_units(service, parsed, dry_run=dry_run, progress=_progressbar))
    typer.echo(summary(plan, dry_run=dry_run, verbose=verbose))


def sync_command(
    municipality: Annotated[
        list[str] | None,
        typer.Option(
            "--municipality",
            "-m",
            help="A municipality's number (repeat for more); without it, those of KVALITET_REGISTER_SYNC.",
        ),
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Read every unit in full, not only what changed.")] = False,
) -> None:
    """Sync kindergartens (NBR) and schools (NSR) with the registers' open APIs.

    The first sync reads every unit; later ones read in full only what changed since the last.
    Units are matched on organisation number, as `kvalitet units import` does.
    """
    import asyncio

    from kvalitet.cli.support import database_url, settings_with, with_database
    from kvalitet.infra.log import configure_logging
    from kvalitet.models.enums import RefreshOutcome
    from kvalitet.plugins import Profiles, new_plugin_manager
    from kvalitet.registers.sync import SyncError, sync_municipality

    settings = settings_with()
    configure_logging("warning", settings.log_json)
    numbers = municipality or settings.register_sync
    if not numbers:
        typer.echo("Name a municipality (--municipality 5501), or set KVALITET_REGISTER_SYNC.", err=True)
        raise typer.Exit(2)
    profiles = Profiles(new_plugin_manager(data_dirs=settings.profile_dirs))
    url, _ = database_url(settings)

    async def work(database):
        return {n: await sync_municipality(database, settings, profiles, n, full=full) for n in numbers}

    try:
        done = asyncio.run(with_database(url, work))
    except SyncError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    failed = False
    for number, outcomes in done.items():
        if outcomes is None:
            typer.echo(f"{number}: another process is syncing it now")
            continue
        for outcome in outcomes:
            line = f"{number} {outcome.register.value.upper()}: {outcome.outcome.value}, {outcome.listed} listed, {outcome.fetched} read in full"
            typer.echo(line + (f" ({outcome.message})" if outcome.message else ""))
            if outcome.plan is not None and outcome.plan.writes:
                typer.echo(summary(outcome.plan, dry_run=False, verbose=False))
            failed = failed or outcome.outcome == RefreshOutcome.FAILED
    if failed:
        raise typer.Exit(1)


def register(units_app) -> None:
    """Add the register commands to `kvalitet units`."""
    units_app.command("import")(import_command)
    units_app.command("sync")(sync_command)
