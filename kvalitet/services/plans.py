"""Plans: built from a profile's content or copied from the last period's, adopted, archived."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kvalitet import messages
from kvalitet.messages import text
from kvalitet.models import Area, Criterion, Goal, Measure, Municipality, NationalGoal, Plan
from kvalitet.models.enums import PlanStatus
from kvalitet.plugins.content import AreaContent, PlanContent
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import INVALID_STATE, INVALID_VALUE, REQUIRED, fail, not_found
from kvalitet.services.events import emit
from kvalitet.services.validation import TITLE_MAX, Checker


async def _national_goal_ids(session: AsyncSession, content: PlanContent) -> dict[str, uuid.UUID]:
    """The catalogue's ids by key, loading the shipped catalogue first if a linked goal is missing."""
    wanted = {key for area in content.all_areas() for goal in area.goals for key in goal.national_goals}

    async def ids() -> dict[str, uuid.UUID]:
        return dict((await session.execute(select(NationalGoal.key, NationalGoal.id))).all())

    found = await ids()
    if not wanted <= found.keys():
        from kvalitet.services.catalogue import sync_national_goals

        await sync_national_goals(session)
        found = await ids()
    return found


async def create_plan_from_content(
    session: AsyncSession,
    municipality: Municipality,
    content: PlanContent,
    *,
    profile_code: str | None,
    adopted: bool = False,
    measures_assessed_by: Sequence[str] = (),
) -> Plan:
    """Insert a plan with every area, goal, criterion and measure of `content`, in order.

    The plan is a draft unless `adopted` (then it takes the adoption date and body from the
    content). `measures_assessed_by`: the profile's `Reporting.measures_assessed_by`. Runs in
    the caller's transaction: nothing is written if anything fails.
    """
    national = await _national_goal_ids(session, content)
    plan = Plan(
        id=uuid.uuid4(),
        municipality_id=municipality.id,
        title=content.title,
        description=content.description,
        period_start=content.period_start,
        period_end=content.period_end,
        status=PlanStatus.ADOPTED if adopted else PlanStatus.DRAFT,
        applies_to=list(content.applies_to),
        adopted_on=content.adopted_on if adopted else None,
        adopted_by=content.adopted_by if adopted else None,
        profile_code=profile_code,
        measures_assessed_by=list(measures_assessed_by),
    )
    session.add(plan)
    # The models have no ORM relationships (reads go through loaders as plain rows), so the
    # unit of work cannot order inserts across tables: flush parents before children.
    await session.flush()
    areas: list[Area] = []
    goals: list[Goal] = []
    rows: list = []
    counter = iter(range(1_000_000))

    def add_area(area: AreaContent, parent: Area | None, inherited: list[str]) -> None:
        applies_to = list(area.applies_to) if area.applies_to is not None else inherited
        row = Area(
            id=uuid.uuid4(),
            plan_id=plan.id,
            parent_id=parent.id if parent else None,
            key=area.key,
            kind=area.kind,
            title=area.title,
            description=area.description,
            applies_to=applies_to,
            position=next(counter),
        )
        areas.append(row)
        for g_pos, goal in enumerate(area.goals):
            missing = [key for key in goal.national_goals if key not in national]
            if missing:
                raise ValueError(f"goal in area {area.key!r} links to unknown national goals: {missing}")
            goal_row = Goal(
                id=uuid.uuid4(),
                area_id=row.id,
                kind=goal.kind,
                text=goal.text,
                position=g_pos,
                national_goal_id=national[goal.national_goals[0]] if goal.national_goals else None,
            )
            goals.append(goal_row)
            rows.extend(
                Criterion(goal_id=goal_row.id, text=c.text, perspective=c.perspective, position=i)
                for i, c in enumerate(goal.criteria)
            )
        rows.extend(
            Criterion(area_id=row.id, text=c.text, perspective=c.perspective, position=i)
            for i, c in enumerate(area.criteria)
        )
        rows.extend(
            Measure(
                area_id=row.id,
                text=m.text,
                owner=m.owner,
                deadline=m.deadline,
                partner=m.partner,
                target_group=m.target_group,
                position=i,
            )
            for i, m in enumerate(area.measures)
        )
        for child in area.children:
            add_area(child, row, applies_to)

    for top in content.areas:
        add_area(top, None, list(content.applies_to))
    for batch in (areas, goals, rows):  # areas are in depth-first order: parents first
        session.add_all(batch)
        await session.flush()
    return plan


# -- The plan's life: create for a period, copy, adopt, archive --------------------------------


def _check_period(checker: Checker, start: int | None, end: int | None) -> None:
    for name, year in (("periodStart", start), ("periodEnd", end)):
        checker.year(year, name)
    if start is not None and end is not None:
        checker.check(end >= start, INVALID_VALUE, text("plan.period_reversed"), "periodEnd")


