"""Live sync with the registers' open APIs (kvalitet.registers.sync), through the real client
against a local server in the registers' shapes (tests/support/registers.py): the first sync
reads every unit, a later one only what changed; a unit still listed under the municipality's
former number is its own; a register that cannot be read changes nothing and is tried again;
one municipality's sync never writes another's units."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from kvalitet.cli import app
from kvalitet.cli.support import as_system
from kvalitet.infra.settings import Settings
from kvalitet.models import ChangeLog, Municipality, RegisterSync, Unit
from kvalitet.models.enums import RefreshOutcome, Register
from kvalitet.plugins import Profiles, new_plugin_manager
from kvalitet.registers.sync import sync_due, sync_municipality
from kvalitet.services.municipalities import create_municipality
from tests.support.registers import registers_app
from tests.support.serving import serving

SCHOOL = {"ErAktiv": True, "ErSkole": True, "ErGrunnskole": True, "ErOffentligSkole": True, "ErPrivatskole": False}
KINDERGARTEN = {"ErAktiv": True, "ErBarnehage": True, "ErOffentligBarnehage": True, "ErPrivatBarnehage": False}

UNITS = {
    "nsr": {
        "991100016": {"Orgnr": "991100016", "Navn": "Nordlys skole", "KommuneNr": "5501", **SCHOOL,
                      "DatoEndret": "2025-08-12T03:14:07"},
        # Still under Tromsø's number before the county reform (the profile lists 5401 as former).
        "991100024": {"Orgnr": "991100024", "Navn": "Fjellheisen skole", "KommuneNr": "5401", **SCHOOL,
                      "DatoEndret": "2024-01-03T10:00:00"},
        "991100067": {"Orgnr": "991100067", "Navn": "Tromsø videregående", "KommuneNr": "5501", "ErAktiv": True,
                      "ErSkole": True, "ErGrunnskole": False, "ErVideregaaendeSkole": True, "ErOffentligSkole": True,
                      "DatoEndret": "2025-02-01T08:00:00"},
        "991100032": {"Orgnr": "991100032", "Navn": "Lofothavet skole", "KommuneNr": "1860", **SCHOOL,
                      "DatoEndret": "2025-03-01T08:00:00"},
    },
    "nbr": {
        "991100083": {"Orgnr": "991100083", "Navn": "Solsiden barnehage", "KommuneNr": "5501", **KINDERGARTEN,
                      "DatoEndret": "2025-05-20T01:16:09+02:00"},
    },
}  # fmt: skip


@pytest.fixture
def registers():
    state = registers_app(copy.deepcopy(UNITS))
    with serving(state) as port:
        yield state.state, f"http://127.0.0.1:{port}"


@pytest.fixture
def settings(database_url, registers) -> Settings:
    _, base = registers
    return Settings(
        database_url=database_url,
        nsr_base_url=f"{base}/nsr",
        nbr_base_url=f"{base}/nbr",
        udir_attempts=1,
        register_sync=["5501"],
        _env_file=None,
    )


@pytest.fixture
def profiles() -> Profiles:
    return Profiles(new_plugin_manager())


@pytest.fixture
async def municipalities(database, settings):
    async def work(ctx):
        await create_municipality(ctx, "5501", "Tromsø", "tromso")
        await create_municipality(ctx, "1860", "Vestvågøy", "vestvagoy")

    await as_system(database, settings, work)


async def _units(database) -> dict[str, tuple]:
    async with database.session() as session:
        rows = await session.execute(
            select(Unit.org_number, Unit.name, Unit.kind, Municipality.number, Unit.archived_at.is_not(None)).join(
                Municipality, Municipality.id == Unit.municipality_id
            )
        )
        return {org: (name, kind, number, archived) for org, name, kind, number, archived in rows}


def _details(state) -> list[str]:
    return [path for path in state.requests if "/v4/enhet/" in path]


async def test_the_first_sync_reads_everything_and_a_later_one_only_what_changed(
    database, settings, profiles, municipalities, registers
):
    state, _ = registers
    outcomes = await sync_municipality(database, settings, profiles, "5501")
    assert [(o.register, o.outcome, o.listed, o.fetched) for o in outcomes] == [
        (Register.NSR, RefreshOutcome.WRITTEN, 3, 3),  # both of Tromsø's numbers were asked
        (Register.NBR, RefreshOutcome.WRITTEN, 1, 1),
    ]
    assert {p for p in state.requests if "kommune" in p} == {
        f"/{r}/v3/enheter/kommune/{n}" for r in ("nsr", "nbr") for n in ("5501", "5401")
    }
    assert await _units(database) == {
        "991100016": ("Nordlys skole", "school", "5501", False),
        "991100024": ("Fjellheisen skole", "school", "5501", False),  # listed under 5401: Tromsø's
        "991100083": ("Solsiden barnehage", "kindergarten", "5501", False),
    }
    [nsr_plan] = [o.plan for o in outcomes if o.register == Register.NSR]
    assert [r.org_number for r in nsr_plan.rejected] == ["991100067"]  # upper secondary: not ours

    # Later: Nordlys is renamed, Fjellheisen closes; the rest is as it was.
    state.units["nsr"]["991100016"].update(Navn="Nordlys oppvekstsenter", DatoEndret="2025-11-30T12:00:00")
    state.units["nsr"]["991100024"].update(ErAktiv=False, DatoEndret="2025-12-01T09:30:00+01:00")
    state.requests.clear()
    again = await sync_municipality(database, settings, profiles, "5501")
    assert [(o.register, o.outcome, o.fetched) for o in again] == [
        (Register.NSR, RefreshOutcome.WRITTEN, 2),
        (Register.NBR, RefreshOutcome.UNCHANGED, 0),
    ]
    assert sorted(_details(state)) == ["/nsr/v4/enhet/991100016", "/nsr/v4/enhet/991100024"]
    units = await _units(database)
    assert units["991100016"][0] == "Nordlys oppvekstsenter" and units["991100024"][3] is True  # archived
    async with database.session() as session:
        actors = set(await session.scalars(select(ChangeLog.actor).where(ChangeLog.entity_type == "Unit")))
        state_rows = {r.register: r for r in await session.scalars(select(RegisterSync))}
    assert actors == {"system:registers"}
    assert state_rows["nsr"].changed_through.isoformat() == "2025-12-01T08:30:00+00:00"

    state.requests.clear()
    quiet = await sync_municipality(database, settings, profiles, "5501")
    assert [o.outcome for o in quiet] == [RefreshOutcome.UNCHANGED, RefreshOutcome.UNCHANGED]
    assert _details(state) == []  # nothing changed: no unit read in full


async def test_a_register_that_cannot_be_read_changes_nothing_and_is_tried_again(
    database, settings, profiles, municipalities, registers
):
    state, _ = registers
    await sync_municipality(database, settings, profiles, "5501")
    before = await _units(database)
    state.units["nsr"]["991100016"].update(Navn="Nytt navn", DatoEndret="2025-11-30T12:00:00")
    state.down = True
    failed = await sync_municipality(database, settings, profiles, "5501")
    assert [o.outcome for o in failed] == [RefreshOutcome.FAILED, RefreshOutcome.FAILED]
    assert "503" in failed[0].message
    assert await _units(database) == before
    async with database.session() as session:
        nsr = await session.get(RegisterSync, (await _id(database, "5501"), "nsr"))
    assert nsr.outcome == "failed" and nsr.changed_through.isoformat() == "2025-08-12T01:14:07+00:00"

    state.down = False  # back: the change not read yet is read now
    await sync_municipality(database, settings, profiles, "5501")
    assert (await _units(database))["991100016"][0] == "Nytt navn"


async def test_a_sync_writes_only_its_own_municipalitys_units(database, settings, profiles, municipalities, registers):
    state, _ = registers
    # Vestvågøy's school turns up in Tromsø's list, though its record says Vestvågøy (1860).
    state.units["nsr"]["991100032"]["ListetUnder"] = "5501"
    outcomes = await sync_municipality(database, settings, profiles, "5501")
    [nsr] = [o.plan for o in outcomes if o.register == Register.NSR]
    assert ("991100032", "in another municipality here") in {(r.org_number, r.reason) for r in nsr.rejected}
    units = await _units(database)
    assert "991100032" not in units  # not created in Vestvågøy by Tromsø's sync
    assert {number for _, _, number, _ in units.values()} == {"5501"}
    assert not any("kommune/1860" in path for path in state.requests)


async def _id(database, number: str):
    async with database.session() as session:
        return await session.scalar(select(Municipality.id).where(Municipality.number == number))


def test_the_command_syncs_the_configured_municipalities(settings, municipalities, monkeypatch, registers):
    for name, value in settings.model_dump(mode="json").items():
        if name in ("database_url", "nsr_base_url", "nbr_base_url", "udir_attempts", "register_sync"):
            monkeypatch.setenv(f"KVALITET_{name.upper()}", str(value) if not isinstance(value, list) else '["5501"]')
    monkeypatch.setenv("KVALITET_DATABASE_URL", settings.database_url.get_secret_value())
    result = CliRunner().invoke(app, ["units", "sync"])
    assert result.exit_code == 0, result.output
    assert "5501 NSR: written, 3 listed, 3 read in full" in result.output
    assert "5501 NBR: written, 1 listed, 1 read in full" in result.output
    again = CliRunner().invoke(app, ["units", "sync", "--municipality", "5501"])
    assert "5501 NSR: unchanged, 3 listed, 0 read in full" in again.output
    state, _ = registers
    state.down = True
    failed = CliRunner().invoke(app, ["units", "sync", "--full"])
    assert failed.exit_code == 1 and "failed" in failed.output


async def test_the_schedule_syncs_what_is_due(database, settings, profiles, municipalities, registers):
    state, _ = registers
    first = await sync_due(database, settings, profiles)
    assert list(first) == ["5501"] and first["5501"] is not None
    state.requests.clear()
    assert await sync_due(database, settings, profiles) == {}  # synced within register_sync_hours
    assert state.requests == []


SYNCS = (
    '{ municipality(number: "NUMBER") { registerSyncs { register outcome listed fetched changedThrough message } } }'
)


async def test_those_who_manage_the_units_see_where_the_sync_stands_and_no_one_elses(
    database, settings, profiles, municipalities, registers, gql_as, token
):
    await sync_municipality(database, settings, profiles, "5501")

    async def syncs(bearer, number="5501"):
        return (await gql_as(bearer)(SYNCS.replace("NUMBER", number)))["municipality"]["registerSyncs"]

    seen = await syncs(token("sector_admin", municipality="5501"))
    assert [(s["register"], s["outcome"], s["listed"], s["fetched"]) for s in seen] == [
        ("NBR", "WRITTEN", 1, 1),
        ("NSR", "WRITTEN", 3, 3),
    ]
    assert seen[1]["changedThrough"].startswith("2025-08-12T01:14:07") and seen[1]["message"] is None
    assert await syncs(token("sector_admin", municipality="1860")) == []  # another municipality's admin
    assert await syncs(token("viewer", municipality="5501")) == []  # reads the units, does not manage them
    assert await syncs(None) == []


async def test_the_schedule_tries_a_failed_sync_again_at_the_next_round(
    database, settings, profiles, municipalities, registers
):
    state, _ = registers
    state.down = True
    failed = await sync_due(database, settings, profiles)
    assert [o.outcome for o in failed["5501"]] == [RefreshOutcome.FAILED, RefreshOutcome.FAILED]
    state.down = False
    again = await sync_due(database, settings, profiles)  # not fresh: it failed
    assert [o.outcome for o in again["5501"]] == [RefreshOutcome.WRITTEN, RefreshOutcome.WRITTEN]
