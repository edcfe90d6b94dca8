"""Rules of the cycle that hold for every profile: a report must assess something, an action
for a local goal is in the goal's area, and a unit owes no report for a period that ended
before it existed."""

from tests.cycle.test_cycle_tromso import PERSPECTIVES
from tests.support.cycle import Cycle


async def test_a_report_with_nothing_to_assess_is_refused(gql):
    # A Tromsø kindergarten with no fremtidsbilde yet: the plan has no criteria, so no items.
    cycle = Cycle(gql)
    tromso = await cycle.municipality("5501", "Tromsø", "tromso")
    await cycle.adopted_plan(tromso["id"])
    unit = await cycle.unit(tromso["id"], "Nordlys barnehage", "KINDERGARTEN")
    report = await cycle.open_report(unit["id"], 2024, (await _period(gql, "5501"))["key"])
    assert await cycle.items(report["id"]) == []
    refused = await cycle.submit_report(report["id"])
    assert refused["report"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOTHING_TO_ASSESS", "assessments")]
    status = await gql("query ($id: ID!) { node(id: $id) { ... on Report { status } } }", {"id": report["id"]})
    assert status["node"]["status"] == "DRAFT"


async def test_an_action_for_a_local_goal_counts_in_the_goals_area(gql):
    # Tromsø's fremtidsbilde needs a planned action in each quality area: an action given for a
    # goal of the area (localGoalId, no areaId) is one.
    cycle = Cycle(gql)
    _, plan, _, local = await cycle.kindergarten_on("5501", "Tromsø", "tromso")
    for area in await cycle.areas(plan["id"], "quality_area"):
        goals = [
            await cycle.local_goal(local["id"], area["id"], f"Mål for {area['title']} ({p})", p) for p in PERSPECTIVES
        ]
        await cycle.mutate(
            "addLocalAction",
            {"localPlanId": local["id"], "localGoalId": goals[0]["id"], "areaId": None, "text": "Aksjon"},
            "localAction { id }",
        )
        await cycle.section(local["id"], "tegn_pa_god_praksis", f"Vi ser det når … ({area['title']})", area["id"])
    submitted = await cycle.submit_local_plan(local["id"])
    assert submitted["errors"] == [] and submitted["localPlan"]["status"] == "SUBMITTED"


async def test_a_unit_created_after_a_period_owes_no_report_for_it(gql):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    for start, end in ((2024, 2027), (2098, 2099)):
        plan = await cycle.mutate(
            "createPlan",
            {"municipalityId": municipality["id"], "periodStart": start, "periodEnd": end},
            "plan { id version }",
        )
        await cycle.mutate(
            "adoptPlan", {"id": plan["plan"]["id"], "version": 1, "adoptedBy": "Kommunestyret"}, "plan { id }"
        )
    reporting = await cycle.unit(municipality["id"], "Rapporterende barnehage", "KINDERGARTEN")
    await cycle.unit(municipality["id"], "Ny barnehage", "KINDERGARTEN")  # created today
    await cycle.open_report(reporting["id"], 2025, "h1")

    # 2025's first half ended before the new unit existed: it is neither listed nor overdue.
    sector = await cycle.sector_report("9901", 2025, "h1")
    assert [u["name"] for u in sector["units"]] == ["Rapporterende barnehage"]
    assert [u["name"] for u in sector["overdueUnits"]] == ["Rapporterende barnehage"]
    assert cycle.statuses(sector)["not_opened"] == 0

    # A period that has not ended yet is the new unit's too.
    sector = await cycle.sector_report("9901", 2099, "h1")
    assert sorted(u["name"] for u in sector["units"]) == ["Ny barnehage", "Rapporterende barnehage"]
    assert sector["overdueUnits"] == []


async def _period(gql, number: str) -> dict:
    calendar = await gql(
        "query ($n: String!) { municipality(number: $n) { reportingCalendar(year: 2024) { key } } }", {"n": number}
    )
    return calendar["municipality"]["reportingCalendar"][0]


async def test_a_local_plan_takes_only_the_sections_its_profile_declares(gql):
    cycle = Cycle(gql)
    _, plan, _, local = await cycle.kindergarten_on("5501", "Tromsø", "tromso")
    quality_area = (await cycle.areas(plan["id"], "quality_area"))[0]
    strategy = (await cycle.areas(plan["id"], "strategy"))[0]

    declared = await gql(
        '{ profile(code: "tromso") { localPlanSections { key label { nb } perArea areaKinds required } } }'
    )
    assert declared["profile"]["localPlanSections"] == [
        {
            "key": "tegn_pa_god_praksis",
            "label": {"nb": "Tegn på god praksis"},
            "perArea": True,
            "areaKinds": ["quality_area"],
            "required": True,
        }
    ]
    refusals = [
        ({"key": "tegn_paa_god_praksis", "areaId": quality_area["id"]}, "INVALID_VALUE", "key"),  # a typo
        ({"key": "tegn_pa_god_praksis"}, "REQUIRED", "areaId"),  # written per area
        ({"key": "tegn_pa_god_praksis", "areaId": strategy["id"]}, "NOT_APPLICABLE", "areaId"),  # not a quality area
    ]
    for given, code, field in refusals:
        errors = await cycle.refused("saveLocalPlanSection", {"localPlanId": local["id"], "text": "Tekst", **given})
        assert [(e["code"], e["field"]) for e in errors] == [(code, field)], given
    assert (
        "sections: tegn_pa_god_praksis"
        in (await cycle.refused("saveLocalPlanSection", {"localPlanId": local["id"], "key": "notat", "text": "T"}))[0][
            "message"
        ]
    )
    saved = await cycle.section(local["id"], "tegn_pa_god_praksis", "Barna leker", quality_area["id"])
    sections = await gql(
        "query ($id: ID!) { node(id: $id) { ... on LocalPlan { sections { id key } } } }", {"id": local["id"]}
    )
    assert sections["node"]["sections"] == [{"id": saved["id"], "key": "tegn_pa_god_praksis"}]


async def test_a_section_for_the_whole_plan_takes_no_area(gql):
    cycle = Cycle(gql)
    vestvagoy = await cycle.municipality("1860", "Vestvågøy", "vestvagoy")
    plan = await cycle.adopted_plan(vestvagoy["id"])
    unit = await cycle.unit(vestvagoy["id"], "Ballstad skole", "SCHOOL")
    local = await cycle.local_plan(unit["id"], plan["id"])
    theme = (await cycle.areas(plan["id"], "theme"))[0]
    errors = await cycle.refused(
        "saveLocalPlanSection", {"localPlanId": local["id"], "key": "kartlegging", "text": "T", "areaId": theme["id"]}
    )
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_VALUE", "areaId")]
    await cycle.section(local["id"], "kartlegging", "Vi kartla lesing.")


async def test_the_sector_report_gives_its_areas_as_a_tree_and_progress_as_published(gql):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    plan = await cycle.adopted_plan(municipality["id"])
    unit = await cycle.unit(municipality["id"], "Barnehage", "KINDERGARTEN")
    # A second unit with no report and no local plan: the sector office's «who is missing»
    # (in a period that ends after it was made: 2027's first half).
    await cycle.unit(municipality["id"], "Ny barnehage", "KINDERGARTEN")
    local = await cycle.local_plan(unit["id"], plan["id"])
    report = await cycle.open_report(unit["id"], 2027, "h1")
    items = await cycle.assess_all(report["id"], lambda item: "1")
    assert (await cycle.submit_report(report["id"]))["errors"] == []
    query = """query ($n: String!) { municipality(number: $n) {
        sectorReport(year: 2027, period: "h1") {
          units { name reportStatus itemCount assessedCount localPlanId localPlanStatus }
          areas { key depth parentId } }
        publishedSectorReports { report {
          units { name reportStatus itemCount assessedCount localPlanId localPlanStatus } } } } }"""
    live = (await gql(query, {"n": "9901"}))["municipality"]["sectorReport"]
    assert live["units"] == [
        {
            "name": "Barnehage",
            "reportStatus": "SUBMITTED",
            "itemCount": len(items),
            "assessedCount": len(items),
            "localPlanId": local["id"],
            "localPlanStatus": "DRAFT",
        },
        {
            "name": "Ny barnehage",
            "reportStatus": "NOT_OPENED",
            "itemCount": None,
            "assessedCount": None,
            "localPlanId": None,
            "localPlanStatus": None,
        },
    ]
    depth = {a["key"]: (a["depth"], a["parentId"] is not None) for a in live["areas"]}
    assert depth["lek"] == (0, False) and depth["uteleik"] == (1, True)
    await cycle.mutate(
        "publishSectorReport",
        {"municipalityId": municipality["id"], "year": 2027, "period": "h1"},
        "sectorReport { id }",
    )
    # The snapshot keeps what the units had when it was published, whatever they do next.
    theme = (await cycle.areas(plan["id"], "theme"))[0]
    await cycle.local_goal(local["id"], theme["id"], "Mer lek ute")
    assert (await cycle.submit_local_plan(local["id"]))["errors"] == []
    now = (await gql(query, {"n": "9901"}))["municipality"]
    [published] = now["publishedSectorReports"]
    assert published["report"]["units"] == live["units"]
    assert now["sectorReport"]["units"][0]["localPlanStatus"] == "SUBMITTED"


REPORT_SCREEN = """query ($id: ID!) { node(id: $id) { ... on Report {
    progress { itemCount assessedCount missing { criterion { id } localGoal { id } area { id } } }
    findings { code path areaId criterionId localGoalId measureId } } } }"""


async def test_a_report_tells_its_progress_and_what_it_lacks(gql, statements):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    await cycle.adopted_plan(municipality["id"])
    unit = await cycle.unit(municipality["id"], "Barnehage", "KINDERGARTEN")
    report = await cycle.open_report(unit["id"], 2025, "h1")
    items = await cycle.items(report["id"])
    assert len(items) > 1

    screen = (await gql(REPORT_SCREEN, {"id": report["id"]}))["node"]
    assert screen["progress"]["itemCount"] == len(items) and screen["progress"]["assessedCount"] == 0
    missing = [
        {"criterionId": f["criterionId"], "localGoalId": f["localGoalId"], "areaId": f["areaId"]}
        for f in screen["findings"]
        if f["code"] == "MISSING_ASSESSMENT"
    ]
    assert missing == [
        {
            "criterionId": (i["criterion"] or {}).get("id"),
            "localGoalId": (i["localGoal"] or {}).get("id"),
            "areaId": m["area"]["id"],
        }
        for i, m in zip(items, screen["progress"]["missing"], strict=True)
    ]
    # validateReport answers the same findings, and submitReport refuses with them.
    validated = await cycle.mutate("validateReport", {"id": report["id"]}, "findings { code criterionId }")
    assert [f["code"] for f in validated["findings"]] == [f["code"] for f in screen["findings"]]
    refused = await cycle.submit_report(report["id"])
    assert [e["code"] for e in refused["errors"]] == [f["code"] for f in screen["findings"]]

    # All but the last assessed: one item missing, one finding, naming it.
    for item in items[:-1]:
        await cycle.assess(report["id"], item, "1")
    screen = (await gql(REPORT_SCREEN, {"id": report["id"]}))["node"]
    last = items[-1]
    assert screen["progress"]["assessedCount"] == len(items) - 1
    assert [m["criterion"] or m["localGoal"] for m in screen["progress"]["missing"]] == [
        {"id": (last["criterion"] or last["localGoal"])["id"]}
    ]
    assert [(f["code"], f["criterionId"] or f["localGoalId"]) for f in screen["findings"]] == [
        ("MISSING_ASSESSMENT", (last["criterion"] or last["localGoal"])["id"])
    ]
    await cycle.assess(report["id"], last, "2")
    screen = (await gql(REPORT_SCREEN, {"id": report["id"]}))["node"]
    assert screen["findings"] == [] and screen["progress"]["missing"] == []

    # A page of reports with their findings takes as many statements as one report.
    page = (
        '{ municipality(number: "9901") { reports(first: 20) { nodes { findings { code } progress { itemCount } } } } }'
    )
    statements.reset()
    await gql(page)
    one = statements.count
    for name in ("Barnehage 2", "Barnehage 3"):
        other = await cycle.unit(municipality["id"], name, "KINDERGARTEN")
        await cycle.open_report(other["id"], 2025, "h1")
    statements.reset()
    nodes = (await gql(page))["municipality"]["reports"]["nodes"]
    assert len(nodes) == 3 and statements.count == one
