"""A local plan's findings point at what they are about by id (`areaId`, `localGoalId`,
`actionId`, `sectionKey`), not only by the rules' free-form `path`."""

from __future__ import annotations

from tests.support.cycle import Cycle

FINDINGS = """query ($id: ID!) { node(id: $id) { ... on LocalPlan {
    findings { code path areaId localGoalId actionId sectionKey } } } }"""
VALIDATE = """mutation ($input: ValidateLocalPlanInput!) { validateLocalPlan(input: $input) {
    findings { code path areaId localGoalId actionId sectionKey } errors { code } } }"""


async def test_a_local_plans_findings_point_at_their_targets(gql):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("1860", "Vestvågøy", "vestvagoy")
    plan = await cycle.adopted_plan(municipality["id"])
    school = await cycle.unit(municipality["id"], "Ballstad skole", "SCHOOL")
    themes = {t["key"]: t for t in await cycle.areas(plan["id"], "theme")}
    local = await cycle.local_plan(school["id"], plan["id"])
    await cycle.local_goal(local["id"], themes["lederutvikling"]["id"], "Lederne gir tydelig retning")
    action = await cycle.action(local["id"], "Ledersamling", themes["lederutvikling"]["id"])  # no deadline

    found = (await gql(FINDINGS, {"id": local["id"]}))["node"]["findings"]
    validated = (await gql(VALIDATE, {"input": {"id": local["id"]}}))["validateLocalPlan"]["findings"]
    assert found == validated
    by_code: dict[str, list[dict]] = {}
    for f in found:
        by_code.setdefault(f["code"], []).append(f)
    [deadline] = by_code["MISSING_DEADLINE"]
    assert (deadline["path"], deadline["actionId"]) == ("actions/0/deadline", action["id"])
    unaddressed = {f["areaId"] for f in by_code["THEME_NOT_ADDRESSED"]}
    assert unaddressed == {t["id"] for key, t in themes.items() if key != "lederutvikling"}
    assert {f["sectionKey"] for f in by_code["MISSING_SECTION"]} == {"kartlegging", "analyse"}
    assert all(f["localGoalId"] is None for f in found)
