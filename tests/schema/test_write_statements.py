"""The hot writes of the cycle take a few statements, whatever the size of the plan: on the
default path a `saveAssessment` reads the report (FOR SHARE) with its unit and municipality in
one statement, then the assessment, and writes the change and its change-log row (the adopted
plan's criteria are not read again); a document it has answered is one statement after that."""

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
