"""A year of follow-up in Vestvågøy, through GraphQL only: the units report for the spring term →
the municipality meets the school with an agenda drawn from its report and local plan → points
are agreed and the school tells how far they have come → competence needs and measures are
registered in the school's plan and the municipality's own, and rolled up for the forum → the
autumn term's meeting shows the spring's points and their status; the rhythm shows who is due."""

from __future__ import annotations

import csv
import io

from sqlalchemy import text

from tests.support.cycle import Cycle

MEETING = """id version status kind kindLabel { nb } year periodKey plannedOn heldOn minutes
  participants { role title }
  agenda {
    report { id status }
    lowestItems { id level criterion { id text } }
    localPlan { id findings { code } }
    openActions { id text }
    followUps { id text status statusNote owner dueOn }
  }"""


async def test_a_year_of_follow_up_in_vestvagoy(gql, database):
    gql.headers["Accept-Language"] = "nb"
    cycle = Cycle(gql)
    vestvagoy = await cycle.municipality("1860", "Vestvågøy", "vestvagoy")
    plan = await cycle.adopted_plan(vestvagoy["id"], "Kommunalsjef Utdanning/Oppvekst")
    school = await cycle.unit(vestvagoy["id"], "Leknes skole", "SCHOOL")
    kindergarten = await cycle.unit(vestvagoy["id"], "Ballstad barnehage", "KINDERGARTEN")
    theme = (await cycle.areas(plan["id"], "theme"))[0]
    local = await cycle.local_plan(school["id"], plan["id"])
    await cycle.local_goal(local["id"], theme["id"], "Alle elever opplever mestring")
    open_action = await cycle.action(local["id"], "Vurdering for læring i alle fag", theme["id"], owner="Rektor")

    # The profile says what the follow-up meetings are called, and which schemes fund competence.
    profile = (
        await gql(
            """{ municipality(number: "1860") { profile { followUp {
                 meetingKinds { key label { nb } } fundingSchemes { key criteria } partners { key }
                 forum { nb } } } } }"""
        )
    )["municipality"]["profile"]["followUp"]
    assert [k["key"] for k in profile["meetingKinds"]] == ["oppfolging-i-enhetene"]
    assert {"dekom", "lokal-kompetanseutvikling"} <= {s["key"] for s in profile["fundingSchemes"]}
    assert "nord" in {p["key"] for p in profile["partners"]}

    # The spring term's report: three criteria at the lowest level, the rest at the top.
    report = await cycle.open_report(school["id"], 2020, "h1")
    items = await cycle.items(report["id"])
    criteria = [i for i in items if i["criterion"]]
    lowest = {i["criterion"]["id"] for i in criteria[:3]}
    await cycle.assess_all(report["id"], lambda i: "1" if i["criterion"] and i["criterion"]["id"] in lowest else "3")
    assert (await cycle.submit_report(report["id"]))["errors"] == []

    # The meeting is planned, then held; its agenda is drawn from the report and the local plan.
    planned = (
        await cycle.mutate(
            "planFollowUpMeeting",
            {
                "unitId": school["id"],
                "kind": "oppfolging-i-enhetene",
                "year": 2020,
                "period": "h1",
                "plannedOn": "2020-06-10",
                "participants": [{"role": "OWNER", "title": "Kommunalsjef"}, {"role": "UNIT_LEADER"}],
            },
            f"meeting {{ {MEETING} }}",
        )
    )["meeting"]
    assert planned["status"] == "PLANNED" and planned["kindLabel"]["nb"] == "Oppfølging i enhetene"
    agenda = planned["agenda"]
    assert agenda["report"] == {"id": report["id"], "status": "SUBMITTED"}
    assert len(agenda["lowestItems"]) == 5
    assert {i["criterion"]["id"] for i in agenda["lowestItems"][:3]} == lowest  # lowest first
    assert {i["level"] for i in agenda["lowestItems"][:3]} == {"1"}
    assert agenda["localPlan"]["id"] == local["id"]
    assert [a["id"] for a in agenda["openActions"]] == [open_action["id"]]
    assert agenda["followUps"] == []  # the first meeting has nothing to follow up

    held = (
        await cycle.mutate(
            "updateFollowUpMeeting",
            {
                "id": planned["id"],
                "version": planned["version"],
                "heldOn": "2020-06-12",
                "minutes": "Vi gikk gjennom rapporten.\n\nSkolen prioriterer vurdering for læring.",
                "participants": [
                    {"role": "OWNER", "title": "Kommunalsjef"},
                    {"role": "UNIT_LEADER", "title": "Rektor"},
                    {"role": "EMPLOYEE_REPRESENTATIVE"},
                ],
            },
            f"meeting {{ {MEETING} }}",
        )
    )["meeting"]
    assert (held["status"], held["heldOn"], held["plannedOn"]) == ("HELD", "2020-06-12", "2020-06-10")
    assert [p["role"] for p in held["participants"]] == ["OWNER", "UNIT_LEADER", "EMPLOYEE_REPRESENTATIVE"]

    points = []
    for text_, owner, due in (
        ("Lage plan for vurdering for læring", "Rektor", "2020-10-01"),
        ("Kartlegge kompetansebehov i personalet", "Rektor", None),
    ):
        points.append(
            (
                await cycle.mutate(
                    "agreeFollowUpPoint",
                    {"meetingId": held["id"], "text": text_, "owner": owner, "dueOn": due},
                    "point { id version status isOverdue position }",
                )
            )["point"]
        )
    assert [p["position"] for p in points] == [0, 1]
    assert points[0]["isOverdue"] is True  # 1 October 2020 has passed and the point is open

    # The school tells how far the points have come.
    done = (
        await cycle.mutate(
            "updateFollowUpPoint",
            {
                "id": points[0]["id"],
                "version": points[0]["version"],
                "status": "DONE",
                "statusNote": "Planen er laget.",
            },
            "point { id status closedOn isOverdue }",
        )
    )["point"]
    assert done["status"] == "DONE" and done["closedOn"] is not None and done["isOverdue"] is False
    await cycle.mutate(
        "updateFollowUpPoint",
        {"id": points[1]["id"], "version": points[1]["version"], "status": "IN_PROGRESS"},
        "point { id }",
    )

    # Competence: the school's plan, from the needs the report showed; and the municipality's own.
    competence_plan = (
        await cycle.mutate(
            "createCompetencePlan",
            {"unitId": school["id"], "startYear": 2020, "endYear": 2021},
            "plan { id name { nb } unit { id } }",
        )
    )["plan"]
    assert competence_plan["unit"]["id"] == school["id"]
    low_criterion = agenda["lowestItems"][0]["criterion"]
    need = (
        await cycle.mutate(
            "addCompetenceNeed",
            {
                "planId": competence_plan["id"],
                "text": "Lærerne trenger felles forståelse av vurdering for læring",
                "criterionId": low_criterion["id"],
            },
            "need { id criterion { id } }",
        )
    )["need"]
    goal = (
        await cycle.mutate(
            "addCompetenceGoal",
            {
                "planId": competence_plan["id"],
                "text": "Felles vurderingspraksis",
                "scope": "COLLECTIVE",
                "needIds": [need["id"]],
            },
            "goal { id scope needs { id } }",
        )
    )["goal"]
    assert goal["needs"] == [{"id": need["id"]}]
    measure = (
        await cycle.mutate(
            "addCompetenceMeasure",
            {
                "planId": competence_plan["id"],
                "title": "Skolebasert kompetanseutvikling i vurdering",
                "scope": "COLLECTIVE",
                "unitBased": True,
                "targetGroup": "WHOLE_STAFF",
                "partner": "nord",
                "funding": "dekom",
                "startsOn": "2020-08-15",
                "endsOn": "2021-06-20",
                "needIds": [need["id"]],
                "goalIds": [goal["id"]],
            },
            "measure { id funding { key label { nb } } partner { key } findings { code } }",
        )
    )["measure"]
    assert measure["findings"] == [] and measure["funding"]["key"] == "dekom"
    lacking = (
        await cycle.mutate(
            "addCompetenceMeasure",
            {
                "planId": competence_plan["id"],
                "title": "Kurs for nyansatte",
                "scope": "INDIVIDUAL",
                "unitBased": False,
                "targetGroup": "PART_OF_STAFF",
                "funding": "dekom",
            },
            "measure { id findings { code path } }",
        )
    )["measure"]
    assert {f["code"] for f in lacking["findings"]} == {
        "COMPETENCE_NO_LOCAL_NEED",
        "COMPETENCE_NOT_UNIT_BASED",
        "COMPETENCE_NO_PARTNER",
    }
    own = (
        await cycle.mutate(
            "createCompetencePlan",
            {"municipalityId": vestvagoy["id"], "startYear": 2020, "endYear": 2023},
            "plan { id unit { id } }",
        )
    )["plan"]
    assert own["unit"] is None
    await cycle.mutate(
        "addCompetenceNeed",
        {"planId": own["id"], "text": "Ledere trenger støtte i endringsledelse", "areaId": theme["id"]},
        "need { id }",
    )

    # The roll-up for the forum: needs by area, measures by scheme, and the CSV.
    rollup = (
        await gql(
            """{ municipality(number: "1860") { competenceRollup(year: 2020) {
                 forum { nb } planCount
                 needsByArea { area { id } unitCount needs { text } }
                 measuresByFunding { fundingKey unitCount measures { title } }
                 csv } } }"""
        )
    )["municipality"]["competenceRollup"]
    assert rollup["planCount"] == 2 and rollup["forum"]["nb"] == profile["forum"]["nb"]
    needs = {n["text"] for area in rollup["needsByArea"] for n in area["needs"]}
    assert needs == {
        "Lærerne trenger felles forståelse av vurdering for læring",
        "Ledere trenger støtte i endringsledelse",
    }
    assert any(area["area"] and area["area"]["id"] == theme["id"] for area in rollup["needsByArea"])
    by_scheme = {m["fundingKey"]: m for m in rollup["measuresByFunding"]}
    assert by_scheme["dekom"]["unitCount"] == 1 and len(by_scheme["dekom"]["measures"]) == 2
    lines = list(csv.reader(io.StringIO(rollup["csv"]), delimiter=";"))
    assert lines[0][:2] == ["Type", "Enhet"]
    assert len(lines) == 1 + 2 + 2  # heading, two needs, two measures
    assert ["Tiltak", "Leknes skole"] == lines[-1][:2] or ["Tiltak", "Leknes skole"] == lines[-2][:2]

    # The autumn term: the report, then the next meeting, which shows the spring's points.
    autumn = await cycle.open_report(school["id"], 2020, "h2")
    await cycle.assess_all(autumn["id"], lambda i: "2")
    assert (await cycle.submit_report(autumn["id"]))["errors"] == []
    following = (
        await cycle.mutate(
            "planFollowUpMeeting",
            {
                "unitId": school["id"],
                "kind": "oppfolging-i-enhetene",
                "year": 2020,
                "period": "h2",
                "plannedOn": "2020-12-10",
            },
            f"meeting {{ {MEETING} }}",
        )
    )["meeting"]
    assert following["agenda"]["report"]["id"] == autumn["id"]
    follow_ups = {p["text"]: (p["status"], p["statusNote"]) for p in following["agenda"]["followUps"]}
    assert follow_ups == {
        "Lage plan for vurdering for læring": ("DONE", "Planen er laget."),
        "Kartlegge kompetansebehov i personalet": ("IN_PROGRESS", ""),
    }

    # The sector office's view: the points still open, across units.
    still_open = (
        await gql(
            '{ municipality(number: "1860") { followUpPoints(status: IN_PROGRESS) { nodes { text unit { name } } } } }'
        )
    )["municipality"]["followUpPoints"]["nodes"]
    assert still_open == [{"text": "Kartlegge kompetansebehov i personalet", "unit": {"name": "Leknes skole"}}]
    # The unit's view: its meetings, earliest first.
    meetings = (
        await gql(
            "query ($id: ID!) { node(id: $id) { ... on Unit { followUpMeetings { nodes { plannedOn status } } } } }",
            {"id": school["id"]},
        )
    )["node"]["followUpMeetings"]["nodes"]
    assert meetings == [{"plannedOn": "2020-06-10", "status": "HELD"}, {"plannedOn": "2020-12-10", "status": "PLANNED"}]

    # A rhythm of six months: the school, last met in June 2020, is overdue; the kindergarten,
    # never met, is due six months after the rhythm was set (not yet).
    await cycle.mutate(
        "setFollowUpRhythm",
        {"municipalityId": vestvagoy["id"], "kind": "oppfolging-i-enhetene", "everyMonths": 6},
        "rhythm { id everyMonths }",
    )
    overdue = (
        await gql('{ municipality(number: "1860") { overdueFollowUps { kind lastHeldOn dueOn unit { id } } } }')
    )["municipality"]["overdueFollowUps"]
    assert overdue == [
        {
            "kind": "oppfolging-i-enhetene",
            "lastHeldOn": "2020-06-12",
            "dueOn": "2020-12-12",
            "unit": {"id": school["id"]},
        }
    ]
    assert kindergarten["id"] not in {o["unit"]["id"] for o in overdue}

    # Each step told integrators (the outbox), and is in the change log.
    async with database.session() as session:
        events = (await session.execute(text("SELECT type FROM outbox_event ORDER BY created_at"))).scalars().all()
    assert [e for e in events if e.startswith(("follow_up", "competence"))] == [
        "follow_up_meeting.planned",
        "follow_up_meeting.held",
        "follow_up_point.agreed",
        "follow_up_point.agreed",
        "follow_up_point.status_changed",
        "follow_up_point.status_changed",
        "competence_plan.created",
        "competence_plan.created",
        "follow_up_meeting.planned",
    ]
    history = (
        await gql(
            "query ($id: ID!) { node(id: $id) { ... on FollowUpMeeting { history { nodes { action } } } } }",
            {"id": held["id"]},
        )
    )["node"]["history"]["nodes"]
    assert [h["action"] for h in history] == ["CREATE", "UPDATE"]
