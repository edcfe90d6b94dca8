"""Building a plan's rows from a profile's plan content."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..content import AreaContent, PlanContent
from ..models import Area, Criterion, Goal, Measure, Municipality, NationalGoal, Plan


async def create_plan_from_content(
    session: AsyncSession,
    municipality: Municipality,
    content: PlanContent,
    *,
    profile_code: str | None,
    adopted: bool = False,
) -> Plan:
    """Insert a plan with every area, goal, criterion and measure of `content`, in order.

    The plan is a draft unless `adopted` (then it takes the adoption date and body from the
    content). Runs in the caller's transaction: nothing is written if anything fails.
    """
    national = {
        key: id_ for key, id_ in (await session.execute(select(NationalGoal.key, NationalGoal.id))).all()
    }
    plan = Plan(
        id=uuid.uuid4(),
        municipality_id=municipality.id,
        title=content.title,
        description=content.description,
        period_start=content.period_start,
        period_end=content.period_end,
        status="adopted" if adopted else "draft",
        applies_to=list(content.applies_to),
        adopted_on=content.adopted_on if adopted else None,
        adopted_by=content.adopted_by if adopted else None,
        profile_code=profile_code,
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
