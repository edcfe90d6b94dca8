"""Vestvågøy's school year through GraphQL only: the units' «lokal utviklingsplan» (kartlegging,
analyse, mål and handling with deadlines, over all eight themes) and the two half-yearly reports,
December (`h2`, autumn term) and June (`h1`, spring term)."""

import pytest

from tests.support.cycle import Cycle

PLAN_SECTIONS = ("kartlegging", "analyse")

# What the findings say, in the language asked for (written out here, not read from the catalogues).
SAYS = {
    "nb": {
        "no_goals": "Den lokale utviklingsplanen mangler mål.",
        "no_actions": "Den lokale utviklingsplanen mangler handling.",
        "theme": "Planen tar ikke for seg temaet «{}».",
        "deadline": "Handlingen «{}» mangler frist.",
        "sections": ["Planen mangler «Kartlegging».", "Planen mangler «Analyse»."],
    },
    "nn": {
        "no_goals": "Den lokale utviklingsplanen manglar mål.",
        "no_actions": "Den lokale utviklingsplanen manglar handling.",
        "theme": "Planen tek ikkje for seg temaet «{}».",
        "deadline": "Handlinga «{}» manglar frist.",
        "sections": ["Planen manglar «Kartlegging».", "Planen manglar «Analyse»."],
    },
    "en": {
        "no_goals": "The local development plan has no goals.",
        "no_actions": "The local development plan has no actions.",
        "theme": "The plan does not address the theme «{}».",
        "deadline": "The action «{}» has no deadline.",
        "sections": ["The plan lacks «Survey».", "The plan lacks «Analysis»."],
    },
}


