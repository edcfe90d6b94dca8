"""Drammen's year through GraphQL only: a kindergarten and a school in the same zone, each working
and reporting only on the ambitions of its own kind («Kvalitetsplan for helhetlig læringsløp»)."""

import pytest

from tests.support.cycle import Cycle

AMBITIONS = """query ($id: ID!) { node(id: $id) { ... on Plan {
    areas(kind: "ambition") { id key title appliesTo criteria { id text } } } } }"""
SECTOR_UNITS = """{ municipality(number: "3301") { sectorReport(year: 2024, period: "arlig") {
    units { name unitKind reportStatus reportId itemCount assessedCount } areas { key depth parentId } } } }"""
MEASURES_ASSESSED_BY = "query ($id: ID!) { node(id: $id) { ... on Plan { measuresAssessedBy } } }"
AMBITION_MEASURES = "query ($id: ID!) { node(id: $id) { ... on Area { measures { id text } } } }"
SCHOOL_PROGRESS = "query ($id: ID!) { node(id: $id) { ... on Report { items { assessment { level } } } } }"
SCHOOL_SIGNS = ("Elevene opplever et trygt og godt skolemiljø.", "Elevene blir sett og hørt av de voksne.")
# What refusals and findings say, in the language asked for (written out, not read from the catalogues).
SAYS = {
    "nb": {
        "not_for": "«{}» gjelder ikke for {}.",
        "kinds": {"kindergarten": "barnehager", "school": "skoler"},
        "needs": "Planen mangler «Utviklingsbehov».",
        "measure_not_for_schools": "Tiltaket gjelder ikke for skoler.",
        "no_measures_in_kindergartens": "Planens tiltak vurderes ikke i rapportene til barnehager.",
    },
    "nn": {
        "not_for": "«{}» gjeld ikkje for {}.",
        "kinds": {"kindergarten": "barnehagar", "school": "skular"},
        "needs": "Planen manglar «Utviklingsbehov».",
        "measure_not_for_schools": "Tiltaket gjeld ikkje for skular.",
        "no_measures_in_kindergartens": "Tiltaka i planen blir ikkje vurderte i rapportane til barnehagar.",
    },
    "en": {
        "not_for": "«{}» is not for {}.",
        "kinds": {"kindergarten": "kindergartens", "school": "schools"},
        "needs": "The plan lacks «Development needs».",
        "measure_not_for_schools": "The measure is not for schools.",
        "no_measures_in_kindergartens": "The plan's measures are not assessed in the reports of kindergartens.",
    },
}


