"""Edges of the review cycle: goals that are assessed, local plans made after a report, and
comments that belong to one decision."""

import pytest

from tests.support.cycle import Cycle


@pytest.fixture
async def world(gql):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    plan = await cycle.adopted_plan(municipality["id"])
    unit = await cycle.unit(municipality["id"], "Skogly skole", "SCHOOL")
    school_theme = next(a for a in await cycle.areas(plan["id"], "theme") if a["appliesTo"] == ["SCHOOL"])
    return cycle, plan, unit, school_theme


async def test_a_report_opened_before_the_local_plan_assesses_its_goals(gql, world):
    cycle, plan, unit, theme = world
    report = await cycle.open_report(unit["id"], 2025, "h1")
    criteria = await cycle.items(report["id"])
    assert criteria and all(i["criterion"] for i in criteria)
    local = await cycle.local_plan(unit["id"], plan["id"])
    goal = await cycle.local_goal(local["id"], theme["id"], "Alle elever leser hver dag.")
    items = await cycle.items(report["id"])
    assert items[: len(criteria)] == criteria
    assert [i["localGoal"]["id"] for i in items[len(criteria) :]] == [goal["id"]]
    linked = await gql(
        "query ($id: ID!) { node(id: $id) { ... on Report { localPlan { id } } } }", {"id": report["id"]}
    )
    assert linked["node"]["localPlan"] == {"id": local["id"]}
    refused = await cycle.submit_report(report["id"])
    codes = [e["code"] for e in refused["errors"]]
    assert codes == ["MISSING_ASSESSMENT"] * len(items) + ["NO_ASSESSMENTS"]  # then the profile's own rule


async def test_removing_an_assessed_goal(gql, world):
    cycle, plan, unit, theme = world
    local = await cycle.local_plan(unit["id"], plan["id"])
    kept = await cycle.local_goal(local["id"], theme["id"], "Beholdes")
    dropped = await cycle.local_goal(local["id"], theme["id"], "Fjernes")
    report = await cycle.open_report(unit["id"], 2025, "h1")
    for item in await cycle.items(report["id"]):
        await cycle.assess(report["id"], item, "1")
    # While the report is a draft, the goal goes, and its assessment with it.
    await cycle.mutate("removeLocalGoal", {"id": dropped["id"], "version": dropped["version"]}, "localGoal { id }")
    goals = [i["localGoal"]["id"] for i in await cycle.items(report["id"]) if i["localGoal"]]
    assert goals == [kept["id"]]
    # Once the report is submitted, an assessed goal is part of the record and stays.
    assert (await cycle.submit_report(report["id"]))["report"]["status"] == "SUBMITTED"
    errors = await cycle.refused("removeLocalGoal", {"id": kept["id"], "version": kept["version"]})
    assert errors == [
        {
            "field": "id",
            "code": "INVALID_STATE",
            "message": "The goal is assessed in a submitted or approved report and cannot be removed.",
        }
    ]


async def test_a_comment_belongs_to_its_decision(gql, world):
    cycle, plan, unit, theme = world
    local = await cycle.local_plan(unit["id"], plan["id"])
    await cycle.local_goal(local["id"], theme["id"], "Et mål")
    await cycle.submit_local_plan(local["id"])
    returned = await cycle.decide("returnLocalPlan", local["id"], "Skriv tydeligere mål.")
    assert returned["comment"] == "Skriv tydeligere mål."
    await cycle.submit_local_plan(local["id"])
    approved = await cycle.decide("approveLocalPlan", local["id"])
    assert (approved["status"], approved["comment"]) == ("APPROVED", None)
    errors = await cycle.refused(
        "returnLocalPlan", {"id": local["id"], "version": approved["version"], "comment": "  "}
    )
    assert errors[0]["code"] == "REQUIRED" and errors[0]["field"] == "comment"
