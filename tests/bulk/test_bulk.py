"""Bulk export and import: a municipality's data moves to another database unchanged."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from kvalitet import bulk
from kvalitet.cli import app
from kvalitet.cli import bulk as cli_bulk
from kvalitet.db import Database
from kvalitet.db.migrate import upgrade
from kvalitet.models import Base, Unit
from tests.support.cycle import Cycle

NUMBERS = ("5501", "3301", "1860", "9901")  # every demo municipality (9901: the test profile)
# Texts that a naive CSV or JSON writer would garble.
AWKWARD = '"Sitat" først, komma, semikolon; linjeskift\nog «æøå» – 🙂'
runner = CliRunner()


@pytest.fixture
async def source(database, demo, gql) -> dict:
    """The demo data, and a year's work in Tromsø on top: a local plan, a report with
    assessments, a published sector report; and an API key and a webhook (not exported)."""
    cycle = Cycle(gql)
    tromso = (await gql('{ municipality(number: "5501") { id plans { id } units(first: 20) { nodes { id kind } } } }'))[
        "municipality"
    ]
    plan_id = tromso["plans"][0]["id"]
    kindergarten = next(u for u in tromso["units"]["nodes"] if u["kind"] == "KINDERGARTEN")
    await cycle.unit(tromso["id"], "Nordlys barnehage", "KINDERGARTEN", "974760673", zone="Sentrum")
    areas = await cycle.areas(plan_id, "quality_area")
    local = await cycle.local_plan(kindergarten["id"], plan_id)
    await cycle.local_goal(local["id"], areas[0]["id"], AWKWARD, "barn")
    await cycle.local_goal(local["id"], areas[1]["id"], "Foreldrene blir hørt", "foreldre")
    action = await cycle.action(local["id"], "Foreldremøte", areas[1]["id"], owner="Styrer", deadline="2024-10-01")
    await cycle.update_action(action, deadline="2024-11-01", status="IN_PROGRESS")  # version 2
    await cycle.section(local["id"], "tegn_pa_god_praksis", AWKWARD, areas[0]["id"])
    report = await cycle.open_report(kindergarten["id"], 2024, "arlig")
    items = await cycle.items(report["id"])
    await cycle.assess(report["id"], items[0], "3", comment=AWKWARD)
    await cycle.assess(report["id"], items[1], "2")
    await cycle.mutate(
        "publishSectorReport", {"municipalityId": tromso["id"], "year": 2024, "period": "arlig"}, "sectorReport { id }"
    )
    # Follow-up: a quality meeting held with the kindergarten, a point agreed, a rhythm; and the
    # kindergarten's competence plan with a need, a goal and a measure that name each other.
    meeting = (
        await cycle.mutate(
            "planFollowUpMeeting",
            {
                "unitId": kindergarten["id"],
                "kind": "kvalitetsmote",
                "year": 2024,
                "plannedOn": "2024-11-20",
                "participants": [{"role": "OWNER", "title": AWKWARD}, {"role": "UNIT_LEADER"}],
            },
            "meeting { id version }",
        )
    )["meeting"]
    await cycle.mutate(
        "updateFollowUpMeeting",
        {"id": meeting["id"], "version": meeting["version"], "heldOn": "2024-11-21", "minutes": AWKWARD},
        "meeting { id }",
    )
    await cycle.mutate(
        "agreeFollowUpPoint", {"meetingId": meeting["id"], "text": AWKWARD, "owner": "Styrer"}, "point { id }"
    )
    await cycle.mutate(
        "setFollowUpRhythm",
        {"municipalityId": tromso["id"], "kind": "kvalitetsmote", "everyMonths": 12},
        "rhythm { id }",
    )
    competence_plan = (
        await cycle.mutate(
            "createCompetencePlan",
            {"unitId": kindergarten["id"], "startYear": 2024, "endYear": 2025},
            "plan { id }",
        )
    )["plan"]
    need = (
        await cycle.mutate(
            "addCompetenceNeed",
            {"planId": competence_plan["id"], "text": AWKWARD, "areaId": areas[0]["id"]},
            "need { id }",
        )
    )["need"]
    goal = (
        await cycle.mutate(
            "addCompetenceGoal",
            {"planId": competence_plan["id"], "text": "Felles språk", "scope": "COLLECTIVE", "needIds": [need["id"]]},
            "goal { id }",
        )
    )["goal"]
    await cycle.mutate(
        "addCompetenceMeasure",
        {
            "planId": competence_plan["id"],
            "title": "Barnehagebasert kompetanseutvikling",
            "scope": "COLLECTIVE",
            "targetGroup": "WHOLE_STAFF",
            "funding": "lokal-kompetanseutvikling",
            "needIds": [need["id"]],
            "goalIds": [goal["id"]],
        },
        "measure { id }",
    )
    # The report to the council: Tromsø's 2024 draft with a section written (a measure named) and an
    # edition published; Drammen's draft, so that two municipalities have rows in those tables.
    council = await cycle.mutate(
        "createCouncilReport",
        {"municipalityId": tromso["id"], "year": 2024},
        "councilReport { id version sections { key version } }",
    )
    draft = council["councilReport"]
    measures = await gql(
        "query ($id: ID!) { node(id: $id) { ... on Plan { areas { measures { id } } } } }", {"id": plan_id}
    )
    measure = next(m["id"] for a in measures["node"]["areas"] for m in a["measures"])
    first = draft["sections"][0]
    await cycle.mutate(
        "editCouncilReportSection",
        {"reportId": draft["id"], "key": first["key"], "text": AWKWARD, "measureIds": [measure], "version": 1},
        "section { version }",
    )
    await cycle.mutate("publishCouncilReport", {"id": draft["id"], "version": draft["version"]}, "edition { id }")
    drammen = (await gql('{ municipality(number: "3301") { id } }'))["municipality"]
    await cycle.mutate("createCouncilReport", {"municipalityId": drammen["id"], "year": 2024}, "councilReport { id }")
    await cycle.mutate(
        "createCompetencePlan", {"municipalityId": drammen["id"], "startYear": 2024, "endYear": 2025}, "plan { id }"
    )
    # Its own indicator, with figures reported and suppressed (3 respondents, under 5).
    await cycle.mutate(
        "saveLocalIndicator",
        {
            "municipalityId": tromso["id"],
            "code": "tromso.trivsel",
            "names": {"nb": "Trivsel i barnehagen", "nn": "Trivsel i barnehagen", "en": AWKWARD},
            "measure": "SCORE",
            "unitKinds": ["KINDERGARTEN"],
            "minRespondents": 5,
            "scaleMin": 1,
            "scaleMax": 5,
        },
        "indicator { code }",
    )
    await cycle.mutate(
        "uploadLocalIndicatorFigures",
        {
            "municipalityId": tromso["id"],
            "code": "tromso.trivsel",
            "csv": "Skoleaarnavn;Kommunekode;Organisasjonsnummer;Verdi;AntallBesvart\n"
            "2024-25;5501;;4,25;40\n2024-25;;974760673;4,1;12\n2023-24;;974760673;3,9;3\n",
        },
        "upload { figures }",
    )
    key = await cycle.mutate(
        "createApiKey", {"municipalityId": tromso["id"], "name": "Fagsystem", "scopes": ["read"]}, "key"
    )
    hook = await cycle.mutate(
        "createWebhookSubscription",
        {"municipalityId": tromso["id"], "url": "https://example.org/hook", "eventTypes": ["report.submitted"]},
        "secret",
    )
    # A key is kv_<hex prefix>_<secret>; the secret itself may hold underscores.
    return {"database": database, "secrets": [key["key"].split("_", 2)[2], hook["secret"]]}


async def _migrated(url: str) -> Database:
    target = Database(url, pool_size=2)
    await upgrade(target.engine)
    return target


async def _municipality_id(connection, number: str) -> uuid.UUID:
    table = Base.metadata.tables["municipality"]
    return await connection.scalar(select(table.c.id).where(table.c.number == number))


async def _export(database: Database, number: str, out: Path, fmt: str = "json", **options) -> dict:
    async with database.engine.connect() as connection, connection.begin():
        municipality_id = await _municipality_id(connection, number)
        return await bulk.export_to_directory(connection, municipality_id, out, fmt, **options)


async def _import(database: Database, directory: Path, **options) -> bulk.ImportResult:
    async with database.engine.begin() as connection:
        return await bulk.import_directory(connection, directory, **options)


async def _counts(database: Database) -> dict[str, int]:
    async with database.engine.connect() as connection:
        return {
            name: await connection.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }


def _assert_same_export(first: Path, second: Path) -> None:
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        if name != bulk.MANIFEST:
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    manifests = [json.loads((d / bulk.MANIFEST).read_text(encoding="utf-8")) for d in (first, second)]
    for manifest in manifests:
        del manifest["exported_at"]
    assert manifests[0] == manifests[1]


def _rows(directory: Path, table: str) -> list[dict]:
    return json.loads((directory / f"{table}.json").read_text(encoding="utf-8"))


def test_every_table_is_exported_or_left_out_on_purpose():
    assert set(bulk.TABLES) | set(bulk.NOT_EXPORTED) == set(Base.metadata.tables)
    assert not set(bulk.TABLES) & set(bulk.NOT_EXPORTED)
    # Every reference points to a table exported earlier (or to itself: the area tree).
    for position, name in enumerate(bulk.TABLES):
        for key in Base.metadata.tables[name].foreign_keys:
            assert key.column.table.name in bulk.TABLES[: position + 1], (name, key.column.table.name)


@pytest.mark.parametrize("fmt", ["json", "csv", "excel"])
async def test_export_import_export_gives_the_same_files(source, empty_database_url, tmp_path, fmt):
    for number in NUMBERS:
        await _export(source["database"], number, tmp_path / "first" / number, fmt, chunk_size=7)
    target = await _migrated(empty_database_url)
    try:
        # One after another into the same database: the shared national goals are used, not copied twice.
        results = [await _import(target, tmp_path / "first" / number, chunk_size=5) for number in NUMBERS]
        assert [r.municipality_number for r in results] == list(NUMBERS)
        for number in NUMBERS:
            await _export(target, number, tmp_path / "second" / number, fmt)
            _assert_same_export(tmp_path / "first" / number, tmp_path / "second" / number)

        before, after = await _counts(source["database"]), await _counts(target)
        for name in (
            "municipality",
            "unit",
            "plan",
            "area",
            "goal",
            "criterion",
            "local_plan",
            "local_goal",
            "local_action",
            "local_plan_section",
            "report",
            "assessment",
            "sector_report",
            "indicator",
            "indicator_batch",
            "indicator_value",
        ):
            assert after[name] == before[name] > 0, name
        assert before["api_key"] == before["webhook_subscription"] == 1
        assert after["api_key"] == after["webhook_subscription"] == after["outbox_event"] == 0

        # The change log goes on after the imported history.
        imported = [row["id"] for number in NUMBERS for row in _imported_change_log(tmp_path / "first" / number, fmt)]
        async with target.session() as session, session.begin():
            tromso_id = await _municipality_id(await session.connection(), "5501")
            session.add(Unit(municipality_id=tromso_id, name="Ny barnehage", kind="kindergarten"))
        async with target.engine.connect() as connection:
            table = Base.metadata.tables["change_log"]
            newest = await connection.scalar(select(func.max(table.c.id)))
        assert newest == max(imported) + 1
    finally:
        await target.dispose()


def _imported_change_log(directory: Path, fmt: str) -> list[dict]:
    if fmt == "json":
        return _rows(directory, "change_log")
    import csv

    dialect = bulk.ExportFormat(fmt).dialect
    with (directory / "change_log.csv").open(encoding=dialect.encoding, newline="") as file:
        return [{"id": int(row["id"])} for row in csv.DictReader(file, delimiter=dialect.delimiter)]


async def test_an_excel_export_opens_right_in_norwegian_excel(source, tmp_path):
    """UTF-8 with a byte-order mark, semicolons, decimal commas; æøå as UTF-8, checked byte by byte."""
    await _export(source["database"], "5501", tmp_path, "excel")
    figures = (tmp_path / "indicator_value.csv").read_bytes()
    assert figures.startswith(b"\xef\xbb\xbf" + b"indicator_id;level;code;")
    lines = figures.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    cells = [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:]]
    assert {cell["value"] for cell in cells} == {"4,25", "4,1", ""}  # the suppressed figure has no number
    assert all("." not in cell["value"] for cell in cells)
    indicator = (tmp_path / "indicator.csv").read_bytes()
    assert indicator.startswith(b"\xef\xbb\xbfid;") and "«æøå»".encode() in indicator
    assert b";score;1,0;5,0;" in indicator  # the scale: decimal commas here too
    # The JSON export of the same keeps exact decimals as text.
    await _export(source["database"], "5501", tmp_path / "json", "json")
    assert {row["value"] for row in _rows(tmp_path / "json", "indicator_value")} == {"4.25", "4.1", None}


async def test_an_export_holds_the_municipality_only_and_no_secrets(source, tmp_path):
    database = source["database"]
    for number in NUMBERS:
        manifest = await _export(database, number, tmp_path / number)
        assert manifest["municipality_number"] == number and manifest["format"] == "json"
        assert [t["name"] for t in manifest["tables"]] == list(bulk.TABLES)
    exports = {number: tmp_path / number for number in NUMBERS}

    tromso = exports["5501"]
    [municipality] = _rows(tromso, "municipality")
    for table in bulk.TABLES:
        for row in _rows(tromso, table):
            if "municipality_id" in row:
                assert row["municipality_id"] == municipality["id"], table
    assert {row["entity_type"] for row in _rows(tromso, "change_log")}.isdisjoint({"ApiKey", "WebhookSubscription"})
    assert not (tromso / "api_key.json").exists() and not (tromso / "webhook_subscription.json").exists()
    everything = b"".join(path.read_bytes() for path in tromso.iterdir())
    async with database.engine.connect() as connection:
        stored = [
            *(await connection.scalars(select(Base.metadata.tables["api_key"].c.secret_hash))),
            *(await connection.scalars(select(Base.metadata.tables["webhook_subscription"].c.secret))),
        ]
    for secret in [*source["secrets"], *stored]:
        assert secret.encode() not in everything

    # The exports of the municipalities are disjoint and, together, hold every row but the catalogue's.
    counts = await _counts(database)
    for table in bulk.TABLES:
        # A figure's row number is not exported: the row itself is its identity.
        ids = [
            [
                row["id"] if bulk.has_own_ids(table) else json.dumps(row, sort_keys=True)
                for row in _rows(directory, table)
            ]
            for directory in exports.values()
        ]
        if table == "national_goal":
            assert 0 < len({i for part in ids for i in part}) <= counts[table]
            continue
        assert len({i for part in ids for i in part}) == sum(len(part) for part in ids), table
        if table != "change_log":
            assert sum(len(part) for part in ids) == counts[table], table

    # Areas come parents first; the data has trees, national goals and rows changed after creation.
    areas = _rows(exports["3301"], "area")
    seen = set()
    for area in areas:
        assert area["parent_id"] is None or area["parent_id"] in seen
        seen.add(area["id"])
    assert any(area["parent_id"] for area in areas)
    assert any(goal["national_goal_id"] for goal in _rows(exports["9901"], "goal"))
    assert any(action["version"] > 1 for action in _rows(tromso, "local_action"))
    assert any(goal["text"] == AWKWARD for goal in _rows(tromso, "local_goal"))
    [section] = [row for row in _rows(tromso, "council_report_section") if row["text"] == AWKWARD]
    assert len(section["measure_ids"]) == 1
    assert len(_rows(tromso, "council_report_edition")) == 1 and len(_rows(exports["3301"], "council_report")) == 1
    [meeting] = _rows(tromso, "follow_up_meeting")
    assert meeting["minutes"] == AWKWARD and meeting["participants"][0] == {"role": "owner", "title": AWKWARD}
    assert [point["text"] for point in _rows(tromso, "follow_up_point")] == [AWKWARD]
    [measure] = _rows(tromso, "competence_measure")
    [need] = _rows(tromso, "competence_need")
    assert measure["need_ids"] == [need["id"]] and len(measure["goal_ids"]) == 1 and need["text"] == AWKWARD


async def test_stream_export_yields_bounded_chunks_in_order(source):
    async with source["database"].engine.connect() as connection, connection.begin():
        municipality_id = await _municipality_id(connection, "3301")
        counts = await bulk.export_counts(connection, municipality_id)
        chunks = [chunk async for chunk in bulk.stream_export(connection, municipality_id, chunk_size=10)]
    async with source["database"].session() as session:  # a session does as well
        assert [chunk async for chunk in bulk.stream_export(session, municipality_id, chunk_size=10)] == chunks
    async with source["database"].engine.connect() as connection:
        with pytest.raises(bulk.BulkError, match="No municipality"):
            await anext(bulk.stream_export(connection, uuid.uuid4()))
    assert all(0 < len(chunk.rows) <= 10 for chunk in chunks)
    tables = list(dict.fromkeys(chunk.table for chunk in chunks))
    assert tables == [t for t in bulk.TABLES if counts[t]]
    assert {t: sum(len(c.rows) for c in chunks if c.table == t) for t in tables} == {t: counts[t] for t in tables}
    assert len([c for c in chunks if c.table == "area"]) > 1  # the area tree over several chunks
    json.dumps([chunk.rows for chunk in chunks])  # JSON values only


async def test_importing_twice_or_over_existing_rows_is_refused_and_nothing_is_written(
    source, empty_database_url, tmp_path
):
    export = tmp_path / "5501"
    await _export(source["database"], "5501", export)
    target = await _migrated(empty_database_url)
    try:
        # A change-log row with one of the export's ids: refused at the last table, after all the rest.
        clash = _rows(export, "change_log")[-1]["id"]
        async with target.engine.begin() as connection:
            await connection.execute(
                insert(Base.metadata.tables["change_log"]),
                {"id": clash, "entity_type": "Unit", "entity_id": uuid.uuid4(), "action": "create", "changes": {}},
            )
        before = await _counts(target)
        with pytest.raises(bulk.BulkError, match=f"1 change_log row.*already: {clash}"):
            await _import(target, export)
        assert await _counts(target) == before

        async with target.engine.begin() as connection:
            await connection.execute(Base.metadata.tables["change_log"].delete())
        await _import(target, export)
        before = await _counts(target)
        with pytest.raises(bulk.BulkError, match="Municipality 5501 \\(Tromsø\\) is in this database already"):
            await _import(target, export)
        assert await _counts(target) == before
    finally:
        await target.dispose()


async def test_the_national_goals_of_the_database_are_used(source, empty_database_url, tmp_path):
    """The catalogue is shared: a goal linked to a national goal the database has under another
    id (its own copy of the shipped catalogue) is linked to the database's."""
    from kvalitet.services.catalogue import sync_national_goals

    export = tmp_path / "9901"
    await _export(source["database"], "9901", export)
    [linked] = _rows(export, "national_goal")
    target = await _migrated(empty_database_url)
    try:
        async with target.session() as session, session.begin():
            await sync_national_goals(session)
        table = Base.metadata.tables["national_goal"]
        async with target.engine.connect() as connection:
            own_id = await connection.scalar(select(table.c.id).where(table.c.key == linked["key"]))
        assert own_id is not None and str(own_id) != linked["id"]
        before = await _counts(target)
        result = await _import(target, export)
        assert result.national_goals_present == 1 and result.rows["national_goal"] == 0
        assert (await _counts(target))["national_goal"] == before["national_goal"]
        goal = Base.metadata.tables["goal"]
        async with target.engine.connect() as connection:
            linked = select(goal.c.national_goal_id).where(goal.c.national_goal_id.is_not(None))
            linked_ids = set(await connection.scalars(linked))
        assert linked_ids == {own_id}
    finally:
        await target.dispose()