@pytest.mark.parametrize("locale", list(SAYS))
async def test_a_year_in_drammen(gql, locale):
    gql.headers["Accept-Language"] = locale
    says = SAYS[locale]
    cycle = Cycle(gql)
    drammen = await cycle.municipality("3301", "Drammen", "drammen")
    calendar = await gql(
        '{ municipality(number: "3301") { reportingCalendar(year: 2024) { key startsOn endsOn dueOn } } }'
    )
    [period] = calendar["municipality"]["reportingCalendar"]
    assert (period["key"], period["startsOn"], period["endsOn"], period["dueOn"]) == (
        "arlig",
        "2024-01-01",
        "2024-12-31",
        "2025-01-31",
    )

    # The plan comes from the profile; the school ambitions have no «kjennetegn» there, so the
    # draft gets two for «Trygt og inkluderende fellesskap» (skole) before it is adopted.
    plan = (await cycle.mutate("createPlan", {"municipalityId": drammen["id"]}, "plan { id version }"))["plan"]
    ambitions = (await gql(AMBITIONS, {"id": plan["id"]}))["node"]["areas"]
    for_kindergartens = {a["key"]: a for a in ambitions if a["appliesTo"] == ["KINDERGARTEN"]}
    for_schools = {a["key"]: a for a in ambitions if a["appliesTo"] == ["SCHOOL"]}
    assert len(for_kindergartens) == len(for_schools) == 4
    assert all(not a["criteria"] for a in for_schools.values())
    safe_school = for_schools["skole-trygt-og-inkluderende-fellesskap"]
    for text in SCHOOL_SIGNS:
        await cycle.mutate("addCriterion", {"areaId": safe_school["id"], "text": text}, "criterion { id }")
    version = await cycle.version_of(plan["id"])
    adopted = await cycle.mutate(
        "adoptPlan", {"id": plan["id"], "version": version, "adoptedBy": "Bystyret"}, "plan { status }"
    )
    assert adopted["plan"]["status"] == "ADOPTED"
    kindergarten_signs = {c["text"] for a in for_kindergartens.values() for c in a["criteria"]}
    assert len(kindergarten_signs) == 18

    # Two units of one zone («sonesamarbeid»).
    kindergarten = await cycle.unit(drammen["id"], "Tyttebærtua barnehage", "KINDERGARTEN", zone="Sone 3")
    school = await cycle.unit(drammen["id"], "Fjellsprang skole", "SCHOOL", zone="Sone 3")
    for unit in (kindergarten, school):
        zone = await gql("query ($id: ID!) { node(id: $id) { ... on Unit { zone } } }", {"id": unit["id"]})
        assert zone["node"]["zone"] == "Sone 3"

    # Local plans: a goal on the other kind's ambition is refused; goals on their own are accepted.
    lekeglede, competent_staff = (
        for_kindergartens["bhg-lekeglede"],
        for_kindergartens["bhg-trygge-og-kompetente-ansatte"],
    )
    local_plans = {}
    for unit, wrong, own, word in (
        (kindergarten, safe_school, (lekeglede, competent_staff), says["kinds"]["kindergarten"]),
        (school, lekeglede, tuple(for_schools.values())[:3], says["kinds"]["school"]),
    ):
        local = await cycle.local_plan(unit["id"], plan["id"])
        errors = await cycle.refused(
            "addLocalGoal", {"localPlanId": local["id"], "areaId": wrong["id"], "text": "Feil mål"}
        )
        assert [(e["code"], e["message"]) for e in errors] == [
            ("NOT_APPLICABLE", says["not_for"].format(wrong["title"], word))
        ]
        # Complete when it states the unit's development needs (seed 003, lines 217-218) and
        # prioritises at least one of its kind's ambitions, each with an action (lines 14-16).
        refused = await cycle.submit_local_plan(local["id"])
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [
            ("NO_AMBITION_PRIORITISED", "goals"),
            ("MISSING_SECTION", "sections/utviklingsbehov"),
        ]
        assert refused["errors"][1]["message"] == says["needs"]
        await cycle.section(local["id"], "utviklingsbehov", "Vi trenger mer kompetanse på lek og språk.")
        for area in own:
            await cycle.local_goal(local["id"], area["id"], f"Vårt mål: {area['title']}")
        refused = await cycle.submit_local_plan(local["id"])
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [
            ("MISSING_AMBITION_ACTION", f"areas/{area['key']}/actions") for area in own
        ]
        for area in own:
            await cycle.action(local["id"], f"Tiltak: {area['title']}", area["id"], deadline="2024-12-01")
        submitted = await cycle.submit_local_plan(local["id"])
        assert submitted["errors"] == [] and submitted["localPlan"]["status"] == "SUBMITTED"
        assert (await cycle.decide("approveLocalPlan", local["id"]))["status"] == "APPROVED"
        local_plans[unit["id"]] = local

    # The kindergarten's report: only the 18 «kjennetegn» of its ambitions, then its 2 goals.
    report = await cycle.open_report(kindergarten["id"], 2024, "arlig")
    assert report["dueOn"] == "2025-01-31" and report["isOverdue"] is True
    items = await cycle.items(report["id"])
    criteria = [i for i in items if i["criterion"]]
    assert {i["criterion"]["text"] for i in criteria} == kindergarten_signs and len(criteria) == 18
    assert {i["area"]["key"] for i in items} == set(for_kindergartens)
    assert not {i["criterion"]["text"] for i in criteria} & set(SCHOOL_SIGNS)
    assert [i["localGoal"]["text"] for i in items[18:]] == [
        "Vårt mål: Lekeglede",
        "Vårt mål: Trygge og kompetente ansatte",
    ]

    # The school's report: the two school «kjennetegn», the 23 measures of the school ambitions
    # (the profile's reports assess a school's measures: its ambitions have no «kjennetegn»), and
    # its 3 goals. A kindergarten's report assesses no measures.
    assert (await gql(MEASURES_ASSESSED_BY, {"id": plan["id"]}))["node"]["measuresAssessedBy"] == ["SCHOOL"]
    assert not any(i["measure"] for i in items)
    school_report = await cycle.open_report(school["id"], 2024, "arlig")
    school_items = await cycle.items(school_report["id"])
    assert [i["criterion"]["text"] for i in school_items[:2]] == list(SCHOOL_SIGNS)
    measures = [i for i in school_items if i["measure"]]
    assert len(measures) == 23 and school_items[2:25] == measures
    assert len(school_items) == 28 and {i["area"]["key"] for i in school_items} <= set(for_schools)
    kindergarten_measure = (await gql(AMBITION_MEASURES, {"id": lekeglede["id"]}))["node"]["measures"][0]
    for report_id, measure, message in (
        (school_report["id"], kindergarten_measure, says["measure_not_for_schools"]),
        (report["id"], measures[0]["measure"], says["no_measures_in_kindergartens"]),
    ):
        errors = await cycle.refused(
            "saveAssessment", {"reportId": report_id, "measureId": measure["id"], "level": "2"}
        )
        assert [(e["code"], e["field"], e["message"]) for e in errors] == [("NOT_APPLICABLE", "measureId", message)]

    # Assessing the other kind's «kjennetegn» is refused, in both directions.
    for report_id, criterion in (
        (report["id"], school_items[0]["criterion"]),
        (school_report["id"], criteria[0]["criterion"]),
    ):
        errors = await cycle.refused(
            "saveAssessment", {"reportId": report_id, "criterionId": criterion["id"], "level": "3"}
        )
        assert [e["code"] for e in errors] == ["NOT_APPLICABLE"]

    # Kindergarten: «Lekeglede» at 4, other «kjennetegn» at 3; the goals are forgotten at first.
    await cycle.assess_all(
        report["id"], lambda i: None if i["localGoal"] else ("4" if i["area"]["key"] == "bhg-lekeglede" else "3")
    )
    refused = await cycle.submit_report(report["id"])
    assert [e["code"] for e in refused["errors"]] == ["MISSING_ASSESSMENT"] * 2
    await cycle.assess_all(report["id"], lambda i: None if i["assessment"] else "2")
    assert (await cycle.submit_report(report["id"]))["report"]["status"] == "SUBMITTED"
    returned = await cycle.decide(
        "returnReport", report["id"], "Er leken virkelig etablert praksis overalt?", field="report"
    )
    assert returned["status"] == "RETURNED"
    first = (await cycle.items(report["id"]))[0]
    assert first["area"]["key"] == "bhg-lekeglede" and first["assessment"]["level"] == "4"
    await cycle.assess(report["id"], first, "3", comment="Ikke på alle avdelinger ennå")
    assert (await cycle.submit_report(report["id"]))["report"]["status"] == "SUBMITTED"
    assert (await cycle.decide("approveReport", report["id"], field="report"))["status"] == "APPROVED"

    # School: «kjennetegn» at 2, measures and goals at 3; refused until the measures are assessed
    # too, then submitted, not yet approved.
    await cycle.assess_all(school_report["id"], lambda i: None if i["measure"] else "2" if i["criterion"] else "3")
    refused = await cycle.submit_report(school_report["id"])
    assert [e["code"] for e in refused["errors"]] == ["MISSING_ASSESSMENT"] * 23
    await cycle.assess_all(school_report["id"], lambda i: None if i["assessment"] else "3")
    progress = await gql(SCHOOL_PROGRESS, {"id": school_report["id"]})
    assert [i["assessment"]["level"] for i in progress["node"]["items"]] == ["2"] * 2 + ["3"] * 26
    assert (await cycle.submit_report(school_report["id"]))["report"]["status"] == "SUBMITTED"

    sector = await cycle.sector_report("3301", 2024, "arlig")
    assert cycle.statuses(sector) == {"not_opened": 0, "draft": 0, "submitted": 1, "returned": 0, "approved": 1}
    assert sector["overdueUnits"] == []
    assert {u["name"]: u["kind"] for u in sector["units"]} == {
        "Tyttebærtua barnehage": "kindergarten",
        "Fjellsprang skole": "school",
    }
    # Each unit's report and its progress, and the areas as a tree.
    rows = await gql(SECTOR_UNITS)
    live = {u["name"]: u for u in rows["municipality"]["sectorReport"]["units"]}
    assert live["Fjellsprang skole"] == {
        "name": "Fjellsprang skole",
        "unitKind": "SCHOOL",
        "reportStatus": "SUBMITTED",
        "reportId": school_report["id"],
        "itemCount": 28,
        "assessedCount": 28,
    }
    assert (
        live["Tyttebærtua barnehage"]["itemCount"] == 20 and live["Tyttebærtua barnehage"]["reportStatus"] == "APPROVED"
    )
    areas = rows["municipality"]["sectorReport"]["areas"]
    assert {(a["depth"], a["parentId"]) for a in areas} == {(0, None)}  # Drammen's ambitions are top-level
    levels = cycle.area_levels(sector)
    assert levels["bhg-lekeglede"] == {"2": 1, "3": 1, "4": 5}  # 6 «kjennetegn» (one re-assessed) and a goal
    assert levels["bhg-trygt-og-inkluderende-fellesskap"] == {"3": 6}
    assert levels["bhg-en-god-start-pa-livet"] == {"3": 4}
    assert levels["bhg-trygge-og-kompetente-ansatte"] == {"2": 1, "3": 2}
    # A school ambition: its «kjennetegn», its measures and the school's goal in it.
    assert levels["skole-trygt-og-inkluderende-fellesskap"] == {"2": 2, "3": 7 + 1}
    assert levels["skole-praktisk-relevant-utfordrende-variert-og-aktiv-laering"] == {"3": 5 + 1}
    assert levels["skole-gjennomforing-av-videregaende-opplaering"] == {"3": 6 + 1}
    assert levels["skole-trygge-og-kompetente-ansatte"] == {"3": 5}
    assert cycle.criterion_levels(sector)[first["criterion"]["text"]] == {"3": 1}
    assert {t: cycle.criterion_levels(sector)[t] for t in SCHOOL_SIGNS} == {t: {"2": 1} for t in SCHOOL_SIGNS}
    assert sum(a["assessments"] for a in sector["areas"]) == 20 + 5 + 23
