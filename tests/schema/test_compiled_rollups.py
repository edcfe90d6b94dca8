"""The live sector report (`kvalitet.services.sector_report_sql`) and the change feed's pages
(`kvalitet.schema.changes.feed_row`) on the compiled path answer as the default path does (the
roll-up in Python, `kvalitet.services.sector_reports.compute`; the feed's resolver), in one
statement, whatever the caller asks of them."""

from __future__ import annotations

import base64

import pytest

from tests.support.cycle import Cycle

ALL_FIELDS = """municipalityNumber planTitle year periodKey dueOn
    units { __typename unitId name kind unitKind status reportStatus overdue reportId }
    unitsByStatus { status reportStatus count }
    areas { areaId key kind title parentId depth assessments levels { level count }
            criteria { criterionId text levels { level count } }
            measures { measureId text levels { level count } } }
    overdueUnits { unitId name status overdue }"""

REPORT = """query ($n: String!, $y: Int!, $p: String!) { municipality(number: $n) { name
    sectorReport(year: $y, period: $p) { %s } } }"""


PLAN_AREAS = "query ($id: ID!) { node(id: $id) { ... on Plan { allAreas { id appliesTo } } } }"


@pytest.fixture
async def cycle_of_reports(gql) -> dict:
    """Drammen's plan (its schools assess its measures) with its units' reports for 2025 in every
    state: submitted, approved, returned, a draft, none; and a school's local goal assessed."""
    cycle = Cycle(gql)
    municipality = await cycle.municipality("3301", "Drammen", "drammen")
    plan = await cycle.adopted_plan(municipality["id"])
    levels = ["1", "2", "3", "4"]

    async def school(name: str, first_level: int, local_goal: str | None = None) -> str:
        unit = await cycle.unit(municipality["id"], name, "SCHOOL")
        if local_goal is not None:  # assessed as an item of the report, counted in its area
            local_plan = await cycle.local_plan(unit["id"], plan["id"])
            tree = await gql(PLAN_AREAS, {"id": plan["id"]})
            area = [a for a in tree["node"]["allAreas"] if "SCHOOL" in a["appliesTo"]][-1]
            await cycle.local_goal(local_plan["id"], area["id"], local_goal)
        report = await cycle.open_report(unit["id"], 2025, "arlig")
        items = await cycle.items(report["id"])
        for i, item in enumerate(items):
            await cycle.assess(report["id"], item, levels[(first_level + i) % 4], comment=f"Vurdering {i}")
        return report["id"]

    submitted = await school("Skole «Øst»", 0, local_goal="Alle elever skal bli sett")
    assert (await cycle.submit_report(submitted))["errors"] == []
    approved = await school("Skole Vest", 1)
    assert (await cycle.submit_report(approved))["errors"] == []
    await cycle.decide("approveReport", approved, "Godkjent", field="report")
    returned = await school("Skole Nord", 2)
    assert (await cycle.submit_report(returned))["errors"] == []
    await cycle.decide("returnReport", returned, "Mer om tiltakene", field="report")
    draft_unit = await cycle.unit(municipality["id"], "Skole Sør", "SCHOOL")
    draft = await cycle.open_report(draft_unit["id"], 2025, "arlig")
    await cycle.assess(draft["id"], (await cycle.items(draft["id"]))[0], "4")
    # Created now, after the period ended, without a report: they owe none for 2025.
    await cycle.unit(municipality["id"], "Ny skole", "SCHOOL")
    await cycle.unit(municipality["id"], "Barnehage Ærlig", "KINDERGARTEN")
    return {"number": "3301"}


async def test_the_whole_report_is_one_statement_with_the_default_paths_answer(both, cycle_of_reports):
    body = await both(REPORT % ALL_FIELDS, {"n": "3301", "y": 2025, "p": "arlig"})
    report = body["data"]["municipality"]["sectorReport"]
    statuses = {s["status"]: s["count"] for s in report["unitsByStatus"]}
    assert statuses == {"not_opened": 0, "draft": 1, "submitted": 1, "returned": 1, "approved": 1}
    assert {u["name"] for u in report["overdueUnits"]} == {"Skole Sør", "Skole Nord"}
    areas = report["areas"]
    # Criteria, measures and the local goal all counted; nested areas; areas of both kinds.
    assert any(a["measures"] and any(lv["count"] for m in a["measures"] for lv in m["levels"]) for a in areas)
    assert sum(a["assessments"] for a in areas) == sum(lv["count"] for a in areas for lv in a["levels"])


