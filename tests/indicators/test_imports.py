"""Imports through the real client against a stand-in for Udir's export API (tests/support/udir.py)
serving fixtures in the real shapes, and from saved files: figures with their suppression, one
batch all or nothing, the same data written once, and a changed answer that changes nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kvalitet.indicators.imports import IndicatorImportError, fetch, import_extract, read_files
from kvalitet.indicators.udir import ClientOptions, UdirClient, UdirError
from kvalitet.models import Indicator, IndicatorBatch, IndicatorValue
from tests.support.serving import serving
from tests.support.udir import PREFIX, UDIR_FIXTURES, udir_app

FILTER = "TidID(202112_202212_202312_202412_202512)_EierformID(-10)"


@pytest.fixture
def udir():
    """(app, client options) of a running stand-in; no waiting between retries."""
    app = udir_app()
    with serving(app) as port:
        yield app, ClientOptions(base_url=f"http://127.0.0.1:{port}{PREFIX}", timeout_seconds=5, backoff_seconds=0.01)


async def _import(database, table, extract, definitions, detail=FILTER, **options):
    async with database.session() as session, session.begin():
        return await import_extract(
            session, table, definitions, extract, scope_detail=detail, source="test", filter=detail, **options
        )


async def _values(database) -> list[tuple]:
    async with database.session() as session:
        rows = await session.execute(
            select(
                Indicator.code,
                IndicatorValue.level,
                IndicatorValue.code,
                IndicatorValue.school_year,
                IndicatorValue.grade,
                IndicatorValue.gender,
                IndicatorValue.value,
                IndicatorValue.n,
                IndicatorValue.status,
                IndicatorValue.reason,
            )
            .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
            .order_by(*IndicatorValue.__table__.c)
        )
        return [tuple(row) for row in rows]


async def _batches(database) -> int:
    async with database.session() as session:
        return await session.scalar(select(func.count()).select_from(IndicatorBatch))


def _fixture_rows(table: str) -> list[dict]:
    return [
        row
        for page in (1, 2)
        for row in json.loads((UDIR_FIXTURES / "eksport" / table / f"data-{page}.json").read_text())
    ]


async def test_a_table_is_read_page_by_page_with_its_suppression_kept(database, udir):
    app, options = udir
    seen = []
    definitions, extract = await fetch("eksport:150", FILTER, options, lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]
    assert [r["path"] for r in app.state.requests] == [
        f"{PREFIX}/150/sideData",
        f"{PREFIX}/150/data",
        f"{PREFIX}/150/data",
    ]
    assert [r["query"].get("sideNummer") for r in app.state.requests[1:]] == ["1", "2"]
    assert all(r["query"]["filter"] == FILTER for r in app.state.requests)

    result = await _import(database, "eksport:150", extract, definitions)
    assert not result.unchanged and result.added == result.figures > 0
    stored = await _values(database)
    assert len(stored) == result.figures
    # Every index row of the fixture, «Alle eierformer», is one figure, «*» kept as suppressed, no number.
    index_rows = [
        r
        for r in _fixture_rows("150")
        if r["Spoersmaalnavn"] == "Alle spørsmål" and r["EierformNavn"] == "Alle eierformer"
    ]
    assert len(stored) == len(
        {
            (r["Organisasjonsnummer"], r["Kommunekode"], r["Fylkekode"], r["Skoleaarnavn"], r["Trinnnavn"])
            for r in index_rows
        }
    )
    suppressed_in_file = sum(1 for r in index_rows if r["AndelMobbet"] == "*")
    suppressed = [row for row in stored if row[8] == "suppressed"]
    assert suppressed_in_file > 0 and len(suppressed) == suppressed_in_file
    assert all(row[6] is None and row[9] == "source" for row in suppressed)
    # A number as written: «5,9» (and no respondent count: the bullying table's «AntallBesvart» counts
    # the pupils bullied, not those who answered).
    nation = next(r for r in index_rows if r["Nasjonaltkode"] == "I" and r["Fylkekode"] == "")
    year = int(nation["Skoleaarnavn"][:4])
    grade = nation["Trinnnavn"].split(".")[0]
    found = next(row for row in stored if row[1:6] == ("nation", "NO", year, grade, "all"))
    assert found[6] == Decimal(nation["AndelMobbet"].replace(",", "."))
    assert found[7] is None


async def test_the_same_data_again_writes_nothing(database, udir):
    _, options = udir
    definitions, extract = await fetch("eksport:148", FILTER, options)
    await _import(database, "eksport:148", extract, definitions)
    before, batches = await _values(database), await _batches(database)
    definitions, extract = await fetch("eksport:148", FILTER, options)
    result = await _import(database, "eksport:148", extract, definitions)
    assert result.unchanged
    assert await _values(database) == before and await _batches(database) == batches == 1


async def test_a_changed_answer_stops_the_import_and_keeps_the_last_good_data(database, udir):
    app, options = udir
    definitions, extract = await fetch("eksport:148", FILTER, options)
    await _import(database, "eksport:148", extract, definitions)
    before = await _values(database)
    app.state.changed_shape = True  # page 2 renames «Score»
    with pytest.raises(IndicatorImportError, match=r"eksport:148/2:1: the column\(s\) Score are missing\."):
        await fetch("eksport:148", FILTER, options)
    app.state.changed_shape, app.state.garbage = False, True
    with pytest.raises(IndicatorImportError, match="not JSON: «<html>Vedlikehold</html>»"):
        await fetch("eksport:148", FILTER, options)
    assert await _values(database) == before and await _batches(database) == 1


async def test_udir_refusals_and_outages(udir):
    app, options = udir
    async with UdirClient(options) as client:
        with pytest.raises(UdirError, match="HTTP 400, Udir says: «Filter må oppgis!»"):
            await client.page("148", "", 1)
        with pytest.raises(UdirError, match="HTTP 404"):
            await client.page("148", FILTER, 9)
    # Two outages are waited out; one more than the tries allow stops the import.
    app.state.fail_next = 2
    _, extract = await fetch("eksport:150", FILTER, options)
    assert extract.figures
    app.state.fail_next = options.attempts
    with pytest.raises(IndicatorImportError, match="HTTP 503"):
        await fetch("eksport:150", FILTER, options)
    with pytest.raises(IndicatorImportError, match="needs a filter"):
        await fetch("eksport:150", " ", options)


async def test_a_slow_answer_times_out(udir):
    app, options = udir
    app.state.delay = 1.0
    quick = ClientOptions(base_url=options.base_url, timeout_seconds=0.2, attempts=2, backoff_seconds=0.01)
    with pytest.raises(IndicatorImportError, match="no answer from Udir after 2 tries"):
        await fetch("eksport:150", FILTER, quick)


async def test_files_from_the_portal(database):
    folder = UDIR_FIXTURES
    definitions, extract = read_files("rapportering:np-5", sorted((folder / "rapportering").glob("np-5-*.json")))
    codes = {figure.indicator for figure in extract.figures}
    assert codes == {"np.5.lesing", "np.5.regning"}
    assert {figure.grade for figure in extract.figures} == {"5"}
    assert any(figure.status == "suppressed" for figure in extract.figures)
    await _import(database, "rapportering:np-5", extract, definitions, detail="np")

    definitions, extract = read_files("file:foreldreundersokelsen", [folder / "files" / "foreldreundersokelsen.csv"])
    small = [f for f in extract.figures if f.status == "suppressed"]
    # Foreldreundersøkelsen shows nothing under 5 respondents: no value, no count.
    assert small and all(f.value is None and f.n is None for f in small)
    await _import(database, "file:foreldreundersokelsen", extract, definitions, detail="fu")

    definitions, extract = read_files("file:grunnskolepoeng", [folder / "files" / "grunnskolepoeng.csv"])
    await _import(database, "file:grunnskolepoeng", extract, definitions, detail="gsp")
    before = await _values(database)
    assert {row[0] for row in before} >= {"np.5.lesing", "fu.trivsel", "gsp"}

    with pytest.raises(
        IndicatorImportError, match=r"grunnskolepoeng-broken.csv:\d+: «4l,7» is not a number, «\*» or «-»\."
    ):
        read_files("file:grunnskolepoeng", [folder / "files" / "grunnskolepoeng-broken.csv"])
    with pytest.raises(IndicatorImportError, match="no indicator of the catalogue comes from «file:nope»"):
        read_files("file:nope", [folder / "files" / "grunnskolepoeng.csv"])
    assert await _values(database) == before


async def test_a_dry_run_compares_and_writes_nothing(database, udir):
    _, options = udir
    definitions, extract = await fetch("eksport:150", FILTER, options)
    result = await _import(database, "eksport:150", extract, definitions, dry_run=True)
    assert result.dry_run and result.added == result.figures > 0
    assert await _values(database) == [] and await _batches(database) == 0
