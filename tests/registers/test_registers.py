"""Importing units from the national registers (NSR schools, NBR kindergartens).

The sample files in fixtures/registers are shaped like the registers' API responses (NSR's
paged /v3/enheter object, NBR's plain list) with invented units and mod-11-valid numbers.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from kvalitet import registers
from kvalitet.cli import app
from kvalitet.cli.support import as_system
from kvalitet.db import Database
from kvalitet.infra.settings import Settings
from kvalitet.models import ChangeLog, Municipality, Unit
from kvalitet.registers import RegisterFileError, entries_of, import_units, parse_entries, parse_files
from kvalitet.services.municipalities import create_municipality
from kvalitet.services.units import UnitChanges, archive_unit, create_unit
from tests.support.paths import FIXTURES

SAMPLES = FIXTURES / "registers"
NSR = SAMPLES / "nsr_enheter.json"
NBR = SAMPLES / "nbr_enheter.json"
NSR_CHANGED = SAMPLES / "nsr_enheter_endret.json"

# What the two sample files give when Tromsø and Vestvågøy are in the database.
CREATED = {
    "991100016": ("Nordlys skole", "school", "municipal", "5501"),
    "991100024": ("Fjellheisen montessoriskole", "school", "private", "5501"),
    "991100032": ("Lofothavet skole", "school", "municipal", "1860"),
    "991100083": ("Solsiden barnehage", "kindergarten", "municipal", "5501"),
    "991100091": ("Trollskogen FUS barnehage", "kindergarten", "private", "5501"),
    "991100105": ("Tindeglimt barnehage", "kindergarten", "municipal", "1860"),
}
SKIPPED = {
    "991100017": registers.INVALID_ORG_NUMBER,
    "991100122": registers.INVALID_ORG_NUMBER,
    "991100059": registers.UNKNOWN_MUNICIPALITY,  # Bergen
    "991100121": registers.UNKNOWN_MUNICIPALITY,  # Bodø
    "991100040": registers.INACTIVE,
    "991100113": registers.INACTIVE,
    "991100067": registers.NOT_OURS,  # upper secondary
    "991100075": registers.NOT_OURS,  # a school owner
}

runner = CliRunner()


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(database_url=database_url, _env_file=None)


async def _as_cli(database, settings, work):
    """As the CLI runs work: the system, in one transaction."""
    return await as_system(database, settings, work)


async def _add_municipalities(database, settings) -> None:
    async def work(ctx):
        await create_municipality(ctx, "5501", "Tromsø", None)
        await create_municipality(ctx, "1860", "Vestvågøy", None)

    await _as_cli(database, settings, work)


@pytest.fixture
async def municipalities(database, settings):
    await _add_municipalities(database, settings)


async def _import(database, settings, *files: Path, dry_run: bool = False):
    parsed = parse_files(files)
    return await _as_cli(database, settings, lambda ctx: import_units(ctx, parsed, dry_run=dry_run))


async def _units(database) -> dict[str, tuple]:
    async with database.session() as session:
        rows = await session.execute(
            select(Unit, Municipality.number).join(Municipality, Unit.municipality_id == Municipality.id)
        )
        return {
            unit.org_number: (unit.name, unit.kind, unit.ownership, number, unit.archived_at is not None)
            for unit, number in rows
        }


async def _change_log(database) -> list[tuple]:
    async with database.session() as session:
        rows = await session.execute(select(ChangeLog.entity_type, ChangeLog.action, ChangeLog.actor))
        return [tuple(row) for row in rows]


def _reasons(plan) -> dict[str | None, str]:
    return {rejected.org_number: rejected.reason for rejected in plan.rejected}


# -- parsing ----------------------------------------------------------------------------------


def test_both_response_shapes_and_the_api_versions_spellings_are_read():
    v1 = {
        "OrgNr": "991100016",
        "Navn": "A skole",
        "KommuneNr": "5501",
        "ErAktiv": True,
        "ErSkole": True,
        "ErGrunnSkole": True,
        "ErPrivatSkole": True,
        "ErOffentligSkole": False,
    }
    v4 = {
        "Organisasjonsnummer": "991100024",
        "Navn": " B  skole ",
        "Kommune": {"Kommunenummer": "1860"},
        "ErAktiv": True,
        "ErSkole": True,
        "ErGrunnskole": True,
        "ErOffentligSkole": True,
    }
    assert entries_of([v1]) == [v1]
    assert entries_of({"Enheter": [v1], "AntallSider": 1}) == [v1]
    assert entries_of({"EnhetListe": [v4], "TotaltAntallEnheter": 1}) == [v4]
    parsed = parse_entries([v1, v4])
    assert parsed.rejected == []
    assert [(u.org_number, u.name, u.municipality_number, u.kind, u.ownership) for u in parsed.units] == [
        ("991100016", "A skole", "5501", "school", "private"),
        ("991100024", "B  skole", "1860", "school", "municipal"),
    ]


def test_the_sample_files_parse_into_units_and_reasons():
    parsed = parse_files([NSR, NBR])
    assert {u.org_number for u in parsed.units} == set(CREATED) | {"991100059", "991100121", "991100040", "991100113"}
    assert {r.org_number: r.reason for r in parsed.rejected} == {
        org: reason for org, reason in SKIPPED.items() if reason in (registers.INVALID_ORG_NUMBER, registers.NOT_OURS)
    }
    # An inactive entry still parses: it may close a unit that is here.
    assert {u.org_number for u in parsed.units if not u.active} == {"991100040", "991100113"}


def test_unfit_entries_are_rejected_with_a_reason():
    good = {
        "Orgnr": "991100016",
        "Navn": "Nordlys skole",
        "KommuneNr": "5501",
        "ErAktiv": True,
        "ErSkole": True,
        "ErGrunnskole": True,
        "ErOffentligSkole": True,
    }
    entries = [
        good,
        {**good, "Navn": "Nordlys skole igjen"},  # the same number again
        {**good, "Orgnr": "12345678"},
        {**good, "Orgnr": None},
        {**good, "Orgnr": "991100024", "ErOffentligSkole": False},  # neither public nor private
        {**good, "Orgnr": "991100032", "KommuneNr": "55"},
        {**good, "Orgnr": "991100059", "Navn": "  "},
        {**good, "Orgnr": "991100067", "ErBarnehage": True},  # both kinds
        "not an object",
    ]
    parsed = parse_entries(entries)
    assert [u.name for u in parsed.units] == ["Nordlys skole"]
    assert [(r.org_number, r.reason) for r in parsed.rejected] == [
        ("991100016", registers.DUPLICATE),
        ("12345678", registers.INVALID_ORG_NUMBER),
        (None, registers.INVALID_ORG_NUMBER),
        ("991100024", registers.INVALID_ENTRY),
        ("991100032", registers.INVALID_ENTRY),
        ("991100059", registers.INVALID_ENTRY),
        ("991100067", registers.INVALID_ENTRY),
        (None, registers.INVALID_ENTRY),
    ]


def test_a_file_that_is_not_a_register_response_is_refused(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json", encoding="utf-8")
    with pytest.raises(RegisterFileError, match="not a readable JSON file"):
        parse_files([broken])
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"units": []}), encoding="utf-8")
    with pytest.raises(RegisterFileError, match="Enheter"):
        parse_files([other])


# -- importing --------------------------------------------------------------------------------


async def test_an_import_creates_the_units_with_kinds_and_ownership(database, settings, municipalities):
    plan = await _import(database, settings, NSR, NBR)
    units = await _units(database)
    assert units == {org: (*values, False) for org, values in CREATED.items()}
    assert {a.unit.org_number for a in plan.of(registers.CREATE)} == set(CREATED)
    log = await _change_log(database)
    created = [row for row in log if row[0] == "Unit"]
    assert created == [("Unit", "create", "system:cli")] * len(CREATED)


async def test_invalid_numbers_and_unknown_municipalities_are_reported_and_skipped(database, settings, municipalities):
    plan = await _import(database, settings, NSR, NBR)
    assert _reasons(plan) == SKIPPED
    assert not set(SKIPPED) & set(await _units(database))
    details = {r.org_number: r.detail for r in plan.rejected}
    assert details["991100017"] == "«991100017» is not a valid organisation number"
    assert details["991100059"] == "municipality 4601"


async def test_a_second_import_of_the_same_files_changes_nothing(database, settings, municipalities):
    await _import(database, settings, NSR, NBR)
    units, log = await _units(database), await _change_log(database)
    plan = await _import(database, settings, NSR, NBR)
    assert plan.writes == []
    assert len(plan.of(registers.UNCHANGED)) == len(CREATED)
    assert await _units(database) == units
    assert await _change_log(database) == log


async def test_a_changed_file_updates_and_archives_and_never_deletes(database, settings, municipalities):
    await _import(database, settings, NSR, NBR)
    plan = await _import(database, settings, NSR_CHANGED)
    assert [(a.unit.org_number, a.changes) for a in plan.of(registers.UPDATE)] == [
        ("991100016", {"name": ("Nordlys skole", "Nordlys barne- og ungdomsskole")})
    ]
    assert [a.unit.org_number for a in plan.of(registers.ARCHIVE)] == ["991100032"]
    assert [a.unit.org_number for a in plan.of(registers.UNCHANGED)] == ["991100024"]
    units = await _units(database)
    assert set(units) == set(CREATED)  # nothing deleted
    assert units["991100016"] == ("Nordlys barne- og ungdomsskole", "school", "municipal", "5501", False)
    assert units["991100032"] == ("Lofothavet skole", "school", "municipal", "1860", True)
    log = await _change_log(database)
    assert [row for row in log if row[0] == "Unit" and row[1] != "create"] == [("Unit", "update", "system:cli")] * 2
    assert not [row for row in log if row[1] == "delete"]
    # The archived unit stays archived, quietly, on the next import.
    again = await _import(database, settings, NSR_CHANGED)
    assert again.writes == []


async def test_a_dry_run_writes_nothing(database, settings, municipalities):
    log = await _change_log(database)
    plan = await _import(database, settings, NSR, NBR, dry_run=True)
    assert len(plan.of(registers.CREATE)) == len(CREATED)
    assert await _units(database) == {}
    assert await _change_log(database) == log
    text = registers.summary(plan, dry_run=True)
    assert "Dry run: nothing was written." in text and "to create:  6" in text


async def test_units_of_another_kind_or_archived_here_are_left_alone(database, settings, municipalities):
    """An SFO registered with its school's number is not turned into the school, and an
    archived unit the register lists as active is reported rather than changed."""

    async def prepare(ctx):
        tromso = await ctx.session.scalar(select(Municipality.id).where(Municipality.number == "5501"))
        await create_unit(ctx, tromso, UnitChanges(name="Nordlys SFO", kind="sfo", org_number="991100016"))
        closed = await create_unit(
            ctx, tromso, UnitChanges(name="Solsiden barnehage", kind="kindergarten", org_number="991100083")
        )
        await archive_unit(ctx, closed.id, closed.version)

    await _as_cli(database, settings, prepare)
    plan = await _import(database, settings, NSR, NBR)
    assert _reasons(plan)["991100016"] == registers.OTHER_KIND
    assert _reasons(plan)["991100083"] == registers.ARCHIVED_HERE
    units = await _units(database)
    assert units["991100016"] == ("Nordlys SFO", "sfo", "municipal", "5501", False)
    assert units["991100083"][-1] is True


async def test_a_unit_in_another_municipality_here_is_not_moved(database, settings, municipalities):
    async def prepare(ctx):
        vestvagoy = await ctx.session.scalar(select(Municipality.id).where(Municipality.number == "1860"))
        await create_unit(ctx, vestvagoy, UnitChanges(name="Nordlys skole", kind="school", org_number="991100016"))

    await _as_cli(database, settings, prepare)
    plan = await _import(database, settings, NSR)
    assert _reasons(plan)["991100016"] == registers.ELSEWHERE
    assert (await _units(database))["991100016"][3] == "1860"


# -- the command ------------------------------------------------------------------------------


def _run(coroutine_function, database_url):
    """Run database work outside the test's event loop (the CLI runs its own)."""

    async def main():
        database = Database(database_url, pool_size=1)
        try:
            return await coroutine_function(database)
        finally:
            await database.dispose()

    return asyncio.run(main())


