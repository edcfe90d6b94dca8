"""Two clients editing the same report at once never lose a write: one wins, the others are
told STALE_VERSION, and what is stored is the winner's. Requests run concurrently against the
app, each in its own transaction on its own database connection."""

import asyncio

import pytest

from tests.support.cycle import Cycle


@pytest.fixture
async def report(gql):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    plan = await cycle.adopted_plan(municipality["id"])
    unit = await cycle.unit(municipality["id"], "Solsiden barnehage", "KINDERGARTEN")
    report = await cycle.open_report(unit["id"], 2025, "h1")
    items = await cycle.items(report["id"])
    assert len(items) == 4
    return cycle, report, items, plan


SAVE = """mutation ($input: SaveAssessmentInput!) { saveAssessment(input: $input) {
  assessment { id level version comment } errors { code field message } } }"""


async def _save_all(gql, inputs):
    results = await asyncio.gather(*(gql(SAVE, {"input": i}) for i in inputs))
    return [r["saveAssessment"] for r in results]


async def test_concurrent_updates_of_one_assessment_have_one_winner(gql, report):
    cycle, report, items, _ = report
    first = await cycle.assess(report["id"], items[0], "1", comment="start")
    version = first["version"]
    for round_ in range(8):
        writers = 2 + round_ % 3
        inputs = [
            {
                "reportId": report["id"],
                "criterionId": items[0]["criterion"]["id"],
                "level": "2",
                "comment": f"round {round_} writer {w}",
                "version": version,
            }
            for w in range(writers)
        ]
        payloads = await _save_all(gql, inputs)
        winners = [p for p in payloads if not p["errors"]]
        losers = [p for p in payloads if p["errors"]]
        assert len(winners) == 1, payloads
        assert all(p["errors"][0]["code"] == "STALE_VERSION" and p["assessment"] is None for p in losers)
        version = winners[0]["assessment"]["version"]
        stored = (await cycle.items(report["id"]))[0]["assessment"]
        assert stored["version"] == version
        assert (
            await gql("query ($id: ID!) { node(id: $id) { ... on Assessment { comment } } }", {"id": stored["id"]})
        )["node"]["comment"] == winners[0]["assessment"]["comment"]


async def test_concurrent_first_assessments_of_one_criterion_have_one_winner(gql, report):
    cycle, report, items, _ = report
    inputs = [
        {"reportId": report["id"], "criterionId": items[1]["criterion"]["id"], "level": "1", "comment": f"writer {w}"}
        for w in range(4)
    ]
    payloads = await _save_all(gql, inputs)
    assert sum(not p["errors"] for p in payloads) == 1, payloads
    assert {p["errors"][0]["code"] for p in payloads if p["errors"]} == {"STALE_VERSION"}


async def test_concurrent_assessments_of_different_criteria_all_succeed(gql, report):
    cycle, report, items, _ = report
    inputs = [
        {"reportId": report["id"], "criterionId": item["criterion"]["id"], "level": "2", "comment": f"c{i}"}
        for i, item in enumerate(items)
    ]
    payloads = await _save_all(gql, inputs)
    assert all(not p["errors"] for p in payloads), payloads
    stored = await cycle.items(report["id"])
    assert all(i["assessment"] and i["assessment"]["level"] == "2" for i in stored)


async def test_submit_racing_an_edit_never_loses_the_edit(gql, report):
    """A submit and an assessment change at once: either the change lands before the submit
    (and is in the submitted report), or it is refused; never silently dropped."""
    cycle, report, items, _ = report
    for item in items:
        await cycle.assess(report["id"], item, "1")
    items = await cycle.items(report["id"])
    version = await cycle.version_of(report["id"])
    submit = gql(
        "mutation ($input: SubmitReportInput!) { submitReport(input: $input) { report { status } errors { code } } }",
        {"input": {"id": report["id"], "version": version}},
    )
    edit = gql(
        SAVE,
        {
            "input": {
                "reportId": report["id"],
                "criterionId": items[0]["criterion"]["id"],
                "level": "2",
                "version": items[0]["assessment"]["version"],
            }
        },
    )
    submitted, edited = await asyncio.gather(submit, edit)
    assert submitted["submitReport"]["report"]["status"] == "SUBMITTED"
    stored = (await cycle.items(report["id"]))[0]["assessment"]["level"]
    if edited["saveAssessment"]["errors"]:
        assert edited["saveAssessment"]["errors"][0]["code"] in ("INVALID_STATE", "STALE_VERSION")
        assert stored == "1"
    else:
        assert stored == "2"
