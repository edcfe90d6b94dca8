"""Tromsø's year through GraphQL only: units, fremtidsbilder, the annual self-assessment
(«egenvurdering»), and the «Kvalitets- og utviklingsmelding»."""

import pytest

from tests.support.cycle import Cycle

PERSPECTIVES = ("barn", "personal", "foreldre", "organisasjon_ledelse")

# A missing quality goal, in the language asked for (written out here, not read from the catalogues).
MISSING_GOAL = {
    "nb": (
        "Fremtidsbildet mangler kvalitetsmål for «{}» fra organisasjons- og ledelsesperspektiv.",
        "mangler kvalitetsmål",
    ),
    "nn": (
        "Framtidsbiletet manglar kvalitetsmål for «{}» frå organisasjons- og leiingsperspektiv.",
        "manglar kvalitetsmål",
    ),
    "en": (
        "The picture of the future (fremtidsbilde) lacks a quality goal for «{}» from organisation and "
        "leadership perspective.",
        "lacks a quality goal",
    ),
}


@pytest.mark.parametrize("locale", list(MISSING_GOAL))
async def test_a_year_in_tromso(gql, locale):
    gql.headers["Accept-Language"] = locale
    missing_goal, lacks = MISSING_GOAL[locale]
    cycle = Cycle(gql)
    tromso = await cycle.municipality("5501", "Tromsø", "tromso")
    plan = await cycle.adopted_plan(tromso["id"], "Oppvekst- og utdanningsutvalget")
    calendar = await gql(
        '{ municipality(number: "5501") { reportingCalendar(year: 2024) { key startsOn endsOn dueOn } } }'
    )
    [period] = calendar["municipality"]["reportingCalendar"]
    assert (period["startsOn"], period["endsOn"], period["dueOn"]) == ("2024-01-01", "2024-12-31", "2025-01-31")

    kindergarten = await cycle.unit(tromso["id"], "Nordlys barnehage", "KINDERGARTEN", "974760673")
    school = await cycle.unit(tromso["id"], "Fjellheim skole", "SCHOOL")
    quality_areas = await cycle.areas(plan["id"], "quality_area")
    assert len(quality_areas) == 4

    # The kindergarten's fremtidsbilde: refused while incomplete, naming what is missing.
    local = await cycle.local_plan(kindergarten["id"], plan["id"])
    first = quality_areas[0]
    for perspective in PERSPECTIVES[:3]:
        await cycle.local_goal(local["id"], first["id"], f"Mål for {first['title']} ({perspective})", perspective)
    refused = await cycle.submit_local_plan(local["id"])
    assert refused["localPlan"] is None
    messages = [e["message"] for e in refused["errors"]]
    assert missing_goal.format(first["title"]) in messages
    goals_missing = [e["message"] for e in refused["errors"] if e["code"] == "MISSING_QUALITY_GOAL"]
    assert len(goals_missing) == 13 and all(lacks in m for m in goals_missing)
    assert {e["code"] for e in refused["errors"]} == {
        "MISSING_QUALITY_GOAL",
        "MISSING_PLANNED_ACTION",
        "MISSING_SECTION",  # «Tegn på god praksis», a section the profile declares required per quality area
    }
    findings = (
        await gql(
            "query ($id: ID!) { node(id: $id) { ... on LocalPlan { status findings { code } } } }", {"id": local["id"]}
        )
    )["node"]
    assert findings["status"] == "DRAFT" and len(findings["findings"]) == len(refused["errors"])

    await cycle.local_goal(local["id"], first["id"], "Ledelsen følger opp", "organisasjon_ledelse")
    for area in quality_areas[1:]:
        for perspective in PERSPECTIVES:
            await cycle.local_goal(local["id"], area["id"], f"Mål for {area['title']} ({perspective})", perspective)
    for area in quality_areas:
        await cycle.action(local["id"], f"Aksjon: {area['title']}", area["id"], owner="Styrer")
        await cycle.section(local["id"], "tegn_pa_god_praksis", f"Vi ser det når … ({area['title']})", area["id"])
    submitted = await cycle.submit_local_plan(local["id"])
    assert submitted["errors"] == [] and submitted["localPlan"]["status"] == "SUBMITTED"
    assert (await cycle.decide("approveLocalPlan", local["id"]))["status"] == "APPROVED"

    # The annual self-assessment: on the 16 local goals (the plan itself has no criteria).
    report = await cycle.open_report(kindergarten["id"], 2024, "arlig")
    assert report["dueOn"] == "2025-01-31" and report["status"] == "DRAFT"
    items = await cycle.items(report["id"])
    assert len(items) == 16 and all(i["localGoal"] and not i["criterion"] for i in items)
    for item in items[:10]:
        await cycle.assess(report["id"], item, "3")
    refused = await cycle.submit_report(report["id"])
    assert [e["code"] for e in refused["errors"]] == ["MISSING_ASSESSMENT"] * 6
    for item in items[10:]:
        await cycle.assess(report["id"], item, "2" if item is items[-1] else "4")
    assert (await cycle.submit_report(report["id"]))["report"]["status"] == "SUBMITTED"

    # Submitted means immutable: assessing again is refused until the report is returned.
    items = await cycle.items(report["id"])
    errors = await cycle.refused(
        "saveAssessment",
        {
            "reportId": report["id"],
            "localGoalId": items[0]["localGoal"]["id"],
            "level": "1",
            "version": items[0]["assessment"]["version"],
        },
    )
    assert errors[0]["code"] == "INVALID_STATE"
    returned = await cycle.decide(
        "returnReport", report["id"], "Utdyp vurderingen av foreldreperspektivet.", field="report"
    )
    assert returned["status"] == "RETURNED" and returned["comment"].startswith("Utdyp")
    items = await cycle.items(report["id"])
    await cycle.assess(report["id"], items[0], "2", comment="Utdypet etter tilbakemelding")
    assert (await cycle.submit_report(report["id"]))["report"]["status"] == "SUBMITTED"
    assert (await cycle.decide("approveReport", report["id"], field="report"))["status"] == "APPROVED"

    # The school opens its report but never submits: it shows as overdue after the due date.
    school_report = await cycle.open_report(school["id"], 2024, "arlig")
    assert school_report["isOverdue"] is True  # 31 January 2025 is past

    sector = await cycle.sector_report("5501", 2024, "arlig")
    statuses = {s["status"]: s["count"] for s in sector["unitsByStatus"]}
    assert statuses == {"not_opened": 0, "draft": 1, "submitted": 0, "returned": 0, "approved": 1}
    assert sector["overdueUnits"] == [{"name": "Fjellheim skole", "status": "draft"}]
    levels = {a["key"]: {lv["level"]: lv["count"] for lv in a["levels"]} for a in sector["areas"]}
    assert levels[quality_areas[0]["key"]] == {"1": 0, "2": 1, "3": 3, "4": 0}  # first goal re-assessed to 2
    assert levels[quality_areas[3]["key"]] == {"1": 0, "2": 1, "3": 0, "4": 3}
    assert sum(a["assessments"] for a in sector["areas"]) == 16

    # Publishing freezes the numbers: later changes do not reach the published report.
    published = await cycle.mutate(
        "publishSectorReport",
        {"municipalityId": tromso["id"], "year": 2024, "period": "arlig"},
        "sectorReport { id publishedAt report { unitsByStatus { status count } } }",
    )
    await cycle.decide("returnReport", report["id"], "Ny runde.", field="report")
    live = await cycle.sector_report("5501", 2024, "arlig")
    assert {s["status"]: s["count"] for s in live["unitsByStatus"]}["returned"] == 1
    frozen = await gql(
        '{ municipality(number: "5501") { publishedSectorReports { report { unitsByStatus { status count } } } } }'
    )
    [snapshot] = frozen["municipality"]["publishedSectorReports"]
    assert snapshot["report"] == published["sectorReport"]["report"]
    assert {s["status"]: s["count"] for s in snapshot["report"]["unitsByStatus"]}["approved"] == 1

    # Every change was recorded, and is readable as the report's history.
    query = """query ($id: ID!) { node(id: $id) { ... on Report { history(first: 20) {
        totalCount nodes { action changes actor } } } } }"""
    history = (await gql(query, {"id": report["id"]}))["node"]["history"]
    statuses_seen = [
        n["changes"]["status"][1] for n in history["nodes"] if n["action"] == "UPDATE" and "status" in n["changes"]
    ]
    assert statuses_seen == ["submitted", "returned", "submitted", "approved", "returned"]
