"""`kvalitet units import`: units from the national registers (the work is `kvalitet.registers`')."""

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


def register(units_app) -> None:
    """Add the register commands to `kvalitet units`."""
    units_app.command("import")(import_command)
