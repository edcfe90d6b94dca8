"""A report's contents in one statement (`contents_of`: its items, and every assessment it holds,
through a full join) and a plan's areas as the rules see them (`plan_areas`, kept for a frozen
plan) give what reading each on its own gives."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select
from strawberry.relay import from_base64

from kvalitet.models import Area, Assessment, Measure
from kvalitet.services.plan_areas import plan_areas
from kvalitet.services.report_items import contents_of, required_items_of
from tests.support.cycle import Cycle


def _uuid(global_id: str) -> uuid.UUID:
    return uuid.UUID(from_base64(global_id)[1])


async def test_contents_hold_the_items_and_every_assessment_in_item_order(gql, database):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    plan = await cycle.adopted_plan(municipality["id"])
    unit = await cycle.unit(municipality["id"], "Barnehage", "KINDERGARTEN")
    report = await cycle.open_report(unit["id"], 2025, "h1")
    items = await cycle.items(report["id"])
    assert len(items) >= 3
    # Assessed out of order: the contents list them in the items' order.
    await cycle.assess(report["id"], items[2], "2")
    await cycle.assess(report["id"], items[0], "1")
    report_id, plan_id = _uuid(report["id"]), _uuid(plan["id"])

    async with database.session() as session, session.begin():
        # An assessment of something that is no item of this report (a measure for schools only),
        # written past the service, which would refuse it.
        school_only = await session.scalar(
            select(Measure.id)
            .join(Area, Area.id == Measure.area_id)
            .where(Area.plan_id == plan_id, Area.key == "skole")
            .limit(1)
        )
        assert school_only is not None
        await session.execute(insert(Assessment).values(report_id=report_id, measure_id=school_only, level="3"))

    async with database.session() as session:
        contents = (await contents_of(session, [report_id]))[report_id]
        alone = (await required_items_of(session, [report_id]))[report_id]
        everything = (await session.scalars(select(Assessment).where(Assessment.report_id == report_id))).all()

    listed, made = contents
    assert [(i.subject.id, i.area.id, i.assessment_id) for i in listed] == [
        (i.subject.id, i.area.id, i.assessment_id) for i in alone
    ]
    assert {a.id for a in made} == {a.id for a in everything} and len(made) == 3
    # The items' assessments in the items' order, then the one of no item.
    by_item = [i.assessment_id for i in listed if i.assessment_id is not None]
    assert [a.id for a in made[:2]] == by_item
    assert made[2].measure_id == school_only and made[2].level == "3"


async def test_a_plans_areas_are_what_its_rows_say_and_a_frozen_plans_are_kept(gql, database, statements):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    adopted = _uuid((await cycle.adopted_plan(municipality["id"]))["id"])
    draft = _uuid(
        (await cycle.mutate("createPlan", {"municipalityId": municipality["id"]}, "plan { id }"))["plan"]["id"]
    )

    async with database.session() as session:
        rows = (await session.scalars(select(Area).where(Area.plan_id == adopted).order_by(Area.position))).all()
        statements.reset()
        found = (await plan_areas(session, [adopted, draft]))[adopted]
        assert len(statements.statements) == 1
        key_of = {a.id: a.key or str(a.id) for a in rows}
        assert found.key_of == key_of
        assert [(r.key, r.kind, r.title, r.applies_to, r.parent_key) for r in found.refs] == [
            (key_of[a.id], a.kind, a.title, tuple(a.applies_to), key_of.get(a.parent_id)) for a in rows
        ]
        # Read again: the adopted plan from memory, the draft (which may change) from the database.
        statements.reset()
        again = await plan_areas(session, [adopted])
        assert again[adopted] == found and statements.statements == []
        await plan_areas(session, [draft])
        assert len(statements.statements) == 1
