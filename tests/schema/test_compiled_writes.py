"""`saveAssessment` in one statement (`kvalitet.schema.compiled.writes`).

A document the default path has answered is answered again by one statement: with the answer,
the row and the change-log record the default path makes. Whatever that statement does not do
runs on the default path, whose errors come out unchanged, and writes nothing twice.
"""

from __future__ import annotations

import base64
import json
import re
import uuid

import httpx
import pytest

from tests.support.cycle import Cycle

SAVE = """mutation Save($input: SaveAssessmentInput!) { saveAssessment(input: $input) {
  __typename assessment { __typename id version level comment evidence createdAt }
  errors { field code message } } }"""
HISTORY = """query ($id: ID!) { node(id: $id) { ... on Assessment {
  history(first: 10) { edges { node { action actor changes } } } } } }"""


@pytest.fixture
async def cycle_data(gql) -> dict:
    """Testkommune with an adopted plan and two kindergartens, each with a local goal and a
    report that lists it."""
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    plan = await cycle.adopted_plan(municipality["id"])
    reports = []
    for name in ("Barnehage A", "Barnehage B"):
        unit = await cycle.unit(municipality["id"], name, "KINDERGARTEN")
        local_plan = await cycle.local_plan(unit["id"], plan["id"])
        area = next(a for a in await cycle.areas(plan["id"], "theme") if "KINDERGARTEN" in a["appliesTo"])
        await cycle.local_goal(local_plan["id"], area["id"], "Alle barn skal bli sett hver dag")
        reports.append((await cycle.open_report(unit["id"], 2025, "h1"))["id"])
    items = await cycle.items(reports[0])
    return {
        "cycle": cycle,
        "reports": reports,
        "criteria": [i["criterion"]["id"] for i in items if i["criterion"]],
        "local_goal": {r: next(i["localGoal"]["id"] for i in await cycle.items(r) if i["localGoal"]) for r in reports},
    }