@pytest.mark.parametrize("locale", list(SAYS))
async def test_a_school_year_in_vestvagoy(gql, locale):
    gql.headers["Accept-Language"] = locale
    says = SAYS[locale]
    cycle = Cycle(gql)
    vestvagoy = await cycle.municipality("1860", "Vestvågøy", "vestvagoy")
    plan = await cycle.adopted_plan(vestvagoy["id"], "Kommunalsjef Utdanning/Oppvekst")
    period = (
        await gql("query ($id: ID!) { node(id: $id) { ... on Plan { periodStart periodEnd } } }", {"id": plan["id"]})
    )["node"]
    assert (period["periodStart"], period["periodEnd"]) == (2020, 2021)
    calendar = await gql(
        '{ municipality(number: "1860") { reportingCalendar(year: 2020) { key startsOn endsOn dueOn } } }'
    )
    dates = {p["key"]: (p["startsOn"], p["endsOn"], p["dueOn"]) for p in calendar["municipality"]["reportingCalendar"]}
    assert dates == {"h2": ("2020-08-01", "2020-12-31", "2020-12-31"), "h1": ("2020-01-01", "2020-06-30", "2020-06-30")}

    school = await cycle.unit(vestvagoy["id"], "Leknes skole", "SCHOOL")
    kindergarten = await cycle.unit(vestvagoy["id"], "Ballstad barnehage", "KINDERGARTEN")
    themes = await cycle.areas(plan["id"], "theme")
    assert len(themes) == 8
    theme = {t["key"]: t for t in themes}
    sub_themes = {c["key"]: c for c in theme["fagfornyelsen-og-rammeplanen"]["children"]}
    leadership_keys = await cycle.areas(plan["id"], "leadership_key")
    assert [k["key"] for k in leadership_keys] == [c["key"] for c in theme["lederutvikling"]["children"]]

    # The school's local development plan: refused while empty, naming all that is missing.
    local = await cycle.local_plan(school["id"], plan["id"])
    refused = await cycle.submit_local_plan(local["id"])
    assert refused["localPlan"] is None
    assert [e["message"] for e in refused["errors"]] == [
        says["no_goals"],
        says["no_actions"],
        *(says["theme"].format(t["title"]) for t in themes),  # the plan's titles: content, as written
        *says["sections"],  # the core's finding on the profile's required sections, after the profile's
    ]
    # A goal and an action without a deadline for one theme: the deadline and seven themes remain.
    goals = [await cycle.local_goal(local["id"], theme["lederutvikling"]["id"], "Lederne gir tydelig retning")]
    action = await cycle.action(
        local["id"], "Ledersamling om lederrollen", theme["lederutvikling"]["id"], owner="Rektor"
    )
    refused = await cycle.submit_local_plan(local["id"])
    messages = [e["message"] for e in refused["errors"]]
    assert messages[0] == says["deadline"].format("Ledersamling om lederrollen")
    assert messages[1:8] == [says["theme"].format(t["title"]) for t in themes[1:]]
    assert messages[8:] == says["sections"]
    assert [e["code"] for e in refused["errors"]] == ["MISSING_DEADLINE"] + ["THEME_NOT_ADDRESSED"] * 7 + [
        "MISSING_SECTION"
    ] * 2

    # Completed: the deadline, both sections, and a goal for every other theme — «Fagfornyelsen og
    # rammeplanen» through its (school-only) sub-theme «Undervisningsplanlegging».
    await cycle.update_action(action, deadline="2020-11-30")
    for key in PLAN_SECTIONS:
        await cycle.section(local["id"], key, f"Skolens {key} høsten 2020.")
    for t in themes[1:]:
        area = sub_themes["undervisningsplanlegging"] if t["key"] == "fagfornyelsen-og-rammeplanen" else t
        goals.append(await cycle.local_goal(local["id"], area["id"], f"Skolens mål: {area['title']}"))
        await cycle.action(local["id"], f"Tiltak: {area['title']}", area["id"], deadline="2021-06-15", owner="Rektor")
    submitted = await cycle.submit_local_plan(local["id"])
    assert submitted["errors"] == [] and submitted["localPlan"]["status"] == "SUBMITTED"
    assert (await cycle.decide("approveLocalPlan", local["id"], "Godkjent."))["status"] == "APPROVED"

    # The kindergarten: «Undervisningsplanlegging» and DEKOM are for schools; «Digital kompetanse» serves it.
    kg_local = await cycle.local_plan(kindergarten["id"], plan["id"])
    dekom = (await cycle.areas(plan["id"], "regional_arena"))[0]
    for area in (sub_themes["undervisningsplanlegging"], dekom):
        errors = await cycle.refused(
            "addLocalGoal", {"localPlanId": kg_local["id"], "areaId": area["id"], "text": "Mål"}
        )
        assert [e["code"] for e in errors] == ["NOT_APPLICABLE"]
    for t in themes:
        area = sub_themes["digital-kompetanse"] if t["key"] == "fagfornyelsen-og-rammeplanen" else t
        await cycle.local_goal(kg_local["id"], area["id"], f"Barnehagens mål: {area['title']}")
        await cycle.action(
            kg_local["id"], f"Tiltak: {area['title']}", area["id"], deadline="2021-06-15", owner="Styrer"
        )
    for key in PLAN_SECTIONS:
        await cycle.section(kg_local["id"], key, f"Barnehagens {key}.")
    assert (await cycle.submit_local_plan(kg_local["id"]))["localPlan"]["status"] == "SUBMITTED"
    assert (await cycle.decide("approveLocalPlan", kg_local["id"]))["status"] == "APPROVED"

    # December (h2 2020): the 21 criteria of the five leadership keys, then the school's 8 goals.
    report = await cycle.open_report(school["id"], 2020, "h2")
    assert report["dueOn"] == "2020-12-31" and report["status"] == "DRAFT" and report["isOverdue"] is True
    items = await cycle.items(report["id"])
    criteria = [i for i in items if i["criterion"]]
    assert len(criteria) == 21 and {i["area"]["key"] for i in criteria} == {k["key"] for k in leadership_keys}
    assert [i["localGoal"]["id"] for i in items[21:]] == [g["id"] for g in goals]
    # Criteria at 3 and goals at 2, but the last five goals are left out at first.
    early = {i["localGoal"]["id"] for i in items[21:24]}
    await cycle.assess_all(
        report["id"], lambda i: "3" if i["criterion"] else ("2" if i["localGoal"]["id"] in early else None)
    )
    refused = await cycle.submit_report(report["id"])
    assert refused["report"] is None and [e["code"] for e in refused["errors"]] == ["MISSING_ASSESSMENT"] * 5
    await cycle.assess_all(report["id"], lambda i: None if i["assessment"] else "2")
    assert (await cycle.submit_report(report["id"]))["report"]["status"] == "SUBMITTED"
    returned = await cycle.decide("returnReport", report["id"], "Vurder lederrollen på nytt.", field="report")
    assert returned["status"] == "RETURNED" and returned["comment"] == "Vurder lederrollen på nytt."
    first = (await cycle.items(report["id"]))[0]
    assert first["area"]["key"] == "lederrollen"
    await cycle.assess(report["id"], first, "4", comment="Justert etter tilbakemelding")
    assert (await cycle.submit_report(report["id"]))["report"]["status"] == "SUBMITTED"
    assert (await cycle.decide("approveReport", report["id"], field="report"))["status"] == "APPROVED"

    # The kindergarten's December report: the same 21 criteria (at 2) and its own 8 goals (at 1).
    kg_report = await cycle.open_report(kindergarten["id"], 2020, "h2")
    kg_items = await cycle.assess_all(kg_report["id"], lambda i: "2" if i["criterion"] else "1")
    assert len(kg_items) == 29 and [i["area"]["key"] for i in kg_items[21:]][3] == "digital-kompetanse"
    assert (await cycle.submit_report(kg_report["id"]))["report"]["status"] == "SUBMITTED"

    december = await cycle.sector_report("1860", 2020, "h2")
    assert december["dueOn"] == "2020-12-31"
    assert cycle.statuses(december) == {"not_opened": 0, "draft": 0, "submitted": 1, "returned": 0, "approved": 1}
    assert december["overdueUnits"] == []
    levels = cycle.area_levels(december)
    assert levels["lederrollen"] == {"2": 5, "3": 4, "4": 1}  # the school's first re-assessed to 4
    assert [levels[k["key"]] for k in leadership_keys[1:]] == [{"2": n, "3": n} for n in (3, 5, 5, 3)]
    assert levels["lederutvikling"] == {"1": 1, "2": 1}  # one goal of each unit
    assert levels["undervisningsplanlegging"] == {"2": 1} and levels["digital-kompetanse"] == {"1": 1}
    assert cycle.criterion_levels(december)[first["criterion"]["text"]] == {"2": 1, "4": 1}
    assert sum(a["assessments"] for a in december["areas"]) == 2 * 29

    # June (h1 2021), same plan: the school reports and is approved, the kindergarten stops halfway.
    report = await cycle.open_report(school["id"], 2021, "h1")
    assert report["dueOn"] == "2021-06-30"
    await cycle.assess_all(report["id"], lambda i: "4" if i["criterion"] else "3")
    assert (await cycle.submit_report(report["id"]))["report"]["status"] == "SUBMITTED"
    assert (await cycle.decide("approveReport", report["id"], field="report"))["status"] == "APPROVED"
    kg_report = await cycle.open_report(kindergarten["id"], 2021, "h1")
    await cycle.assess_all(
        kg_report["id"], lambda i: "3" if i["criterion"] and i["area"]["key"] == "lederrollen" else None
    )
    assert [e["code"] for e in (await cycle.submit_report(kg_report["id"]))["errors"]] == ["MISSING_ASSESSMENT"] * 24

    june = await cycle.sector_report("1860", 2021, "h1")
    assert cycle.statuses(june) == {"not_opened": 0, "draft": 1, "submitted": 0, "returned": 0, "approved": 1}
    assert june["overdueUnits"] == [{"name": "Ballstad barnehage", "status": "draft"}]
    levels = cycle.area_levels(june)
    # The kindergarten's draft does not count: only the school's criteria, all at 4.
    assert [levels[k["key"]] for k in leadership_keys] == [{"4": n} for n in (5, 3, 5, 5, 3)]
    assert levels["lederutvikling"] == levels["undervisningsplanlegging"] == {"3": 1}
    assert "digital-kompetanse" not in levels
    assert sum(a["assessments"] for a in june["areas"]) == 29
    # December's numbers are untouched by June.
    assert cycle.area_levels(await cycle.sector_report("1860", 2020, "h2")) == cycle.area_levels(december)