async def create_plan(
    ctx: ServiceContext,
    municipality_id: uuid.UUID,
    *,
    period_start: int | None = None,
    period_end: int | None = None,
    title: str | None = None,
    copy_from: uuid.UUID | None = None,
) -> Plan:
    """A draft plan for a period: a copy of an earlier plan, or the profile's content."""
    municipality = await ctx.load(Municipality, municipality_id, "municipality", field_name="municipalityId")
    await ctx.authorize("create", Plan, municipality)
    checker = Checker()
    title = checker.text(title, "title", max_length=TITLE_MAX, required=False)
    _check_period(checker, period_start, period_end)
    checker.raise_if_any()
    if copy_from is not None:
        source = await ctx.load(Plan, copy_from, "plan to copy", field_name="copyFrom")
        if source.municipality_id != municipality.id:
            not_found("plan to copy", "copyFrom")
        plan = await copy_plan(ctx, source, period_start=period_start, period_end=period_end, title=title)
        return plan
    if not municipality.profile_code or ctx.profiles.plan_content(municipality.profile_code) is None:
        fail(REQUIRED, text("plan.no_content"), "copyFrom")
    content = ctx.profiles.plan_content(municipality.profile_code)
    assert content is not None  # asked just above
    updates: dict[str, Any] = {}
    if title:
        updates["title"] = title
    if period_start is not None:
        length = content.period_end - content.period_start
        updates["period_start"] = period_start
        updates["period_end"] = period_end if period_end is not None else period_start + length
    elif period_end is not None:
        updates["period_end"] = period_end
    if updates:
        content = content.model_copy(update=updates)
        if content.period_end < content.period_start:
            fail(INVALID_VALUE, text("plan.period_reversed"), "periodEnd")
    reporting = ctx.profiles.reporting(municipality.profile_code)
    return await create_plan_from_content(
        ctx.session,
        municipality,
        content,
        profile_code=municipality.profile_code,
        measures_assessed_by=reporting.measures_assessed_by if reporting else (),
    )


async def copy_plan(
    ctx: ServiceContext, source: Plan, *, period_start: int | None, period_end: int | None, title: str | None
) -> Plan:
    """A new draft with the source's structure and text (ids are new), for a new period."""
    length = source.period_end - source.period_start
    start = period_start if period_start is not None else source.period_end + 1
    end = period_end if period_end is not None else start + length
    if end < start:
        fail(INVALID_VALUE, text("plan.period_reversed"), "periodEnd")
    plan = Plan(
        id=uuid.uuid4(),
        municipality_id=source.municipality_id,
        title=title or source.title,
        description=source.description,
        period_start=start,
        period_end=end,
        status=PlanStatus.DRAFT,
        applies_to=list(source.applies_to),
        profile_code=source.profile_code,
        measures_assessed_by=list(source.measures_assessed_by),
    )
    ctx.session.add(plan)
    await ctx.session.flush()
    session = ctx.session
    areas = (await session.scalars(select(Area).where(Area.plan_id == source.id).order_by(Area.position))).all()
    area_ids: dict[uuid.UUID | None, uuid.UUID] = {a.id: uuid.uuid4() for a in areas}
    goals = (await session.scalars(select(Goal).where(Goal.area_id.in_(area_ids)))).all()
    goal_ids: dict[uuid.UUID | None, uuid.UUID] = {g.id: uuid.uuid4() for g in goals}
    criteria = (
        await session.scalars(
            select(Criterion).where((Criterion.area_id.in_(area_ids)) | (Criterion.goal_id.in_(goal_ids)))
        )
    ).all()
    measures = (await session.scalars(select(Measure).where(Measure.area_id.in_(area_ids)))).all()
    new_areas = [
        Area(
            id=area_ids[a.id],
            plan_id=plan.id,
            parent_id=area_ids.get(a.parent_id),
            key=a.key,
            kind=a.kind,
            title=a.title,
            description=a.description,
            applies_to=list(a.applies_to),
            position=a.position,
        )
        for a in areas
    ]
    new_goals = [
        Goal(
            id=goal_ids[g.id],
            area_id=area_ids[g.area_id],
            kind=g.kind,
            text=g.text,
            position=g.position,
            national_goal_id=g.national_goal_id,
        )
        for g in goals
    ]
    rest = [
        Criterion(
            area_id=area_ids.get(c.area_id),
            goal_id=goal_ids.get(c.goal_id),
            text=c.text,
            perspective=c.perspective,
            position=c.position,
        )
        for c in criteria
    ] + [
        Measure(
            area_id=area_ids[m.area_id],
            text=m.text,
            owner=m.owner,
            deadline=m.deadline,
            partner=m.partner,
            target_group=m.target_group,
            position=m.position,
        )
        for m in measures
    ]
    for batch in (new_areas, new_goals, rest):  # parents first (no ORM relationships to order them)
        session.add_all(batch)
        await session.flush()
    return plan


async def adopt_plan(ctx: ServiceContext, plan_id: uuid.UUID, version: int, adopted_on, adopted_by: str | None) -> Plan:
    plan = await ctx.load_for_change(Plan, plan_id, version, "plan", action="adopt")
    if plan.status != PlanStatus.DRAFT:
        fail(INVALID_STATE, text("plan.not_draft_to_adopt", status=messages.status(plan.status)), "id")
    checker = Checker()
    adopted_by = checker.text(adopted_by, "adoptedBy", max_length=TITLE_MAX)
    checker.raise_if_any()
    areas = await ctx.session.scalar(select(func.count()).select_from(Area).where(Area.plan_id == plan.id))
    if not areas:
        fail(INVALID_STATE, text("plan.no_areas"), "id")
    plan.status = PlanStatus.ADOPTED
    plan.adopted_on = adopted_on or ctx.today
    plan.adopted_by = adopted_by
    await emit(ctx, "plan.adopted", plan.municipality_id, "Plan", plan)
    return plan


async def archive_plan(ctx: ServiceContext, plan_id: uuid.UUID, version: int) -> Plan:
    plan = await ctx.load_for_change(Plan, plan_id, version, "plan", action="archive")
    if plan.status == PlanStatus.ARCHIVED:
        fail(INVALID_STATE, text("plan.already_archived"), "id")
    plan.status = PlanStatus.ARCHIVED
    await emit(ctx, "plan.archived", plan.municipality_id, "Plan", plan)
    return plan
