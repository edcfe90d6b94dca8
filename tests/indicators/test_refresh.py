"""The scheduled refresh as the worker runs it, through the real client against the stand-in for
Udir's export API: a table fetched once per interval however many workers there are, a broken
answer recorded and the last good figures kept, the same data again writing nothing, and a
municipality's own indicator never touched. And `kvalitet indicators refresh` as an operator
runs it."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from kvalitet.app import create_app
from kvalitet.cli import app as cli
from kvalitet.indicators.refresh import refresh, refresh_due
from kvalitet.indicators.udir import ClientOptions
from kvalitet.infra.settings import RefreshJob, Settings
from kvalitet.models import IndicatorBatch, IndicatorRefresh, IndicatorValue
from kvalitet.models.enums import RefreshOutcome
from tests.indicators.test_local import MUNICIPALITY_SERIES, SAVE, UPLOADED, _definition, _upload, tromso  # noqa: F401
from tests.support.serving import serving
from tests.support.udir import PREFIX, udir_app

_FIGURES = select(IndicatorValue.id, IndicatorValue.value, IndicatorValue.status, IndicatorValue.batch_id).order_by(
    IndicatorValue.id
)
JOB = {"table": "eksport:150", "filter": "TidID(202412)"}


@pytest.fixture
def udir():
    app = udir_app()
    with serving(app) as port:
        yield app, f"http://127.0.0.1:{port}{PREFIX}"


def _settings(database_url: str, base_url: str, **more) -> Settings:
    return Settings(
        database_url=database_url,
        udir_base_url=base_url,
        indicator_refresh=[JOB],
        _env_file=None,
        **more,
    )


def _page_requests(app) -> int:
    return sum(1 for request in app.state.requests if request["path"].endswith("/data"))


async def _count(database, model) -> int:
    async with database.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def _last(database) -> IndicatorRefresh:
    async with database.session() as session:
        return await session.scalar(select(IndicatorRefresh))


async def _age(database, hours: int) -> None:
    """As if the last refresh ran `hours` ago."""
    async with database.session() as session, session.begin():
        await session.execute(
            text("UPDATE indicator_refresh SET checked_at = now() - make_interval(hours => :h)"), {"h": hours}
        )


async def test_a_table_is_fetched_when_due_and_not_before(database, database_url, udir):
    app, base_url = udir
    settings = _settings(database_url, base_url, indicator_refresh_hours=24)
    [first] = await refresh_due(database, settings)
    assert first.outcome is RefreshOutcome.WRITTEN and first.figures > 0
    pages, figures = _page_requests(app), await _count(database, IndicatorValue)
    assert pages > 0 and figures == first.figures
    last = await _last(database)
    assert (last.scope, last.outcome, last.message) == ("eksport:150|TidID(202412)", "written", None)

    # Within the interval: not fetched at all.
    [early] = await refresh_due(database, settings)
    assert early.outcome is None and _page_requests(app) == pages

    # After it: fetched again; Udir's data is the same, so nothing is written.
    await _age(database, 25)
    [again] = await refresh_due(database, settings)
    assert again.outcome is RefreshOutcome.UNCHANGED
    assert _page_requests(app) == 2 * pages
    assert await _count(database, IndicatorBatch) == 1 and await _count(database, IndicatorValue) == figures
    assert (await _last(database)).checked_at > last.checked_at


async def test_a_broken_answer_is_recorded_and_the_figures_kept(database, database_url, udir):
    app, base_url = udir
    options = ClientOptions(base_url=base_url, timeout_seconds=5, backoff_seconds=0.01)
    job = RefreshJob(**JOB)
    good = await refresh(database, job, options, None)
    async with database.session() as session:
        before = (await session.execute(_FIGURES)).all()

    app.state.changed_shape = True
    broken = await refresh(database, job, options, None)
    assert broken.outcome is RefreshOutcome.FAILED
    assert "AndelMobbet" in broken.message
    last = await _last(database)
    assert (last.outcome, last.message) == ("failed", broken.message)
    assert await _count(database, IndicatorBatch) == 1  # the last good import's, still the one in use
    async with database.session() as session:
        after = (await session.execute(_FIGURES)).all()
    assert after == before and good.figures == len(before)

    # Udir answers right again: the next refresh succeeds and forgets the failure.
    app.state.changed_shape = False
    mended = await refresh(database, job, options, None)
    assert mended.outcome is RefreshOutcome.UNCHANGED
    assert ((await _last(database)).outcome, (await _last(database)).message) == ("unchanged", None)


async def test_a_front_end_shows_when_the_figures_were_refreshed(database, database_url, udir, gql_as):
    app, base_url = udir
    options = ClientOptions(base_url=base_url, timeout_seconds=5, backoff_seconds=0.01)
    anonymous = gql_as(None)
    query = "{ indicatorRefreshes { sourceTable filter checkedAt outcome importedAt } }"
    assert (await anonymous(query))["indicatorRefreshes"] == []
    await refresh(database, RefreshJob(**JOB), options, None)
    [written] = (await anonymous(query))["indicatorRefreshes"]
    assert (written["sourceTable"], written["filter"], written["outcome"]) == (
        "eksport:150",
        "TidID(202412)",
        "WRITTEN",
    )
    assert written["importedAt"] is not None

    app.state.changed_shape = True
    await refresh(database, RefreshJob(**JOB), options, None)
    [failed] = (await anonymous(query))["indicatorRefreshes"]
    assert failed["outcome"] == "FAILED" and failed["checkedAt"] > written["checkedAt"]
    assert failed["importedAt"] == written["importedAt"]  # the figures shown are still those


async def test_two_workers_fetch_a_table_once(database, database_url, udir):
    app, base_url = udir
    app.state.delay = 0.2  # long enough for the second worker to arrive while the first reads
    settings = _settings(database_url, base_url)
    outcomes = await asyncio.gather(refresh_due(database, settings), refresh_due(database, settings))
    assert sorted(str(outcome.outcome) for [outcome] in outcomes) == ["None", "written"]
    assert sum(1 for request in app.state.requests if request["path"].endswith("/sideData")) == 1
    assert await _count(database, IndicatorBatch) == 1


async def test_a_refresh_leaves_a_municipalitys_own_indicator_alone(tromso, database, database_url, udir):  # noqa: F811
    admin, municipality, _units = tromso
    await admin(SAVE, {"input": _definition(municipality)})
    await _upload(admin, municipality, UPLOADED)
    own = (await admin(MUNICIPALITY_SERIES, {"n": "5501"}))["municipality"]["indicators"]

    _app, base_url = udir
    [outcome] = await refresh_due(database, _settings(database_url, base_url))
    assert outcome.outcome is RefreshOutcome.WRITTEN
    assert (await admin(MUNICIPALITY_SERIES, {"n": "5501"}))["municipality"]["indicators"] == own
    async with database.session() as session:
        batches = dict((await session.execute(select(IndicatorBatch.scope, IndicatorBatch.actor))).all())
    assert sorted(batches) == ["eksport:150|TidID(202412)", "local:tromso.trivsel|5501"]
    assert batches["eksport:150|TidID(202412)"] == "system:refresh"


async def test_serve_refreshes_on_its_schedule(database, database_url, profiles, udir):
    """`serve` runs the refresh in its process, as it runs the webhook worker."""
    _app, base_url = udir
    settings = _settings(database_url, base_url, webhook_worker=False)
    with serving(create_app(settings, profiles=profiles), lifespan="on"):
        for _ in range(100):
            if await _last(database) is not None:
                break
            await asyncio.sleep(0.1)
    last = await _last(database)
    assert last is not None and last.outcome == "written"


@pytest.mark.parametrize(
    ("job", "problem"),
    [
        ({"table": "eksport:999", "filter": "TidID(202412)"}, "is not an export-API table of the catalogue"),
        ({"table": "file:grunnskolepoeng", "filter": "x"}, "is not an export-API table of the catalogue"),
        ({"table": "eksport:150", "filter": "  "}, "the export API needs a filter"),
        ({"table": "eksport:150"}, "Field required"),
    ],
)
def test_a_wrong_schedule_is_refused_when_the_settings_are_read(job, problem):
    with pytest.raises(ValidationError, match=problem):
        Settings(indicator_refresh=[job], _env_file=None)


def test_the_schedule_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("KVALITET_INDICATOR_REFRESH", json.dumps([JOB]))
    assert Settings(_env_file=None).indicator_refresh == [RefreshJob(**JOB)]


def test_an_operator_refreshes_from_the_command_line(monkeypatch, database_url, udir):
    app, base_url = udir
    runner = CliRunner()
    monkeypatch.setenv("KVALITET_DATABASE_URL", database_url)
    monkeypatch.setenv("KVALITET_UDIR_BASE_URL", base_url)
    nothing = runner.invoke(cli, ["indicators", "refresh"])
    assert nothing.exit_code == 0 and "KVALITET_INDICATOR_REFRESH is empty" in nothing.output

    monkeypatch.setenv("KVALITET_INDICATOR_REFRESH", json.dumps([JOB]))
    first = runner.invoke(cli, ["indicators", "refresh"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("eksport:150 TidID(202412): written (")
    second = runner.invoke(cli, ["indicators", "refresh"])
    assert second.exit_code == 0 and "not due, last checked" in second.output and "(written)" in second.output

    app.state.changed_shape = True
    broken = runner.invoke(cli, ["indicators", "refresh", "--force"])
    assert broken.exit_code == 1
    assert "eksport:150 TidID(202412): failed, nothing written: eksport:150/2:1:" in broken.output


def test_a_wrong_schedule_stops_a_command_with_a_line_not_a_traceback(monkeypatch):
    monkeypatch.setenv("KVALITET_INDICATOR_REFRESH", json.dumps([{"table": "eksport:999", "filter": "x"}]))
    result = CliRunner().invoke(cli, ["indicators", "refresh"])
    assert result.exit_code == 2
    assert result.output.startswith(
        "KVALITET_INDICATOR_REFRESH (0.table): Value error, «eksport:999» is not an export-API table"
    )