async def test_aliases_fragments_and_directives(both, cycle_of_reports):
    query = """query ($n: String!, $y: Int!, $p: String!, $no: Boolean!) { municipality(number: $n) {
        first: sectorReport(year: $y, period: $p) { ...counts due: dueOn units @skip(if: $no) { name } }
        second: sectorReport(year: $y, period: $p) { areas { k: key criteria @include(if: $no) { text } } } } }
        fragment counts on SectorReportData { unitsByStatus { n: count s: status } }"""
    await both(query, {"n": "3301", "y": 2025, "p": "arlig", "no": False})
    await both(query, {"n": "3301", "y": 2025, "p": "arlig", "no": True})


async def test_what_the_default_path_refuses_is_answered_by_it(both, cycle_of_reports):
    # A period the profile does not have, a year no plan covers, a year out of range: the
    # default path's errors, the same way.
    for year, period in ((2025, "h1"), (2040, "arlig"), (1800, "arlig")):
        body = await both(REPORT % "year", {"n": "3301", "y": year, "p": period}, compiled=False)
        assert body["errors"] and body["data"]["municipality"]["sectorReport"] is None
    # A period with no reports yet: every unit not opened.
    body = await both(REPORT % ALL_FIELDS, {"n": "3301", "y": 2026, "p": "arlig"})
    statuses = {s["status"]: s["count"] for s in body["data"]["municipality"]["sectorReport"]["unitsByStatus"]}
    assert statuses["not_opened"] == 6 and sum(statuses.values()) == 6


async def test_fields_read_through_resolvers_stay_on_the_default_path(both, cycle_of_reports):
    body = await both(
        REPORT % "units { name itemCount assessedCount localPlanId localPlanStatus }",
        {"n": "3301", "y": 2025, "p": "arlig"},
        compiled=False,
    )
    units = body["data"]["municipality"]["sectorReport"]["units"]
    assert any(u["itemCount"] for u in units) and any(u["localPlanId"] for u in units)


async def test_who_may_read_it_is_the_same_on_both_paths(both_as, token, gql):
    admin = token("sector_admin", municipality="3301")
    cycle = Cycle(gql)
    municipality = await cycle.municipality("3301", "Drammen", "drammen")
    await cycle.adopted_plan(municipality["id"])
    unit = await cycle.unit(municipality["id"], "Skole", "SCHOOL")
    await cycle.open_report(unit["id"], 2025, "arlig")
    callers = {
        "the sector admin": admin,
        "another municipality's admin": token("sector_admin", municipality="5501"),
        "the unit's leader": token("unit_leader", unit=base64.b64decode(unit["id"]).decode().split(":")[1]),
        "anonymous": None,
    }
    body = {"query": REPORT % "units { name status }", "variables": {"n": "3301", "y": 2025, "p": "arlig"}}
    seen = {}
    for caller, bearer in callers.items():
        municipality_seen = (await both_as(bearer, body))["data"]["municipality"]
        seen[caller] = municipality_seen and municipality_seen["sectorReport"]
    assert seen["the sector admin"]["units"] == [{"name": "Skole", "status": "draft"}]
    assert seen["the unit's leader"] is None and not seen["another municipality's admin"]


async def test_areas_at_every_depth_with_their_parents(both, gql):
    """The test profile's plan has an area below another, with a goal's criterion of its own."""
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    await cycle.adopted_plan(municipality["id"])
    for i, level in enumerate(["1", "2"]):
        unit = await cycle.unit(municipality["id"], f"Barnehage {i}", "KINDERGARTEN")
        report = await cycle.open_report(unit["id"], 2025, "h1")
        await cycle.assess_all(report["id"], lambda item, level=level: level)
        assert (await cycle.submit_report(report["id"]))["errors"] == []
    body = await both(REPORT % ALL_FIELDS, {"n": "9901", "y": 2025, "p": "h1"})
    areas = {a["key"]: a for a in body["data"]["municipality"]["sectorReport"]["areas"]}
    assert areas["uteleik"]["depth"] == 1 and areas["uteleik"]["parentId"] == areas["lek"]["areaId"]
    assert areas["lek"]["depth"] == 0 and areas["lek"]["parentId"] is None
    assert [lv["count"] for lv in areas["uteleik"]["levels"]][:2] == [1, 1]
    assert all(lv["count"] == 1 for c in areas["uteleik"]["criteria"] for lv in c["levels"][:2])