async def test_a_changed_file_or_an_unfinished_export_is_refused(source, tmp_path):
    export = tmp_path / "5501"
    await _export(source["database"], "5501", export, "csv")
    bulk.read_manifest(export)
    with (export / "unit.csv").open("a", encoding="utf-8") as file:
        file.write("\n")
    with pytest.raises(bulk.BulkError, match="unit.csv does not match its checksum"):
        bulk.read_manifest(export)
    (export / bulk.MANIFEST).unlink()
    with pytest.raises(bulk.BulkError, match="no manifest.json"):
        bulk.read_manifest(export)
    with pytest.raises(bulk.BulkError, match="not empty"):
        await _export(source["database"], "5501", export)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("str", ""),
        ("str", '"quoted"'),
        ("str", 'plain, with "quotes"\nand lines'),
        ("str", None),
        ("int", 0),
        ("bool", False),
        ("array", []),
        ("json", {"a": [1, "x"]}),
        ("date", "2024-01-31"),
        ("uuid", None),
    ],
)
def test_csv_cells_read_back_as_written(kind, value):
    assert bulk.codec.from_cell(kind, bulk.codec.to_cell(kind, value)) == value


def test_cli_export_and_import(source, empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_bulk, "PROGRESS_MIN_ROWS", 0)  # show the bars, on this small data too
    monkeypatch.setenv("KVALITET_DATABASE_URL", source["database"].url)
    first, second = tmp_path / "first", tmp_path / "second"
    result = runner.invoke(app, ["export", "--municipality", "5501", "--format", "csv", "--out", str(first)])
    assert result.exit_code == 0, result.output
    assert "Exported municipality 5501" in result.stdout and "Exporting 5501" in result.stderr
    assert (first / "unit.csv").read_text(encoding="utf-8").startswith("id,municipality_id,name,")
    result = runner.invoke(app, ["export", "--municipality", "0000", "--out", str(tmp_path / "none")])
    assert result.exit_code == 1 and "No municipality 0000." in result.stderr

    monkeypatch.setenv("KVALITET_DATABASE_URL", empty_database_url)
    result = runner.invoke(app, ["import", str(first)])
    assert result.exit_code == 1 and "not migrated" in result.stderr
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["import", str(first)])
    assert result.exit_code == 0, result.output
    assert "Imported municipality 5501 (Tromsø)" in result.stdout and "Importing 5501" in result.stderr
    result = runner.invoke(app, ["import", str(first)])
    assert result.exit_code == 1 and "is in this database already" in result.stderr

    result = runner.invoke(app, ["export", "--municipality", "5501", "--format", "csv", "--out", str(second)])
    assert result.exit_code == 0, result.output
    _assert_same_export(first, second)


