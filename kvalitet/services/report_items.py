"""What a report must assess: the plan's criteria for the unit's kind, then the goals of the
unit's local plan, for one report or many at once; and an adopted plan's criteria, kept by plan
and kind (adopted plans are frozen) for the checks of a save."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import any_, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from kvalitet.infra.caches import LRUCache
from kvalitet.models import Area, Criterion, Goal, LocalGoal, LocalPlan, Plan, Report, Unit
from kvalitet.models.enums import PlanStatus
from kvalitet.services.context import ServiceContext


@dataclass(frozen=True)
class ReportItem:
    """Something the report must assess: a criterion of the plan or a local goal."""

    criterion: Criterion | None
    local_goal: LocalGoal | None
    area: Area

    @property
    def subject(self) -> Criterion | LocalGoal:
        """What is assessed: the criterion, or the local goal (an item has one of them)."""
        subject = self.criterion or self.local_goal
        assert subject is not None
        return subject

    @property
    def text(self) -> str:
        return self.subject.text


@dataclass(frozen=True)
class PlanStructure:
    """Plans' areas (by plan, in order), their goals and their criteria, as read at once."""

    areas: Sequence[Area]
    goals: Sequence[Goal]
    criteria: Sequence[Criterion]

    @functools.cached_property
    def goal_area(self) -> dict[uuid.UUID | None, uuid.UUID]:
        return {g.id: g.area_id for g in self.goals}

    @functools.cached_property
    def goal_position(self) -> dict[uuid.UUID | None, int]:
        return {g.id: g.position for g in self.goals}

    def area_of(self, criterion: Criterion) -> uuid.UUID:
        """The area a criterion is under: its own, or its goal's."""
        return criterion.area_id or self.goal_area[criterion.goal_id]


async def plan_structure(session: AsyncSession, plan_ids: Iterable[uuid.UUID]) -> PlanStructure:
    """The plans' structure in three statements, whatever their number."""
    areas = (
        await session.scalars(select(Area).where(Area.plan_id.in_(set(plan_ids))).order_by(Area.plan_id, Area.position))
    ).all()
    area_ids = [a.id for a in areas]
    goals = (
        await session.scalars(select(Goal).where(Goal.area_id.in_(area_ids)).order_by(Goal.area_id, Goal.position))
    ).all()
    goal_ids = [g.id for g in goals]
    criteria = (
        await session.scalars(
            select(Criterion).where(Criterion.area_id.in_(area_ids) | Criterion.goal_id.in_(goal_ids))
        )
    ).all()
    return PlanStructure(areas, goals, criteria)


class ReportRef(Protocol):
    """What items are computed from: a report row, or the GraphQL type's fields."""

    @property
    def id(self) -> Any: ...
    @property
    def unit_id(self) -> uuid.UUID: ...
    @property
    def plan_id(self) -> uuid.UUID: ...
    @property
    def local_plan_id(self) -> uuid.UUID | None: ...


async def required_items(ctx: ServiceContext, report: Report) -> list[ReportItem]:
    """Every criterion of the plan for the unit's kind, then every goal of its local plan."""
    return (await required_items_of(ctx.session, [report]))[report.id]


async def required_items_of(session: AsyncSession, reports: Sequence[ReportRef]) -> dict[Any, list[ReportItem]]:
    """`required_items` of many reports in a few statements, whatever their number: the units'
    kinds, the plans' areas, goals and criteria, the local plans' goals (by report id)."""
    if not reports:
        return {}
    kinds = dict(
        (await session.execute(select(Unit.id, Unit.kind).where(Unit.id.in_({r.unit_id for r in reports})))).all()
    )
    plans = await plan_structure(session, {r.plan_id for r in reports})
    # Each unit's local plan on the report's plan, whenever it was made (before or after the report).
    local_plan_of = {r.id: r.local_plan_id for r in reports}
    missing = {(r.unit_id, r.plan_id) for r in reports if r.local_plan_id is None}
    if missing:
        found = await session.execute(
            select(LocalPlan.unit_id, LocalPlan.plan_id, LocalPlan.id).where(
                tuple_(LocalPlan.unit_id, LocalPlan.plan_id).in_(sorted(missing))
            )
        )
        by_pair = {(unit_id, plan_id): id_ for unit_id, plan_id, id_ in found}
        for r in reports:
            if r.local_plan_id is None:
                local_plan_of[r.id] = by_pair.get((r.unit_id, r.plan_id))
    local_plan_ids = {id_ for id_ in local_plan_of.values() if id_ is not None}
    local_goals: dict[uuid.UUID, list[LocalGoal]] = {}
    if local_plan_ids:
        rows = await session.scalars(
            select(LocalGoal).where(LocalGoal.local_plan_id.in_(local_plan_ids)).order_by(LocalGoal.position)
        )
        for goal in rows:
            local_goals.setdefault(goal.local_plan_id, []).append(goal)

    def items_of(report: ReportRef) -> list[ReportItem]:
        kind = kinds.get(report.unit_id)
        applying = {a.id: a for a in plans.areas if a.plan_id == report.plan_id and kind in a.applies_to}
        items = [
            ReportItem(c, None, applying[area_id]) for c in plans.criteria if (area_id := plans.area_of(c)) in applying
        ]
        local_plan_id = local_plan_of[report.id]
        goals_here = local_goals.get(local_plan_id, []) if local_plan_id is not None else []
        items += [ReportItem(None, g, applying[g.area_id]) for g in goals_here if g.area_id in applying]
        items.sort(
            key=lambda i: (
                i.local_goal is not None,
                i.area.position,
                plans.goal_position.get(i.criterion.goal_id, -1) if i.criterion else i.subject.position,
                i.criterion.position if i.criterion else 0,
            )
        )
        return items

    return {r.id: items_of(r) for r in reports}


# The criteria of an adopted plan for a kind of unit, by plan id and kind: adopted (and archived)
# plans are frozen, so a save checks its criterion against these without reading the plan. Ids
# only, of rows the caller was already allowed to reach through the report.
_ADOPTED: LRUCache[frozenset[uuid.UUID]] = LRUCache(1024)


async def adopted_criteria(ctx: ServiceContext, plan_id: uuid.UUID, kind: str) -> frozenset[uuid.UUID] | None:
    """The criteria for units of `kind` of the plan, if it is frozen; None for a draft plan."""
    cached = _ADOPTED.get((plan_id, kind))
    if cached is not None:
        return cached
    status = await ctx.session.scalar(select(Plan.status).where(Plan.id == plan_id))
    if status not in (PlanStatus.ADOPTED, PlanStatus.ARCHIVED):
        return None
    area_id = func.coalesce(Criterion.area_id, Goal.area_id)
    found = frozenset(
        (
            await ctx.session.scalars(
                select(Criterion.id)
                .outerjoin(Goal, Goal.id == Criterion.goal_id)
                .join(Area, Area.id == area_id)
                .where(Area.plan_id == plan_id, literal(kind) == any_(Area.applies_to))
            )
        ).all()
    )
    _ADOPTED.put((plan_id, kind), found)
    return found


async def criterion_in_plan(ctx: ServiceContext, criterion: Criterion, plan_id: uuid.UUID) -> bool:
    area_id = criterion.area_id or (await ctx.session.get_one(Goal, criterion.goal_id)).area_id
    area = await ctx.session.get(Area, area_id)
    return area is not None and area.plan_id == plan_id
