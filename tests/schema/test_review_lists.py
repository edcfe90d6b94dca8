"""Lists of local plans and reports: filters, cursor pages, and `updatedSince` for syncing."""

import pytest

from tests.support.cycle import Cycle

LISTS = """query ($n: String!, $kind: UnitKind, $status: ReviewStatus, $since: DateTime, $first: Int, $after: String,
                  $year: Int, $period: String) {
  municipality(number: $n) {
    localPlans(unitKind: $kind, status: $status, updatedSince: $since, first: $first, after: $after) {
      totalCount nodes { id status updatedAt unit { name kind } } pageInfo { hasNextPage endCursor } }
    reports(unitKind: $kind, status: $status, updatedSince: $since, first: $first, after: $after, year: $year, period: $period) {
      totalCount nodes { id status year periodKey unit { name } } pageInfo { hasNextPage endCursor } }
  } }"""


@pytest.fixture
async def world(gql):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    plan = await cycle.adopted_plan(municipality["id"])
    units = [await cycle.unit(municipality["id"], f"Barnehage {i}", "KINDERGARTEN") for i in range(3)]
    units += [await cycle.unit(municipality["id"], f"Skole {i}", "SCHOOL") for i in range(2)]
    local_plans = [await cycle.local_plan(u["id"], plan["id"]) for u in units]
    reports = [await cycle.open_report(u["id"], 2025, "h1") for u in units]
    reports += [await cycle.open_report(units[0]["id"], 2025, "h2")]
    return cycle, plan, units, local_plans, reports


async def _lists(gql, **variables):
    return (await gql(LISTS, {"n": "9901", **variables}))["municipality"]


async def test_filters_by_unit_kind_status_year_and_period(gql, world):
    cycle, plan, units, local_plans, reports = world
    school_theme = next(a for a in await cycle.areas(plan["id"], "theme") if a["appliesTo"] == ["SCHOOL"])
    await cycle.local_goal(local_plans[3]["id"], school_theme["id"], "Et mål")
    assert (await cycle.submit_local_plan(local_plans[3]["id"]))["localPlan"]["status"] == "SUBMITTED"

    everything = await _lists(gql)
    assert everything["localPlans"]["totalCount"] == 5 and everything["reports"]["totalCount"] == 6
    schools = await _lists(gql, kind="SCHOOL")
    assert {n["unit"]["kind"] for n in schools["localPlans"]["nodes"]} == {"SCHOOL"}
    assert schools["reports"]["totalCount"] == 2
    submitted = await _lists(gql, status="SUBMITTED")
    assert [n["unit"]["name"] for n in submitted["localPlans"]["nodes"]] == ["Skole 0"]
    assert (await _lists(gql, period="h2"))["reports"]["totalCount"] == 1
    assert (await _lists(gql, year=2024))["reports"]["totalCount"] == 0
    unit_reports = (
        await gql(
            "query ($id: ID!) { node(id: $id) { ... on Unit { reports { totalCount } localPlans { totalCount } } } }",
            {"id": units[0]["id"]},
        )
    )["node"]
    assert unit_reports == {"reports": {"totalCount": 2}, "localPlans": {"totalCount": 1}}


async def test_pages_in_update_order_and_updated_since_gives_only_later_changes(gql, world):
    cycle, _, _, _, reports = world
    seen, after = [], None
    while True:
        page = (await _lists(gql, first=2, after=after))["reports"]
        seen += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [n["id"] for n in seen] == [r["id"] for r in reports]  # created in this order, never changed since

    mark = seen[-1]
    query = "query ($id: ID!) { node(id: $id) { ... on Report { updatedAt } } }"
    since = (await gql(query, {"id": mark["id"]}))["node"]["updatedAt"]
    for item in await cycle.items(reports[1]["id"]):
        await cycle.assess(reports[1]["id"], item, "2")
    assert (await cycle.submit_report(reports[1]["id"]))["report"]["status"] == "SUBMITTED"
    later = (await _lists(gql, since=since))["reports"]["nodes"]
    # `updatedSince` is inclusive: the mark itself, then the report changed after it.
    assert [n["id"] for n in later] == [mark["id"], reports[1]["id"]]
