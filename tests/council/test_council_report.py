"""The yearly report to the council through GraphQL and its renditions over HTTP, as a sector
office and a reader use them: Tromsø's draft made from reports the test submits and the
indicator fixtures it imports, a section written, an edition published and read as a page and a
PDF, the data changed underneath, and a second edition superseding the first.

The figures are checked against what the test computes itself: the levels from the assessments
it entered, the indicator figures from the rows it imported (read straight from the table)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import text as sql

from tests.support.cycle import Cycle
from tests.support.udir import import_fixtures

DRAFT = """query ($n: String!, $y: Int!) { municipality(number: $n) { councilReport(year: $y) {
    id version year periodKey language figuresDrawnAt previewUrl
    sections { id key title text version measures { id text } history { totalCount } }
    editions { number superseded pageUrl } } } }"""
EDITION = "edition { id number superseded supersededAt pageUrl pdfUrl title language content }"
QUOTED = "Barna leker mer ute når voksne er med."
TROMSO_AREAS = (
    "barn-og-unges-livsmestring",
    "laget-rundt-barn-og-unge",
    "den-livslange-laeringen",
    "profesjonsfelleskap-i-utvikling",
)


async def _tromso_year(gql, levels: dict[str, list[str]]) -> tuple[dict, dict, str]:
    """Tromsø with its plan adopted, a kindergarten whose local plan has a goal per quality area
    for each level in `levels[area key]`, and its 2024 report assessed so (the first assessment
    with the comment `QUOTED`, whose id is returned) and submitted."""
    cycle = Cycle(gql)
    tromso = await cycle.municipality("5501", "Tromsø", "tromso")
    plan = await cycle.adopted_plan(tromso["id"], "Oppvekst- og utdanningsutvalget")
    kindergarten = await cycle.unit(tromso["id"], "Nordlys barnehage", "KINDERGARTEN", "974760673")
    # A school with Udir figures of its own (suppressed in 2021-22 and 2022-23), which reports nothing.
    await cycle.unit(tromso["id"], "Fjellheisen montessoriskole", "SCHOOL", "991100024")
    local = await cycle.local_plan(kindergarten["id"], plan["id"])
    areas = {a["key"]: a for a in await cycle.areas(plan["id"], "quality_area")}
    goal_level = {}
    for key, wanted in levels.items():
        for index, level in enumerate(wanted):
            goal = await cycle.local_goal(local["id"], areas[key]["id"], f"Mål {index} for {key}", "barn")
            goal_level[goal["id"]] = level
    report = await cycle.open_report(kindergarten["id"], 2024, "arlig")
    commented = None
    for item in await cycle.items(report["id"]):
        comment = None if commented else QUOTED
        assessment = await cycle.assess(report["id"], item, goal_level[item["localGoal"]["id"]], comment=comment)
        commented = commented or assessment["id"]
    assert (await cycle.submit_report(report["id"]))["report"]["status"] == "SUBMITTED"
    return tromso, plan, commented


async def _measure_of(gql, plan_id: str) -> dict:
    query = """query ($id: ID!) { node(id: $id) { ... on Plan { areas { measures { id text } children {
        measures { id text } } } } } }"""
    areas = (await gql(query, {"id": plan_id}))["node"]["areas"]
    return next(m for a in areas for m in [*a["measures"], *(m for c in a["children"] for m in c["measures"])])


async def _indicator_rows(database, code: str) -> dict[tuple[str, str, int], Decimal | None]:
    """(level, grade, school year) → value of the indicator's rows for Tromsø (both numbers), Troms
    and the nation, read straight from the table (gender: all)."""
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            sql(
                """SELECT v.level, v.grade, v.school_year, v.value, v.status FROM indicator_value v
                   JOIN indicator i ON i.id = v.indicator_id
                   WHERE i.code = :code AND v.gender = 'all'
                     AND (v.level = 'nation' OR (v.level = 'municipality' AND v.code IN ('5501', '5401'))
                          OR (v.level = 'county' AND v.code = '55'))"""
            ),
            {"code": code},
        )
        return {(r.level, r.grade, r.school_year): (r.value if r.status == "reported" else None) for r in rows.all()}


async def _unit_row(database, code: str, org_number: str, grade: str, year: int) -> Decimal | None:
    async with database.engine.connect() as connection:
        return await connection.scalar(
            sql(
                """SELECT v.value FROM indicator_value v JOIN indicator i ON i.id = v.indicator_id
                   WHERE i.code = :code AND v.level = 'unit' AND v.code = :unit AND v.grade = :grade
                     AND v.school_year = :year AND v.gender = 'all'"""
            ),
            {"code": code, "unit": org_number, "grade": grade, "year": year},
        )


async def test_a_year_is_published_frozen_and_superseded(gql, client, database):
    entered = {TROMSO_AREAS[0]: ["3", "3", "2"], TROMSO_AREAS[3]: ["4", "1"]}
    tromso, plan, commented = await _tromso_year(gql, entered)
    await import_fixtures(database)
    cycle = Cycle(gql)

    made = await cycle.mutate(
        "createCouncilReport",
        {"municipalityId": tromso["id"], "year": 2024},
        "councilReport { id version periodKey language sections { key title version } }",
    )
    draft = made["councilReport"]
    assert draft["periodKey"] == "arlig" and draft["language"] == "NB"  # the profile's period and standard
    keys = [s["key"] for s in draft["sections"]]
    assert keys[:3] == ["laeringsmiljo", "laeringsresultat", "gjennomforing"]
    assert set(TROMSO_AREAS) <= set(keys)

    measure = await _measure_of(gql, plan["id"])
    section = next(s for s in draft["sections"] if s["key"] == "laeringsmiljo")
    written = await cycle.mutate(
        "editCouncilReportSection",
        {
            "reportId": draft["id"],
            "key": "laeringsmiljo",
            "text": "Elevene trives.\n\nMobbingen går ned.",
            "measureIds": [measure["id"]],
            "commentIds": [commented],
            "version": section["version"],
        },
        "section { key text version measures { id } comments { id comment } history { totalCount } }",
    )
    assert written["section"]["measures"] == [{"id": measure["id"]}]
    assert written["section"]["comments"] == [{"id": commented, "comment": QUOTED}]
    assert written["section"]["history"]["totalCount"] == 2  # made, then written

    first = (await cycle.mutate("publishCouncilReport", {"id": draft["id"], "version": draft["version"]}, EDITION))[
        "edition"
    ]
    assert first["number"] == 1 and not first["superseded"] and first["pageUrl"] == "/meldinger/5501/2024/1"
    assert first["title"] == "Kvalitets- og utviklingsmelding 2024"

    # The roll-up equals the levels the test entered, area by area.
    content = first["content"]
    sections = {s["key"]: s for s in content["sections"]}
    for key, wanted in entered.items():
        [area] = sections[key]["rollup"]["areas"]
        assert {lv["level"]: lv["count"] for lv in area["levels"] if lv["count"]} == Counter(wanted)
    assert sections[TROMSO_AREAS[1]]["rollup"]["areas"] == []  # nothing assessed there
    # The school, made after 2024 and with no report for it, owes none (as in the sector report).
    assert sections[TROMSO_AREAS[0]]["rollup"]["units"] == {"total": 1, "counted": 1}
    assert sections["laeringsmiljo"]["text"] == "Elevene trives.\n\nMobbingen går ned."
    assert sections["laeringsmiljo"]["measures"] == [measure["text"]]
    assert sections["laeringsmiljo"]["comments"] == [{"unit": "Nordlys barnehage", "text": QUOTED}]

    # The indicator figures equal the imported rows, year by year, for the municipality, county and nation.
    [trivsel] = [s for s in sections["laeringsmiljo"]["indicators"] if s["code"] == "eu.trivsel" and s["grade"] == "7"]
    rows = await _indicator_rows(database, "eu.trivsel")
    assert trivsel["points"], "the fixtures have Elevundersøkelsen for Tromsø"
    for point in trivsel["points"]:
        year = point["school_year"]
        own = rows.get(("municipality", "7", year))
        shown = point["municipality"]
        assert (Decimal(shown["value"]) if shown and shown["value"] else None) == own
        nation = point["nation"]
        assert (Decimal(nation["value"]) if nation and nation["value"] else None) == rows.get(("nation", "7", year))

    # Each school's own figure, the latest year it has one (2024-25: the report is for 2024).
    units = {(u["code"], u["grade"]): u for u in sections["laeringsmiljo"]["units"]}
    [own] = units[("eu.trivsel", "7")]["units"]
    assert (own["unit"], own["school_year"], own["figure"]["status"]) == (
        "Fjellheisen montessoriskole",
        2024,
        "reported",
    )
    assert Decimal(own["figure"]["value"]) == (await _unit_row(database, "eu.trivsel", "991100024", "7", 2024))

    # The page: every section's title, the text, a chart with its table, in the report's language.
    page = await client.get(first["pageUrl"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="nb">' in html
    for section in draft["sections"]:
        assert f">{section['title']}</h2>" in html
    assert "<p>Mobbingen går ned.</p>" in html and 'role="img"' in html and "<caption>" in html
    assert '<th scope="row">Fjellheisen montessoriskole</th>' in html
    assert f"<blockquote><p>{QUOTED}</p></blockquote>" in html and "<figcaption>Nordlys barnehage</figcaption>" in html

    # Later changes reach the draft when refreshed, never the published edition.
    before = page.text
    async with database.engine.begin() as connection:
        await connection.execute(sql("UPDATE indicator_value SET value = value + 1 WHERE level = 'nation'"))
        await connection.execute(sql("UPDATE assessment SET level = '1'"))
    refreshed = (await gql(DRAFT, {"n": "5501", "y": 2024}))["municipality"]["councilReport"]
    redrawn = await cycle.mutate(
        "refreshCouncilReportFigures",
        {"id": refreshed["id"], "version": refreshed["version"]},
        "councilReport { id version figuresDrawnAt }",
    )
    assert redrawn["councilReport"]["figuresDrawnAt"] > refreshed["figuresDrawnAt"]
    again = await gql('{ municipality(number: "5501") { councilReportEditions { number content } } }')
    [still] = again["municipality"]["councilReportEditions"]
    assert still["content"] == content
    assert (await client.get(first["pageUrl"])).text == before

    # A second edition supersedes the first, which stays readable and says so.
    second = (
        await cycle.mutate(
            "publishCouncilReport",
            {"id": redrawn["councilReport"]["id"], "version": redrawn["councilReport"]["version"]},
            EDITION,
        )
    )["edition"]
    assert second["number"] == 2
    editions = (await gql(DRAFT, {"n": "5501", "y": 2024}))["municipality"]["councilReport"]["editions"]
    assert [(e["number"], e["superseded"]) for e in editions] == [(1, True), (2, False)]
    old = await client.get(first["pageUrl"])
    assert "Denne utgaven er erstattet av utgave 2." in old.text
    current = await client.get("/meldinger/5501/2024", follow_redirects=False)
    assert current.status_code == 302 and current.headers["location"] == second["pageUrl"]
    levels = {a["key"]: a for s in second["content"]["sections"] if s.get("rollup") for a in s["rollup"]["areas"]}
    assert {lv["level"]: lv["count"] for lv in levels[TROMSO_AREAS[0]]["levels"] if lv["count"]} == {"1": 3}

    # One mechanism: each edition's roll-up part is a published sector report, listed as ever.
    query = """{ municipality(number: "5501") { publishedSectorReports { id year periodKey }
        councilReportEditions { number sectorReport { id report { unitsByStatus { status count } } } } } }"""
    both = (await gql(query))["municipality"]
    parts = {e["number"]: e["sectorReport"] for e in both["councilReportEditions"]}
    assert {p["id"] for p in both["publishedSectorReports"]} == {parts[1]["id"], parts[2]["id"]}
    statuses = {s["status"]: s["count"] for s in parts[1]["report"]["unitsByStatus"]}
    assert statuses["submitted"] == 1  # as drawn for the first edition (the report was submitted then)

    # The PDF: made once, then the same bytes.
    pdf = await client.get(first["pdfUrl"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert (await client.get(first["pdfUrl"])).content == pdf.content


@pytest.mark.parametrize(
    "path",
    [
        "/meldinger/5501/2024/1",
        "/meldinger/5501/2024/1.pdf",
        "/meldinger/5501/2024",
        "/meldinger/abcd/2024/1",
        "/meldinger/5501/99999/1",
        "/meldinger/5501/2024/utkast",
        "/meldinger/5501/2024/99999999999",
        "/meldinger/5501/2024/99999999999.pdf",
        "/meldinger/5501/2024/0",
    ],
)
async def test_what_does_not_exist_is_a_page_saying_so(client, path):
    answer = await client.get(path, headers={"accept-language": "nn"})
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert '<html lang="nn">' in answer.text and "Fann" in answer.text
