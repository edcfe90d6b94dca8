"""A change's history in the API's own terms (`ChangeRecord.fieldChanges`)."""

from __future__ import annotations

from tests.support.cycle import Cycle

HISTORY = """query ($id: ID!) { node(id: $id) { ... on Versioned { history(first: 10) { edges { node {
    action actor fieldChanges { field old new } } } } } } }"""


async def test_history_speaks_the_apis_terms(gql):
    """Field names as the schema has them, enum values as GraphQL names, references as global ids."""
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    plan = await cycle.adopted_plan(municipality["id"])
    unit = await cycle.unit(municipality["id"], "Lia skole", "SCHOOL", "974760673")
    local = await cycle.local_plan(unit["id"], plan["id"])
    area = (await cycle.areas(plan["id"], "theme"))[0]
    await cycle.local_goal(local["id"], area["id"], "Meir lesing")
    await cycle.submit_local_plan(local["id"])

    edges = (await gql(HISTORY, {"id": local["id"]}))["node"]["history"]["edges"]
    created, submitted = (e["node"] for e in edges)
    assert created["action"] == "CREATE"
    said = {c["field"]: (c["old"], c["new"]) for c in created["fieldChanges"]}
    assert said["unit"] == (None, unit["id"]) and said["plan"] == (None, plan["id"])
    assert said["status"] == (None, "DRAFT")
    assert "unit_id" not in said and "unitId" not in said
    changed = {c["field"]: (c["old"], c["new"]) for c in submitted["fieldChanges"]}
    assert changed["status"] == ("DRAFT", "SUBMITTED")
    assert "submittedAt" in changed and changed["submittedAt"][0] is None

    unit_history = (await gql(HISTORY, {"id": unit["id"]}))["node"]["history"]["edges"]
    unit_said = {c["field"]: c["new"] for c in unit_history[0]["node"]["fieldChanges"]}
    assert unit_said["kind"] == "SCHOOL" and unit_said["orgNumber"] == "974760673"
    assert unit_said["municipality"] == municipality["id"]