async def test_each_municipality_reads_its_own_plan_and_reports(both, gql):
    """Another municipality's reports for the same period, opened first, and its adopted plan
    for the same year: neither is this one's."""
    cycle = Cycle(gql)
    for number, level in (("9902", "1"), ("9901", "2")):
        municipality = await cycle.municipality(number, f"Kommune {number}", "testprofil")
        await cycle.adopted_plan(municipality["id"])
        unit = await cycle.unit(municipality["id"], f"Barnehage {number}", "KINDERGARTEN")
        report = await cycle.open_report(unit["id"], 2025, "h1")
        await cycle.assess_all(report["id"], lambda item, level=level: level)
        assert (await cycle.submit_report(report["id"]))["errors"] == []
    for number, level in (("9901", "2"), ("9902", "1")):
        body = await both(REPORT % ALL_FIELDS, {"n": number, "y": 2025, "p": "h1"})
        report = body["data"]["municipality"]["sectorReport"]
        assert [u["name"] for u in report["units"]] == [f"Barnehage {number}"]
        counted = {lv["level"] for a in report["areas"] for lv in a["levels"] if lv["count"]}
        assert counted == {level}


FEED = """query ($after: String, $first: Int, $types: [String!]) {
    changes(after: $after, first: $first, entityTypes: $types) {
        __typename endCursor hasMore changes { __typename cursor at actor action entityType entityId changes } } }"""


async def test_the_change_feed_page_by_page(both, cycle_of_reports):
    after, pages, seen = None, 0, []
    while True:
        feed = (await both(FEED, {"after": after, "first": 7}))["data"]["changes"]
        seen += feed["changes"]
        pages += 1
        if not feed["hasMore"]:
            break
        after = feed["endCursor"]
    assert pages > 3 and len({c["cursor"] for c in seen}) == len(seen)
    assert {c["action"] for c in seen} >= {"CREATE", "UPDATE"}
    assert {c["entityType"] for c in seen} >= {"Municipality", "Unit", "Report", "Assessment"}
    # Nothing new: the same cursor back, and no changes.
    last = (await both(FEED, {"after": feed["endCursor"], "first": 7}))["data"]["changes"]
    assert last["changes"] == [] and last["endCursor"] == feed["endCursor"] and not last["hasMore"]
    # Of some types only, aliased and in fragments.
    only = await both(
        """query ($types: [String!]) { changes(entityTypes: $types, first: 5) { more: hasMore
            changes { ... on Change { id: entityId kind: entityType } } } }""",
        {"types": ["Report", "Unit"]},
    )
    kinds = {c["kind"] for c in only["data"]["changes"]["changes"]}
    assert kinds and kinds <= {"Report", "Unit"}


async def test_what_the_feed_refuses_is_answered_by_the_default_path(both, cycle_of_reports):
    for variables in ({"after": "bm90IGEgY3Vyc29y"}, {"first": 10_000}, {"types": ["Not a type"]}):
        body = await both(FEED, variables, compiled=False)
        assert body["errors"]


async def test_each_caller_sees_its_own_changes_on_both_paths(both_as, token, gql):
    cycle = Cycle(gql)
    for number, name, profile in (("3301", "Drammen", "drammen"), ("5501", "Tromsø", "tromso")):
        municipality = await cycle.municipality(number, name, profile)
        await cycle.unit(municipality["id"], f"Skole i {name}", "SCHOOL")
    callers = {
        "Drammen's admin": token("sector_admin", municipality="3301"),
        "Tromsø's admin": token("sector_admin", municipality="5501"),
        "anonymous": None,
    }
    seen = {}
    for caller, bearer in callers.items():
        feed = (await both_as(bearer, {"query": FEED, "variables": {"first": 20}}))["data"]["changes"]
        seen[caller] = {c["entityId"] for c in feed["changes"]}
    assert seen["Drammen's admin"] and seen["Tromsø's admin"]
    assert not seen["Drammen's admin"] & seen["Tromsø's admin"] and seen["anonymous"] == set()
