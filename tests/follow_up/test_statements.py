"""Follow-up and competence reads take as many statements for many meetings, units and
municipalities as for one: every agenda of a request is read together (one statement per part),
the overdue units and the competence roll-up of every municipality asked for likewise."""

from __future__ import annotations

from tests.support.cycle import Cycle

AGENDAS = """{ municipalities { number
  followUpMeetings(first: 20) { nodes { id agenda {
    report { id } lowestItems { id level } localPlan { id } openActions { id } followUps { id status } } } }
  overdueFollowUps { unit { id } }
  competenceRollup(year: 2025) { planCount needsByArea { area { id } needs { text } } measuresByFunding { measures { title } } }
} }"""


async def _municipality_with(cycle: Cycle, number: str, units: int) -> None:
    """A municipality on the test profile with `units` kindergartens, each with a local plan, a
    submitted… report, two meetings (a point agreed in the first) and a competence plan."""
    _, plan, unit, local_plan = await cycle.kindergarten_on(number, f"Kommune {number}", "testprofil")
    municipality = (await cycle.gql(f'{{ municipality(number: "{number}") {{ id }} }}'))["municipality"]
    area = next(a for a in await cycle.areas(plan["id"], "theme") if "KINDERGARTEN" in a["appliesTo"])
    kindergartens = [(unit, local_plan)]
    for i in range(1, units):
        other = await cycle.unit(municipality["id"], f"Barnehage {i}", "KINDERGARTEN")
        kindergartens.append((other, await cycle.local_plan(other["id"], plan["id"])))
    for unit, local_plan in kindergartens:
        await cycle.action(local_plan["id"], "Tiltak", area["id"])
        report = await cycle.open_report(unit["id"], 2025, "h1")
        await cycle.assess_all(report["id"], lambda item: "1")
        first = (
            await cycle.mutate(
                "planFollowUpMeeting",
                {"unitId": unit["id"], "kind": "oppfolgingsmote", "year": 2025, "plannedOn": "2025-03-01"},
                "meeting { id }",
            )
        )["meeting"]
        await cycle.mutate(
            "agreeFollowUpPoint", {"meetingId": first["id"], "text": "Punkt", "owner": "Styrer"}, "point { id }"
        )
        await cycle.mutate(
            "planFollowUpMeeting",
            {"unitId": unit["id"], "kind": "oppfolgingsmote", "year": 2025, "plannedOn": "2025-09-01"},
            "meeting { id }",
        )
        competence_plan = (
            await cycle.mutate(
                "createCompetencePlan", {"unitId": unit["id"], "startYear": 2025, "endYear": 2026}, "plan { id }"
            )
        )["plan"]
        await cycle.mutate(
            "addCompetenceNeed", {"planId": competence_plan["id"], "text": "Behov", "areaId": area["id"]}, "need { id }"
        )
        await cycle.mutate(
            "addCompetenceMeasure",
            {"planId": competence_plan["id"], "title": "Tiltak", "scope": "COLLECTIVE", "targetGroup": "WHOLE_STAFF"},
            "measure { id }",
        )
    await cycle.mutate(
        "setFollowUpRhythm",
        {"municipalityId": municipality["id"], "kind": "oppfolgingsmote", "everyMonths": 1},
        "rhythm { id }",
    )


async def _counted(gql, statements) -> tuple[dict, int]:
    statements.reset()
    answer = await gql(AGENDAS)
    return answer, len(statements.statements)


async def test_agendas_overdue_and_rollups_take_as_many_statements_for_many_as_for_one(gql, statements):
    cycle = Cycle(gql)
    await _municipality_with(cycle, "9901", 1)
    one, few = await _counted(gql, statements)
    [alone] = [m for m in one["municipalities"] if m["number"] == "9901"]
    assert len(alone["followUpMeetings"]["nodes"]) == 2 and alone["competenceRollup"]["planCount"] == 1
    # The second meeting follows up the first one's point; the report's items are the lowest.
    assert [len(m["agenda"]["followUps"]) for m in alone["followUpMeetings"]["nodes"]] == [0, 1]
    assert all(m["agenda"]["report"] and m["agenda"]["lowestItems"] for m in alone["followUpMeetings"]["nodes"])

    await _municipality_with(cycle, "9902", 3)
    many, more = await _counted(gql, statements)
    meetings = [n for m in many["municipalities"] for n in m["followUpMeetings"]["nodes"]]
    assert len(meetings) == 8 and all(n["agenda"]["localPlan"] and n["agenda"]["openActions"] for n in meetings)
    assert sum(m["competenceRollup"]["planCount"] for m in many["municipalities"]) == 4
    assert sum(len(m["overdueFollowUps"]) for m in many["municipalities"]) == 0  # rhythms set today: none due yet
    assert more == few, statements.statements
