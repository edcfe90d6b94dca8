"""Who may do what with the report to the council, through the service as it runs (role-based
access, local tokens): the sector office makes, writes and publishes; a viewer reads the draft;
another municipality's admin, a unit leader and an anonymous reader see published editions only,
and nothing of the draft (not even that it exists). And each refusal a person can fix, typed and
in their language."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.cycle import PAYLOAD_ERRORS

CREATE = f"""mutation ($input: CreateCouncilReportInput!) {{ createCouncilReport(input: $input) {{
    councilReport {{ id version language sections {{ key version }} }} {PAYLOAD_ERRORS} }} }}"""
EDIT = f"""mutation ($input: EditCouncilReportSectionInput!) {{ editCouncilReportSection(input: $input) {{
    section {{ key text version }} {PAYLOAD_ERRORS} }} }}"""
PUBLISH = f"""mutation ($input: PublishCouncilReportInput!) {{ publishCouncilReport(input: $input) {{
    edition {{ number pageUrl content }} {PAYLOAD_ERRORS} }} }}"""
READ = """query ($n: String!) { municipality(number: $n) { id councilReport(year: 2025) { id sections { key } }
    councilReportEditions { number pageUrl sectorReport { id report { unitsByStatus { status count } } } } } }"""


@pytest.fixture
async def made(demo, gql_as, token):
    """Tromsø's 2025 draft, made by its sector admin: (admin client, draft, Tromsø's id)."""
    admin = gql_as(token("sector_admin", municipality="5501"))
    tromso = (await admin(READ, {"n": "5501"}))["municipality"]
    payload = (await admin(CREATE, {"input": {"municipalityId": tromso["id"], "year": 2025}}))["createCouncilReport"]
    assert payload["errors"] == []
    return admin, payload["councilReport"], tromso["id"]


async def test_only_the_sector_office_makes_writes_and_publishes(made, gql_as, token, secure_client):
    admin, draft, tromso_id = made
    section = draft["sections"][0]
    edit = {"reportId": draft["id"], "key": section["key"], "text": "Vurdering.", "version": section["version"]}

    # Another municipality's admin: may not make Tromsø's report, and cannot find its draft.
    drammen = gql_as(token("sector_admin", municipality="3301"))
    refused = (await drammen(CREATE, {"input": {"municipalityId": tromso_id, "year": 2026}}))["createCouncilReport"]
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    refused = (await drammen(EDIT, {"input": edit}))["editCouncilReportSection"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_FOUND", "reportId")]
    assert (await drammen(READ, {"n": "5501"}))["municipality"]["councilReport"] is None

    # A viewer of Tromsø reads the draft but may not write it; an anonymous reader sees nothing of it.
    viewer = gql_as(token("viewer", municipality="5501"))
    assert (await viewer(READ, {"n": "5501"}))["municipality"]["councilReport"]["id"] == draft["id"]
    refused = (await viewer(EDIT, {"input": edit}))["editCouncilReportSection"]
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    anonymous = gql_as(None)
    assert (await anonymous(READ, {"n": "5501"}))["municipality"]["councilReport"] is None
    assert (await secure_client.get("/meldinger/5501/2025/utkast")).status_code == 404

    # The sector admin writes and previews it; the preview is for those who may read the draft.
    assert (await admin(EDIT, {"input": edit}))["editCouncilReportSection"]["errors"] == []
    headers = {"Authorization": admin.headers["Authorization"]}
    preview = await secure_client.get("/meldinger/5501/2025/utkast", headers=headers)
    assert preview.status_code == 200 and "Forhåndsvisning" in preview.text and "<p>Vurdering.</p>" in preview.text
    assert preview.headers["cache-control"] == "no-store"
    other = {"Authorization": drammen.headers["Authorization"]}
    assert (await secure_client.get("/meldinger/5501/2025/utkast", headers=other)).status_code == 404
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await secure_client.get("/meldinger/5501/2025/utkast", headers=bad)).status_code == 404

    published = await admin(PUBLISH, {"input": {"id": draft["id"], "version": draft["version"]}})
    edition = published["publishCouncilReport"]["edition"]
    assert edition["number"] == 1

    # Everyone reads the edition; the sector report unit by unit only those who may read sector reports.
    for reader, sees_units in ((anonymous, False), (drammen, False), (viewer, True), (admin, True)):
        [seen] = (await reader(READ, {"n": "5501"}))["municipality"]["councilReportEditions"]
        assert seen["pageUrl"] == "/meldinger/5501/2025/1"
        assert (seen["sectorReport"] is not None) is sees_units
    assert (await secure_client.get(edition["pageUrl"])).status_code == 200
    page = await secure_client.get(edition["pageUrl"])
    assert page.status_code == 200 and "Demo" not in page.text  # counts only: no unit by name


async def test_refusals_are_typed_and_in_the_callers_language(made, gql_as, token):
    admin, draft, tromso_id = made
    section = draft["sections"][0]

    async def codes(query, name, input_, locale="en"):
        admin.headers["Accept-Language"] = locale
        payload = (await admin(query, {"input": input_}))[name]
        return [(e["code"], e["field"], e["message"]) for e in payload["errors"]]

    [(code, field, message)] = await codes(
        CREATE, "createCouncilReport", {"municipalityId": tromso_id, "year": 2025}, "nn"
    )
    assert (code, field) == ("DUPLICATE", "year") and message == "Kommunen har alt ei melding for 2025."
    [(code, field, _)] = await codes(CREATE, "createCouncilReport", {"municipalityId": tromso_id, "year": 1800})
    assert (code, field) == ("INVALID_VALUE", "year")
    [(code, field, _)] = await codes(
        CREATE, "createCouncilReport", {"municipalityId": tromso_id, "year": 2027, "period": "h9"}
    )
    assert (code, field) == ("INVALID_VALUE", "period")

    base = {"reportId": draft["id"], "key": section["key"], "text": "Tekst", "version": section["version"]}
    [(code, field, message)] = await codes(EDIT, "editCouncilReportSection", {**base, "key": "nope"}, "nb")
    assert (code, field) == ("INVALID_VALUE", "key") and "«nope» er ikke en del av meldingen." == message
    [(code, field, _)] = await codes(EDIT, "editCouncilReportSection", {**base, "text": "x" * 50_001})
    assert (code, field) == ("TOO_LONG", "text")
    drammen_measure = await _a_measure_of(gql_as(token("sector_admin", municipality="3301")), "3301")
    [(code, field, _)] = await codes(EDIT, "editCouncilReportSection", {**base, "measureIds": [drammen_measure]})
    assert (code, field) == ("NOT_FOUND", "measureIds")  # another municipality's: not revealed
    assert await codes(EDIT, "editCouncilReportSection", base) == []
    [(code, field, _)] = await codes(EDIT, "editCouncilReportSection", base)  # the version read before
    assert (code, field) == ("STALE_VERSION", "version")
    [(code, field, _)] = await codes(
        PUBLISH, "publishCouncilReport", {"id": draft["id"], "version": draft["version"] + 7}
    )
    assert (code, field) == ("STALE_VERSION", "version")


async def _a_measure_of(gql, number: str) -> str:
    query = """query ($n: String!) { municipality(number: $n) { plans { areas { measures { id } children {
        measures { id } children { measures { id } } } } } } }"""
    plans = (await gql(query, {"n": number}))["municipality"]["plans"]

    def walk(areas):
        for area in areas:
            yield from (m["id"] for m in area["measures"])
            yield from walk(area.get("children") or [])

    return next(m for plan in plans for m in walk(plan["areas"]))


async def test_a_report_in_nynorsk_is_shown_in_nynorsk(demo, gql_as, token, secure_client):
    admin = gql_as(token("sector_admin", municipality="1860"))
    vestvagoy = (await admin(READ, {"n": "1860"}))["municipality"]
    made = (await admin(CREATE, {"input": {"municipalityId": vestvagoy["id"], "year": 2025, "language": "NN"}}))[
        "createCouncilReport"
    ]
    assert made["errors"] == [] and made["councilReport"]["language"] == "NN"
    draft = made["councilReport"]
    edition = (await admin(PUBLISH, {"input": {"id": draft["id"], "version": draft["version"]}}))[
        "publishCouncilReport"
    ]["edition"]
    page = (await secure_client.get(edition["pageUrl"])).text
    assert '<html lang="nn">' in page and "Innhald" in page and "Læringsresultat" in page


async def test_a_section_naming_another_municipalitys_measure_shows_none_of_it(made, gql_as, token, database):
    """Ids written past the API (an import, a hand-edited row) name only the municipality's own
    measures where they are shown: in the API and in what an edition freezes."""
    import base64
    import uuid

    from sqlalchemy import text as sql

    admin, draft, _ = made
    foreign = await _a_measure_of(gql_as(token("sector_admin", municipality="3301")), "3301")
    foreign_uuid = uuid.UUID(base64.b64decode(foreign).decode().split(":", 1)[1])
    async with database.engine.begin() as connection:
        await connection.execute(
            sql("UPDATE council_report_section SET measure_ids = ARRAY[CAST(:m AS uuid)]"), {"m": str(foreign_uuid)}
        )
    query = """query ($n: String!) { municipality(number: $n) { councilReport(year: 2025) { sections {
        measures { id } } } } }"""
    sections = (await admin(query, {"n": "5501"}))["municipality"]["councilReport"]["sections"]
    assert sections and all(s["measures"] == [] for s in sections)
    edition = (await admin(PUBLISH, {"input": {"id": draft["id"], "version": draft["version"]}}))[
        "publishCouncilReport"
    ]["edition"]
    assert all(s["measures"] == [] for s in edition["content"]["sections"])


FEED = """query { changes(first: 20, entityTypes: ["CouncilReport", "CouncilReportSection", "SectorReport"]) {
    changes { entityType changes } } }"""
EXPORT = "subscription ($n: String!) { municipalityExport(number: $n, chunkSize: 500) { table } }"


async def test_a_key_that_may_not_read_sector_reports_gets_nothing_of_the_draft(made, gql_as, secure_client):
    """Neither through the change feed nor through an export: a key with `read` alone reads the
    municipality, not its drafts; with `sector_reports:read` too it reads both."""
    admin, draft, tromso_id = made
    section = draft["sections"][0]
    edit = {"reportId": draft["id"], "key": section["key"], "text": "Hemmelig utkast.", "version": section["version"]}
    assert (await admin(EDIT, {"input": edit}))["editCouncilReportSection"]["errors"] == []

    async def key(scopes: list[str]) -> str:
        made_key = await admin(
            "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }",
            {"input": {"municipalityId": tromso_id, "name": "+".join(scopes), "scopes": scopes}},
        )
        return made_key["createApiKey"]["key"]

    reader = gql_as(await key(["read"]))
    assert (await reader(FEED))["changes"]["changes"] == []
    assert "Hemmelig" not in str(await reader.raw(EXPORT, {"n": "5501"}))
    answer = await reader.raw(EXPORT, {"n": "5501"})
    assert answer.get("data") is None and answer["errors"], answer  # no export at all

    both = gql_as(await key(["read", "sector_reports:read"]))
    seen = (await both(FEED))["changes"]["changes"]
    assert {c["entityType"] for c in seen} >= {"CouncilReport", "CouncilReportSection"}
    assert "Hemmelig utkast." in str(seen)


async def test_concurrent_writes_are_refused_cleanly(made, gql_as, token):
    """Two drafts for one year at once, or two publishes of one version: one wins, the others
    get a typed error (never a 500); a superseded edition's change is recorded like any other."""
    import asyncio

    admin, draft, tromso_id = made
    create = {"input": {"municipalityId": tromso_id, "year": 2026}}
    answers = await asyncio.gather(*(admin.raw(CREATE, create) for _ in range(3)))
    payloads = [a["data"]["createCouncilReport"] for a in answers]  # no GraphQL error, no 500
    assert sum(1 for p in payloads if p["errors"] == []) == 1
    assert {e["code"] for p in payloads for e in p["errors"]} == {"DUPLICATE"}

    publish = {"input": {"id": draft["id"], "version": draft["version"]}}
    first, second = [
        a["data"]["publishCouncilReport"]
        for a in await asyncio.gather(*(admin.raw(PUBLISH, publish) for _ in range(2)))
    ]
    assert sorted([first["errors"] == [], second["errors"] == []]) == [False, True]
    assert [e["code"] for e in (first["errors"] or second["errors"])] == ["STALE_VERSION"]

    current = await admin(
        READ.replace("councilReport(year: 2025) { id", "councilReport(year: 2025) { id version"), {"n": "5501"}
    )
    version = current["municipality"]["councilReport"]["version"]
    again = (await admin(PUBLISH, {"input": {"id": draft["id"], "version": version}}))["publishCouncilReport"]
    assert again["errors"] == [] and again["edition"]["number"] == 2
    query = """query ($n: String!) { municipality(number: $n) { councilReportEditions(year: 2025) {
        number superseded version history { totalCount } } } }"""
    editions = {e["number"]: e for e in (await admin(query, {"n": "5501"}))["municipality"]["councilReportEditions"]}
    assert editions[1]["superseded"] and editions[1]["version"] == 2 and editions[1]["history"]["totalCount"] == 2
    assert not editions[2]["superseded"]