@pytest.fixture
def cli_database(monkeypatch, database_url):
    monkeypatch.setenv("KVALITET_DATABASE_URL", database_url)
    settings = Settings(database_url=database_url, _env_file=None)
    _run(lambda database: _add_municipalities(database, settings), database_url)
    return database_url


def test_the_command_imports_reports_and_dry_runs(cli_database):
    result = runner.invoke(app, ["units", "import", "--dry-run", str(NSR), str(NBR)])
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was written." in result.output
    assert "991100016  Nordlys skole (school, municipal, municipality 5501)" in result.output
    assert _run(_units, cli_database) == {}

    result = runner.invoke(app, ["units", "import", str(NSR), str(NBR)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for count in ("created:    6", "updated:    0", "archived:   0", "unchanged:  0", "skipped:    8"):
        assert f"  {count}" in lines
    assert "Skipped, invalid organisation number (2):" in lines
    assert "  991100017  Feilnummer skole: «991100017» is not a valid organisation number" in lines
    assert "Skipped, municipality not in the database (2):" in lines
    assert set(_run(_units, cli_database)) == set(CREATED)

    result = runner.invoke(app, ["units", "import", str(NSR_CHANGED)])
    assert result.exit_code == 0, result.output
    assert (
        "  991100016  Nordlys barne- og ungdomsskole: name «Nordlys skole» → «Nordlys barne- og ungdomsskole»"
        in result.output
    )
    assert "Archived:\n  991100032  Lofothavet skole" in result.output
    assert _run(_units, cli_database)["991100032"][-1] is True


def test_the_command_refuses_a_file_that_is_not_a_register_response(cli_database, tmp_path):
    broken = tmp_path / "enheter.json"
    broken.write_text("<html>", encoding="utf-8")
    result = runner.invoke(app, ["units", "import", str(broken)])
    assert result.exit_code == 1
    assert "not a readable JSON file" in result.output


def _org_number(serial: int) -> str:
    """An invented, valid organisation number (the mod-11 check digit computed; serials whose
    check digit would be 10 are never issued, so the next is taken)."""
    while True:
        digits = f"9920{serial:04d}"
        remainder = sum(int(d) * w for d, w in zip(digits, (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        check = 0 if remainder == 0 else 11 - remainder
        if check != 10:
            return digits + str(check)
        serial += 1000


def test_a_long_file_shows_progress_and_shortens_the_skipped_lists(cli_database, tmp_path):
    def school(serial: int, municipality: str) -> dict:
        return {
            "Orgnr": _org_number(serial),
            "Navn": f"Skole {serial}",
            "KommuneNr": municipality,
            "ErAktiv": True,
            "ErSkole": True,
            "ErGrunnskole": True,
            "ErOffentligSkole": True,
            "ErPrivatskole": False,
        }

    entries = [school(n, "5501") for n in range(60)] + [school(n, "0301") for n in range(100, 112)]
    long_file = tmp_path / "nsr.json"
    long_file.write_text(json.dumps({"Enheter": entries}), encoding="utf-8")
    result = runner.invoke(app, ["units", "import", str(long_file)])
    assert result.exit_code == 0, result.output
    assert "Importing units" in result.output
    assert "  created:    60" in result.output.splitlines()
    assert "Skipped, municipality not in the database (12):" in result.output
    assert "  … and 2 more (--verbose lists them all)" in result.output
    verbose = runner.invoke(app, ["units", "import", "--verbose", str(long_file)])
    assert "  unchanged:  60" in verbose.output.splitlines() and "more (--verbose" not in verbose.output
