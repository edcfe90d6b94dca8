"""Roll-ups ask the database for counts: the statements a sector report takes do not grow with
the units, reports and assessments it counts, and its numbers are those of the assessments."""

from __future__ import annotations

from tests.support.cycle import Cycle


async def _submitted_kindergarten(cycle: Cycle, municipality_id: str, name: str, level: str) -> int:
    """A kindergarten with a submitted report, every item assessed at `level`; its item count."""
    unit = await cycle.unit(municipality_id, name, "KINDERGARTEN")
    report = await cycle.open_report(unit["id"], 2025, "h1")
    items = await cycle.assess_all(report["id"], lambda item: level)
    assert (await cycle.submit_report(report["id"]))["errors"] == []
    return len(items)


async def test_the_sector_report_takes_as_many_statements_for_many_units_as_for_one(gql, statements):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    await cycle.adopted_plan(municipality["id"])
    items = await _submitted_kindergarten(cycle, municipality["id"], "Barnehage 0", "1")
    await cycle.unit(municipality["id"], "Barnehage uten rapport", "KINDERGARTEN")

    statements.reset()
    one = await cycle.sector_report("9901", 2025, "h1")
    few = statements.count
    for i in range(1, 4):
        await _submitted_kindergarten(cycle, municipality["id"], f"Barnehage {i}", "2")
    statements.reset()
    four = await cycle.sector_report("9901", 2025, "h1")

    assert statements.count == few
    assert Cycle.statuses(one)["submitted"] == 1 and Cycle.statuses(four)["submitted"] == 4
    assert Cycle.statuses(four)["not_opened"] == 0  # created after the period ended: it owes none
    counted = {lv["level"]: 0 for lv in four["areas"][0]["levels"]}
    for area in four["areas"]:
        for level in area["levels"]:
            counted[level["level"]] += level["count"]
    assert counted == {"1": items, "2": 3 * items}
    assert sum(area["assessments"] for area in four["areas"]) == 4 * items


REPORTS = """{ municipality(number: "9901") { reports(first: 20) { nodes { id isOverdue
    items { area { key } criterion { id } localGoal { id } assessment { level } } } } } }"""
ONE = """query ($id: ID!) { node(id: $id) { ... on Report { id isOverdue
    items { area { key } criterion { id } localGoal { id } assessment { level } } } } }"""


async def test_report_items_take_as_many_statements_for_many_reports_as_for_one(gql, statements):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    await cycle.adopted_plan(municipality["id"])
    await _submitted_kindergarten(cycle, municipality["id"], "Barnehage 0", "1")

    statements.reset()
    await gql(REPORTS)
    few = statements.count
    for i in range(1, 4):
        await _submitted_kindergarten(cycle, municipality["id"], f"Barnehage {i}", "2")
    school = await cycle.unit(municipality["id"], "Skole", "SCHOOL")
    await cycle.open_report(school["id"], 2025, "h1")
    statements.reset()
    many = (await gql(REPORTS))["municipality"]["reports"]["nodes"]
    assert statements.count == few and len(many) == 5

    # Each report's items as it alone gives them.
    for report in many:
        assert (await gql(ONE, {"id": report["id"]}))["node"] == report
    levels = sorted({a["assessment"]["level"] for r in many for a in r["items"] if a["assessment"]})
    assert levels == ["1", "2"]


PLANS = '{ municipality(number: "9901") { localPlans(first: 20) { nodes { id findings { code message path } } } } }'
ONE_PLAN = "query ($id: ID!) { node(id: $id) { ... on LocalPlan { id findings { code message path } } } }"


async def test_local_plan_findings_take_as_many_statements_for_many_plans_as_for_one(gql, statements):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    plan = await cycle.adopted_plan(municipality["id"])
    school = await cycle.unit(municipality["id"], "Skole 0", "SCHOOL")
    await cycle.local_plan(school["id"], plan["id"])

    await gql(PLANS)  # the adopted plan's areas are read here, and kept (kvalitet.services.plan_areas)
    statements.reset()
    await gql(PLANS)
    few = statements.count
    theme = next(a for a in await cycle.areas(plan["id"], "theme") if a["appliesTo"] == ["SCHOOL"])
    for i in range(1, 4):
        unit = await cycle.unit(municipality["id"], f"Skole {i}", "SCHOOL")
        local = await cycle.local_plan(unit["id"], plan["id"])
        if i % 2:
            await cycle.local_goal(local["id"], theme["id"], "Et mål")
    kindergarten = await cycle.unit(municipality["id"], "Barnehage", "KINDERGARTEN")
    await cycle.local_plan(kindergarten["id"], plan["id"])
    statements.reset()
    many = (await gql(PLANS))["municipality"]["localPlans"]["nodes"]
    assert statements.count == few and len(many) == 5

    for local_plan in many:
        assert (await gql(ONE_PLAN, {"id": local_plan["id"]}))["node"] == local_plan
    assert any(p["findings"] for p in many) and any(not p["findings"] for p in many)
