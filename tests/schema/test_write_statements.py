"""The hot writes of the cycle take a few statements, whatever the size of the plan: on the
default path a `saveAssessment` reads the report (FOR SHARE) with its unit and municipality in
one statement, then the assessment, and writes the change and its change-log row (the adopted
plan's criteria are not read again); a document it has answered is one statement after that.
The local plan's writes take four at most, and a submit as many for many items as for few
(docs/performance.md lists them)."""

from __future__ import annotations

from tests.support.cycle import Cycle


async def test_saving_an_assessment_takes_four_statements_then_one(gql, statements):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    await cycle.adopted_plan(municipality["id"])
    unit = await cycle.unit(municipality["id"], "Barnehage", "KINDERGARTEN")
    report = await cycle.open_report(unit["id"], 2025, "h1")
    items = await cycle.items(report["id"])

    # The document's first run is the default path's: four statements, and two the first time
    # the adopted plan's criteria are read (then kept), never the whole plan.
    statements.reset()
    await cycle.assess(report["id"], items[0], "1")
    kinds = [" ".join(s.split()[:2]) for s in statements.statements]
    assert len(kinds) == 6 and kinds.count("SELECT criterion.id") == 1, statements.statements
    assert sum(k.startswith("INSERT INTO") for k in kinds) == 2  # the assessment and its change-log row
    assert not any("FROM area" in s for s in statements.statements)

    # The same document again is one statement (kvalitet.schema.compiled.writes).
    items = await cycle.items(report["id"])
    statements.reset()
    saved = await cycle.assess(report["id"], items[0], "2")
    assert saved["level"] == "2" and saved["version"] == 2
    assert len(statements.statements) == 1 and statements.compiled == statements.statements


async def test_a_criterion_of_another_kind_or_plan_is_still_refused(gql):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    plan = await cycle.adopted_plan(municipality["id"])
    kindergarten = await cycle.unit(municipality["id"], "Barnehage", "KINDERGARTEN")
    school = await cycle.unit(municipality["id"], "Skole", "SCHOOL")
    report = await cycle.open_report(kindergarten["id"], 2025, "h1")
    school_report = await cycle.open_report(school["id"], 2025, "h1")
    ours = {i["criterion"]["id"] for i in await cycle.items(report["id"]) if i["criterion"]}
    theirs = {i["criterion"]["id"] for i in await cycle.items(school_report["id"]) if i["criterion"]}
    await cycle.assess(report["id"], next(i for i in await cycle.items(report["id"]) if i["criterion"]), "1")
    only_kindergartens = ours - theirs
    assert only_kindergartens, plan
    errors = await cycle.refused(
        "saveAssessment", {"reportId": school_report["id"], "criterionId": next(iter(only_kindergartens)), "level": "1"}
    )
    assert [e["code"] for e in errors] == ["NOT_APPLICABLE"]


async def test_the_local_plan_writes_take_at_most_four_statements(gql, statements):
    """Adding a section, a goal or an action: the local plan FOR SHARE with its unit and the new
    row's position, the area (with the section already written for it), the row and its
    change-log record. Changing an action: the action with its plan and unit, the row, its record."""
    cycle = Cycle(gql)
    _, plan, unit, local_plan = await cycle.kindergarten_on("9901", "Testkommune", "testprofil")
    area = next(a for a in await cycle.areas(plan["id"], "theme") if "KINDERGARTEN" in a["appliesTo"])

    async def counted(write):
        statements.reset()
        result = await write
        return result, len(statements.statements)

    first, count = await counted(cycle.section(local_plan["id"], "nåsituasjon", "Slik er det", area["id"]))
    assert count <= 4, statements.statements
    _, count = await counted(cycle.section(local_plan["id"], "vurdering", "Slik ble det", area["id"]))
    assert count <= 4, statements.statements
    goals = []
    for text in ("Mål en", "Mål to"):
        goal, count = await counted(cycle.local_goal(local_plan["id"], area["id"], text))
        assert count <= 4, statements.statements
        goals.append(goal)
    action, count = await counted(cycle.action(local_plan["id"], "Tiltak", area["id"]))
    assert count <= 4, statements.statements
    _, count = await counted(cycle.update_action(action, text="Nytt tiltak"))
    assert count <= 3, statements.statements

    # What was written reads back in the order it was added, each goal after the last.
    query = """query ($id: ID!) { node(id: $id) { ... on LocalPlan {
        goals { text position } sections { key text } actions { text } } } }"""
    read = (await gql(query, {"id": local_plan["id"]}))["node"]
    assert [(g["text"], g["position"]) for g in read["goals"]] == [("Mål en", 0), ("Mål to", 1)]
    assert {s["key"]: s["text"] for s in read["sections"]} == {
        "nåsituasjon": "Slik er det",
        "vurdering": "Slik ble det",
    }
    assert [a["text"] for a in read["actions"]] == ["Nytt tiltak"]
    assert first["version"] == 1