def test_figures_are_rounded_half_up_in_either_language():
    from kvalitet.council.render import number

    assert [number(v, 1, "nb") for v in ("4.05", "4.15", "3.949")] == ["4,1", "4,2", "3,9"]
    assert number("12.5", 0, "nn") == "13" and number(Decimal("4.25"), 1, "en") == "4.3"


async def test_only_a_submitted_reports_comments_may_be_quoted(made, gql):
    """A unit's comment in a draft report is not the sector office's to publish: NOT_FOUND until
    the report is submitted (then it is taken)."""
    from tests.support.cycle import Cycle

    admin, draft, tromso_id = made
    cycle = Cycle(gql)
    query = """query ($n: String!) { municipality(number: $n) { plans { id status }
        units(first: 20) { nodes { id kind } } } }"""
    tromso = (await gql(query, {"n": "5501"}))["municipality"]
    plan = next(p for p in tromso["plans"] if p["status"] == "ADOPTED")
    kindergarten = next(u for u in tromso["units"]["nodes"] if u["kind"] == "KINDERGARTEN")
    local = await cycle.local_plan(kindergarten["id"], plan["id"])
    [area] = (await cycle.areas(plan["id"], "quality_area"))[:1]
    await cycle.local_goal(local["id"], area["id"], "Alle barn blir sett.", "barn")
    report = await cycle.open_report(kindergarten["id"], 2025, "arlig")
    [item] = await cycle.items(report["id"])
    comment = (await cycle.assess(report["id"], item, "3", comment="Vi ser alle barna."))["id"]

    section = draft["sections"][0]
    base = {"reportId": draft["id"], "key": section["key"], "text": "Tekst", "version": section["version"]}
    refused = (await admin(EDIT, {"input": {**base, "commentIds": [comment]}}))["editCouncilReportSection"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_FOUND", "commentIds")]
    assert (await cycle.submit_report(report["id"]))["report"]["status"] == "SUBMITTED"
    taken = (await admin(EDIT, {"input": {**base, "commentIds": [comment]}}))["editCouncilReportSection"]
    assert taken["errors"] == []