async def _post(http: httpx.AsyncClient, bearer: str, variables: dict) -> dict:
    response = await http.post(
        "/graphql", json={"query": SAVE, "variables": variables}, headers={"Authorization": f"Bearer {bearer}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _same_shape(answer: dict) -> str:
    """The answer with what differs between two rows (ids, times) written the same."""
    text = json.dumps(answer)
    text = re.sub(r'"id": "[^"]+"', '"id": "<id>"', text)
    return re.sub(r'"createdAt": "[^"]+"', '"createdAt": "<time>"', text)


def _history_shape(history: dict) -> list:
    edges = history["node"]["history"]["edges"]
    return [
        {**e["node"], "changes": {k: "<id>" if k.endswith("id") and v else v for k, v in e["node"]["changes"].items()}}
        for e in edges
    ]


async def test_a_learnt_save_is_one_statement_and_writes_as_the_default_path(
    secure_client, secure_default_client, token, cycle_data, statements, gql
):
    bearer = token("unit_leader", municipality="9901")
    fast_report, slow_report = cycle_data["reports"]
    criteria = cycle_data["criteria"]
    # The first answer of the document is the default path's; the service learns it from there.
    learnt = await _post(
        secure_client, bearer, {"input": {"reportId": fast_report, "criterionId": criteria[1], "level": "1"}}
    )
    assert learnt["data"]["saveAssessment"]["errors"] == []

    steps = [
        # (input without the report, the version to send from the step before, if any)
        {"criterionId": criteria[0], "level": "1", "comment": "  Bra arbeid med språk  ", "evidence": None},
        {"criterionId": criteria[0], "level": "2", "comment": None, "evidence": "Observasjon «uke 3»"},
        {"criterionId": criteria[0], "level": "2", "comment": None, "evidence": "Observasjon «uke 3»"},  # no change
        {"localGoalId": None, "level": "2", "comment": "Mål nådd 🌱"},
    ]
    versions: dict[str, int | None] = {fast_report: None, slow_report: None}
    made: dict[str, str] = {}
    for step in steps:
        answers = {}
        for report, http in ((fast_report, secure_client), (slow_report, secure_default_client)):
            given = dict(step, reportId=report)
            if "localGoalId" in given:
                given["localGoalId"] = cycle_data["local_goal"][report]
            else:
                given["version"] = versions[report]
            statements.reset()
            answers[report] = await _post(http, bearer, {"input": given})
            if http is secure_client:
                # One statement for the write; besides it, at most the caller's roles are looked up.
                assert len(statements.compiled) == 1, statements.statements
                assert statements.count - len(statements.compiled) <= 1, statements.statements
            assessment = answers[report]["data"]["saveAssessment"]["assessment"]
            assert assessment, (step, answers[report])
            versions[report] = assessment["version"]
            made.setdefault(f"{report}:{'goal' if 'localGoalId' in step else 'criterion'}", assessment["id"])
        assert _same_shape(answers[fast_report]) == _same_shape(answers[slow_report])
    assert versions[fast_report] == 1  # the local goal's new assessment
    # The change log tells the same story of both rows (the unchanged save adds nothing).
    for subject in ("criterion", "goal"):
        fast = await gql(HISTORY, {"id": made[f"{fast_report}:{subject}"]})
        slow = await gql(HISTORY, {"id": made[f"{slow_report}:{subject}"]})
        assert _history_shape(fast) == _history_shape(slow)
        assert len(fast["node"]["history"]["edges"]) == (2 if subject == "criterion" else 1)


async def test_what_one_statement_does_not_do_is_answered_by_the_default_path(
    secure_client, secure_default_client, token, cycle_data, statements, database, gql
):
    from sqlalchemy import func, select

    from kvalitet.models import ChangeLog

    bearer = token("unit_leader", municipality="9901")
    report = cycle_data["reports"][0]
    criteria = cycle_data["criteria"]
    first = await _post(
        secure_client, bearer, {"input": {"reportId": report, "criterionId": criteria[0], "level": "1"}}
    )
    assert first["data"]["saveAssessment"]["errors"] == []  # learnt; version 1 now
    unit_id = base64.b64encode(f"Unit:{uuid.uuid4()}".encode()).decode()
    other = {"reportId": report, "criterionId": criteria[0], "level": "2", "version": 1}
    refused = [
        (bearer, {**other, "version": 7}),  # stale
        (bearer, {**other, "version": None}),  # an existing assessment without its version
        (bearer, {**other, "level": "9"}),  # not on the scale
        (bearer, {**other, "criterionId": base64.b64encode(f"Criterion:{uuid.uuid4()}".encode()).decode()}),
        (bearer, {**other, "localGoalId": cycle_data["local_goal"][report]}),  # two subjects
        (bearer, {"reportId": report, "level": "2"}),  # no subject
        (bearer, {**other, "comment": "kontroll\x01tegn"}),
        (bearer, {**other, "evidence": "x" * 20_001}),
        (bearer, {**other, "reportId": unit_id}),  # an id of another type
        (bearer, {**other, "level": 2}),  # not a string: the default path's coercion error
        (bearer, {**other, "surprise": True}),
        (token("unit_leader", municipality="5501"), other),  # another municipality's caller
        (token("viewer", municipality="9901"), other),  # may read, not write
    ]
    async with database.session() as session:
        logged = await session.scalar(select(func.count()).select_from(ChangeLog))
    for caller, given in refused:
        fast = await _post(secure_client, caller, {"input": given})
        slow = await _post(secure_default_client, caller, {"input": given})
        assert json.dumps(fast) == json.dumps(slow), given
        assert fast.get("errors") or fast["data"]["saveAssessment"]["errors"], given
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(ChangeLog)) == logged  # nothing written

    # A submitted report is refused alike.
    cycle = cycle_data["cycle"]
    await cycle.assess_all(report, lambda item: "2")
    assert (await cycle.submit_report(report))["errors"] == []
    version = (await cycle.items(report))[0]["assessment"]["version"]
    given = {**other, "version": version}
    fast = await _post(secure_client, bearer, {"input": given})
    assert fast == await _post(secure_default_client, bearer, {"input": given})
    assert [e["code"] for e in fast["data"]["saveAssessment"]["errors"]] == ["INVALID_STATE"]

    # An idempotency key is kept by the default path's records: its repeat answers the first result.
    keyed = {"reportId": cycle_data["reports"][1], "criterionId": criteria[0], "level": "2", "idempotencyKey": "k-1"}
    statements.reset()
    once = await _post(secure_client, bearer, {"input": keyed})
    assert not statements.compiled and once["data"]["saveAssessment"]["errors"] == []
    assert await _post(secure_client, bearer, {"input": keyed}) == once