async def test_submitting_a_report_takes_as_many_statements_for_many_items_as_for_one(gql, statements):
    cycle = Cycle(gql)
    _, plan, unit, local_plan = await cycle.kindergarten_on("9901", "Testkommune", "testprofil")
    area = next(a for a in await cycle.areas(plan["id"], "theme") if "KINDERGARTEN" in a["appliesTo"])
    counts = []
    for year, new_goals in ((2025, 1), (2026, 5)):
        for n in range(new_goals):
            await cycle.local_goal(local_plan["id"], area["id"], f"Mål {year} {n}")
        report = await cycle.open_report(unit["id"], year, "h1")
        items = await cycle.assess_all(report["id"], lambda item: "1")
        version = await cycle.version_of(report["id"])
        statements.reset()
        submitted = await cycle.mutate("submitReport", {"id": report["id"], "version": version}, "report { status }")
        assert submitted["report"]["status"] == "SUBMITTED"
        # The plan's areas are read at the first submit on the plan only (an adopted plan is frozen).
        areas_read = [s for s in statements.statements if "FROM plan LEFT OUTER JOIN area" in s]
        counts.append((len(items), len(statements.statements) - len(areas_read), len(areas_read)))
    (few, first, read_first), (many, second, read_second) = counts
    # The report (FOR SHARE), its items with all its assessments, the change, and its change-log
    # row with the event and its deliveries.
    assert many > few and first == second == 4, (counts, statements.statements)
    assert (read_first, read_second) == (1, 0), counts


async def test_submitting_a_local_plan_takes_as_many_statements_for_a_full_plan_as_for_a_small_one(gql, statements):
    """The local plan (FOR SHARE), the rules' picture of it (its goals, actions and sections; its
    plan's areas are read at the first submit on the plan only), then the change, and its
    change-log row with the event and its deliveries."""
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    plan = await cycle.adopted_plan(municipality["id"])
    area = next(a for a in await cycle.areas(plan["id"], "theme") if "KINDERGARTEN" in a["appliesTo"])
    counts = []
    for name, size in (("Liten barnehage", 1), ("Stor barnehage", 6)):
        unit = await cycle.unit(municipality["id"], name, "KINDERGARTEN")
        local = await cycle.local_plan(unit["id"], plan["id"])
        for n in range(size):
            await cycle.local_goal(local["id"], area["id"], f"Mål {n}")
            await cycle.action(local["id"], f"Tiltak {n}", area["id"], deadline="2026-06-01")
            await cycle.section(local["id"], f"del_{n}", f"Tekst {n}")
        version = await cycle.version_of(local["id"])
        statements.reset()
        submitted = await cycle.mutate(
            "submitLocalPlan", {"id": local["id"], "version": version}, "localPlan { status }"
        )
        assert submitted["localPlan"]["status"] == "SUBMITTED"
        areas_read = [s for s in statements.statements if "FROM plan LEFT OUTER JOIN area" in s]
        counts.append((len(statements.statements) - len(areas_read), len(areas_read)))
    assert counts == [(4, 1), (4, 0)], (counts, statements.statements)
