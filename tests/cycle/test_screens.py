"""The cycle's screens, each one request, as a front end asks them with a person's token, in
nynorsk: the unit leader's home, the report form with its progress, the local plan with its
findings, and the sector office's overview with the units missing and overdue."""

from __future__ import annotations

from tests.support.cycle import Cycle

HOME = """{ me { roles { role permissions unit { id name kind kindLabel
    localPlans(first: 5) { edges { node { id status statusLabel } } }
    reports(first: 5) { edges { node { id year periodKey dueOn isOverdue status statusLabel
      progress { itemCount assessedCount } } } } } } } }"""

REPORT_FORM = """query ($id: ID!) { node(id: $id) { ... on Report { status statusLabel dueOn
    progress { itemCount assessedCount missing { criterion { id } localGoal { id } } }
    items { area { title kindLabel } criterion { text } localGoal { text perspectiveLabel }
      assessment { level levelLabel comment } }
    findings { code message areaId } } } }"""

LOCAL_PLAN = """query ($id: ID!) { node(id: $id) { ... on LocalPlan { status statusLabel submittedBy
    goals { text area { title } } actions { text statusLabel }
    findings { code message } reviewEvents { actor statusLabel comment } } } }"""

OVERVIEW = """{ municipality(number: "9901") { name sectorReport(year: 2027, period: "h1") {
    dueOn units { name unitKind reportStatus overdue itemCount assessedCount localPlanStatus }
    unitsByStatus { reportStatus count } } } }"""


async def test_each_screen_is_one_request_in_the_callers_language(gql, gql_as, token):
    setup = Cycle(gql)
    municipality = await setup.municipality("9901", "Testkommune", "testprofil")
    plan = await setup.adopted_plan(municipality["id"])
    lia = await setup.unit(municipality["id"], "Lia barnehage", "KINDERGARTEN", "974760673")
    await setup.unit(municipality["id"], "Berg barnehage", "KINDERGARTEN")
    theme = (await setup.areas(plan["id"], "theme"))[0]

    leader_client = gql_as(token("unit_leader", unit="974760673", subject="styrar.lia"))
    office_client = gql_as(token("sector_admin", municipality="9901", subject="sektorkontoret"))
    for client in (leader_client, office_client):
        client.headers["Accept-Language"] = "nn"
    leader = Cycle(leader_client)

    # The unit leader's work: a local plan with one goal, and the report half assessed.
    local = await leader.local_plan(lia["id"], plan["id"])
    await leader.local_goal(local["id"], theme["id"], "Meir leik ute")
    await leader.action(local["id"], "Uteleik kvar dag", theme["id"])
    report = await leader.open_report(lia["id"], 2027, "h1")
    items = await leader.items(report["id"])
    half = len(items) // 2
    for item in items[:half]:
        await leader.assess(report["id"], item, "2")

    home = await leader_client(HOME)
    [role] = home["me"]["roles"]
    unit = role["unit"]
    assert (role["role"], unit["name"], unit["kindLabel"]) == ("unit_leader", "Lia barnehage", "Barnehage")
    assert "reports:submit" in role["permissions"]
    [own_local] = [e["node"] for e in unit["localPlans"]["edges"]]
    [own_report] = [e["node"] for e in unit["reports"]["edges"]]
    assert (own_local["status"], own_local["statusLabel"]) == ("DRAFT", "Utkast")
    assert own_report["progress"] == {"itemCount": len(items), "assessedCount": half}
    assert (own_report["statusLabel"], own_report["dueOn"]) == ("Utkast", "2027-08-15")

    form = (await leader_client(REPORT_FORM, {"id": report["id"]}))["node"]
    assert form["progress"]["itemCount"] == len(items) and form["progress"]["assessedCount"] == half
    assert len(form["progress"]["missing"]) == len(items) - half
    assessed = [i["assessment"] for i in form["items"] if i["assessment"]]
    assert {(a["level"], a["levelLabel"]) for a in assessed} == {("2", "Etablert")}

    plan_screen = (await leader_client(LOCAL_PLAN, {"id": local["id"]}))["node"]
    assert [g["text"] for g in plan_screen["goals"]] == ["Meir leik ute"]
    assert [a["statusLabel"] for a in plan_screen["actions"]] == ["Planlagd"]
    assert plan_screen["findings"] == []  # complete by the test profile's rule (a goal)
    assert (await leader.submit_local_plan(local["id"]))["errors"] == []

    overview = (await office_client(OVERVIEW))["municipality"]["sectorReport"]
    rows = {u["name"]: u for u in overview["units"]}
    assert rows["Lia barnehage"]["reportStatus"] == "DRAFT"
    assert (rows["Lia barnehage"]["itemCount"], rows["Lia barnehage"]["assessedCount"]) == (len(items), half)
    assert rows["Lia barnehage"]["localPlanStatus"] == "SUBMITTED"
    # The unit with nothing yet: no report, no local plan.
    assert (rows["Berg barnehage"]["reportStatus"], rows["Berg barnehage"]["localPlanStatus"]) == ("NOT_OPENED", None)
    counted = {c["reportStatus"]: c["count"] for c in overview["unitsByStatus"]}
    assert counted["DRAFT"] == 1 and counted["NOT_OPENED"] == 1

    # The sector office's view of the plan's review, and the unit leader's, agree.
    plan_screen = (await office_client(LOCAL_PLAN, {"id": local["id"]}))["node"]
    assert plan_screen["submittedBy"] == "user:styrar.lia"
    assert [(e["actor"], e["statusLabel"]) for e in plan_screen["reviewEvents"]] == [("user:styrar.lia", "Sendt inn")]
