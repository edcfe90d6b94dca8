"""The rules of meetings and points beyond the year's walk: a held meeting's day taken away makes
it planned again; a cancelled meeting does not swallow what was closed before the next one; an
archived unit's meetings are no longer changed; and whether a point or meeting is overdue is
worked out by the database on the day the query runs (a compiled statement is kept for days)."""

from __future__ import annotations

import datetime as dt

from tests.support.cycle import Cycle

KIND = "oppfolgingsmote"  # the default kind: the test profile declares none


async def _meeting(cycle: Cycle, unit_id: str, planned_on: str) -> dict:
    return (
        await cycle.mutate(
            "planFollowUpMeeting",
            {"unitId": unit_id, "kind": KIND, "year": 2025, "plannedOn": planned_on},
            "meeting { id version status heldOn }",
        )
    )["meeting"]


async def _update(cycle: Cycle, meeting: dict, **changes) -> dict:
    return (
        await cycle.mutate(
            "updateFollowUpMeeting",
            {"id": meeting["id"], "version": meeting["version"], **changes},
            "meeting { id version status heldOn }",
        )
    )["meeting"]


async def test_a_held_meeting_whose_day_is_taken_away_is_planned_again(gql):
    cycle = Cycle(gql)
    _, _, unit, _ = await cycle.kindergarten_on("9901", "Testkommune", "testprofil")
    held = await _update(cycle, await _meeting(cycle, unit["id"], "2025-03-01"), heldOn="2025-03-02")
    assert (held["status"], held["heldOn"]) == ("HELD", "2025-03-02")
    again = await _update(cycle, held, heldOn=None)
    assert (again["status"], again["heldOn"]) == ("PLANNED", None)


async def test_a_cancelled_meeting_does_not_hide_what_was_closed_before_the_next(gql):
    cycle = Cycle(gql)
    _, _, unit, _ = await cycle.kindergarten_on("9901", "Testkommune", "testprofil")
    first = await _update(cycle, await _meeting(cycle, unit["id"], "2025-03-01"), heldOn="2025-03-01")
    point = (
        await cycle.mutate(
            "agreeFollowUpPoint", {"meetingId": first["id"], "text": "Punkt", "owner": "Styrer"}, "point { id version }"
        )
    )["point"]
    await cycle.mutate(
        "updateFollowUpPoint", {"id": point["id"], "version": point["version"], "status": "DONE"}, "point { id }"
    )
    today = dt.datetime.now(dt.UTC).date()
    cancelled = await _meeting(cycle, unit["id"], str(today + dt.timedelta(days=10)))
    await _update(cycle, cancelled, status="CANCELLED")
    later = await _meeting(cycle, unit["id"], str(today + dt.timedelta(days=20)))
    agenda = await gql(
        "query ($id: ID!) { node(id: $id) { ... on FollowUpMeeting { agenda { followUps { id status } } } } }",
        {"id": later["id"]},
    )
    assert agenda["node"]["agenda"]["followUps"] == [{"id": point["id"], "status": "DONE"}]


async def test_an_archived_units_meetings_are_no_longer_changed(gql):
    cycle = Cycle(gql)
    _, _, unit, _ = await cycle.kindergarten_on("9901", "Testkommune", "testprofil")
    meeting = await _meeting(cycle, unit["id"], "2025-03-01")
    await cycle.mutate("archiveUnit", {"id": unit["id"], "version": await cycle.version_of(unit["id"])}, "unit { id }")
    refused = await cycle.refused(
        "agreeFollowUpPoint", {"meetingId": meeting["id"], "text": "Punkt", "owner": "Styrer"}
    )
    assert [(e["code"], e["field"]) for e in refused] == [("INVALID_STATE", "meetingId")]
    refused = await cycle.refused(
        "updateFollowUpMeeting", {"id": meeting["id"], "version": meeting["version"], "minutes": "Referat"}
    )
    assert [(e["code"], e["field"]) for e in refused] == [("INVALID_STATE", "id")]


async def test_overdue_is_worked_out_on_the_day_the_statement_runs(gql, statements):
    cycle = Cycle(gql)
    _, _, unit, _ = await cycle.kindergarten_on("9901", "Testkommune", "testprofil")
    yesterday = str(dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1))
    meeting = await _meeting(cycle, unit["id"], yesterday)
    await cycle.mutate(
        "agreeFollowUpPoint",
        {"meetingId": meeting["id"], "text": "Punkt", "owner": "Styrer", "dueOn": yesterday},
        "point { id }",
    )
    query = '{ municipality(number: "9901") { followUpMeetings { nodes { isOverdue points { isOverdue } } } } }'
    statements.reset()
    answer = await gql(query)
    assert answer["municipality"]["followUpMeetings"]["nodes"] == [{"isOverdue": True, "points": [{"isOverdue": True}]}]
    # One compiled statement, which asks the database for today instead of carrying the date.
    assert len(statements.compiled) == 1, statements.statements
    assert "now()" in statements.compiled[0] and yesterday not in statements.compiled[0]