def _forge(directory: Path, table: str, change) -> None:
    """Change an export's rows of `table` with `change(rows)`, and its manifest to match (as
    an attacker recomputing the checksums would)."""
    path = directory / f"{table}.json"
    rows = _rows(directory, table)
    change(rows)
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    manifest = json.loads((directory / bulk.MANIFEST).read_text(encoding="utf-8"))
    for entry in manifest["tables"]:
        if entry["name"] == table:
            entry["rows"], entry["sha256"] = len(rows), bulk.manifest.file_sha256(path)
    (directory / bulk.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def _copy(row: dict, **values) -> dict:
    return {**row, "id": str(uuid.uuid4()), **values}


def _into_report_of(tromso: Path, drammen: Path) -> dict:
    """A new assessment in Tromsø's report (of one of Drammen's criteria, so that it clashes
    with nothing Tromsø assessed)."""
    criterion = _rows(drammen, "criterion")[0]
    return _copy(_rows(tromso, "assessment")[0], criterion_id=criterion["id"], local_goal_id=None, comment="innsmett")


def _of_drammen(drammen: Path) -> dict:
    unit = _rows(drammen, "unit")[0]
    return {"municipality_id": unit["municipality_id"], "unit_id": unit["id"]}


# Each forgery puts one row of the importing municipality (Drammen) into Tromsø's, which is in
# the target database already: (table to forge, how, given Tromsø's export).
FORGERIES = {
    "a unit of Tromsø's": (
        "unit",
        lambda rows, tromso: rows.append(
            _copy(
                rows[0], municipality_id=_rows(tromso, "municipality")[0]["id"], org_number=None, name="Innsmett skole"
            )
        ),
    ),
    "an assessment in Tromsø's report": (
        "assessment",
        lambda rows, tromso: rows.append(_into_report_of(tromso, tromso.parent / "3301")),
    ),
    "a local plan on Tromsø's plan": (
        "local_plan",
        lambda rows, tromso: rows.append(_copy(_rows(tromso, "local_plan")[0], **_of_drammen(tromso.parent / "3301"))),
    ),
    "a change in Tromsø's feed": (
        "change_log",
        lambda rows, tromso: rows.append(
            {**rows[-1], "id": 10**9, "municipality_id": _rows(tromso, "municipality")[0]["id"]}
        ),
    ),
    "a change for a unit of Tromsø's": (
        "change_log",
        lambda rows, tromso: rows.append({**rows[-1], "id": 10**9, "unit_id": _rows(tromso, "unit")[0]["id"]}),
    ),
    "a change in the history of Tromsø's unit": (
        "change_log",
        lambda rows, tromso: rows.append(
            {**rows[-1], "id": 10**9, "entity_type": "Unit", "entity_id": _rows(tromso, "unit")[0]["id"]}
        ),
    ),
    "a figure of Tromsø's own indicator": (
        "indicator_value",
        lambda rows, tromso: rows.append({**_rows(tromso, "indicator_value")[0], "school_year": 2030}),
    ),
    "a national indicator": (
        "indicator",
        lambda rows, tromso: rows.append(
            _copy(_rows(tromso, "indicator")[0], municipality_id=None, source="udir", code="innsmett.indikator")
        ),
    ),
    "a follow-up meeting with a unit of Tromsø's": (
        "follow_up_meeting",
        lambda rows, tromso: rows.append(
            _copy(
                _rows(tromso, "follow_up_meeting")[0],
                municipality_id=_rows(tromso.parent / "3301", "municipality")[0]["id"],
            )
        ),
    ),
    "a competence need on Tromsø's plan area": (
        "competence_need",
        lambda rows, tromso: rows.append(
            _copy(
                _rows(tromso, "competence_need")[0], plan_id=_rows(tromso.parent / "3301", "competence_plan")[0]["id"]
            )
        ),
    ),
    "a change of an API key": (
        "change_log",
        lambda rows, tromso: rows.append({**rows[-1], "id": 10**9, "entity_type": "ApiKey"}),
    ),
}


@pytest.mark.parametrize("forgery", FORGERIES)
async def test_an_import_writes_nothing_outside_its_municipality(source, empty_database_url, tmp_path, forgery):
    tromso, drammen = tmp_path / "5501", tmp_path / "3301"
    await _export(source["database"], "5501", tromso)
    await _export(source["database"], "3301", drammen)
    table, change = FORGERIES[forgery]
    _forge(drammen, table, lambda rows: change(rows, tromso))
    target = await _migrated(empty_database_url)
    try:
        await _import(target, tromso)
        before = await _counts(target)
        with pytest.raises(bulk.BulkError, match=f"{table} row.*belong to another municipality.*Nothing was imported"):
            await _import(target, drammen)
        assert await _counts(target) == before
    finally:
        await target.dispose()


def test_the_cli_refuses_a_forged_import_and_writes_nothing(source, empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("KVALITET_DATABASE_URL", source["database"].url)
    tromso, drammen = tmp_path / "5501", tmp_path / "3301"
    for number, out in (("5501", tromso), ("3301", drammen)):
        assert runner.invoke(app, ["export", "--municipality", number, "--out", str(out)]).exit_code == 0
    table, change = FORGERIES["a unit of Tromsø's"]
    _forge(drammen, table, lambda rows: change(rows, tromso))
    monkeypatch.setenv("KVALITET_DATABASE_URL", empty_database_url)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["import", str(tromso)]).exit_code == 0
    result = runner.invoke(app, ["import", str(drammen)])
    assert result.exit_code == 1 and "unit row(s)" in result.stderr and "Nothing was imported" in result.stderr
    result = runner.invoke(app, ["export", "--municipality", "3301", "--out", str(tmp_path / "none")])
    assert result.exit_code == 1 and "No municipality 3301." in result.stderr
