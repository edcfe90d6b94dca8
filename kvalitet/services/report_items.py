"""What a report must assess: the plan's criteria for the unit's kind (and its measures, where
the plan's reports assess them), then the goals of the unit's local plan, for one report or
many at once; and an adopted plan's criteria, kept by plan
and kind (adopted plans are frozen) for the checks of a save."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Uuid,
    and_,
    any_,
    false,
    func,
    literal,
    literal_column,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from kvalitet.infra.caches import LRUCache
from kvalitet.models import Area, Assessment, Criterion, Goal, LocalGoal, LocalPlan, Measure, Plan, Report, Unit
from kvalitet.models.enums import PlanStatus
from kvalitet.services.context import ServiceContext


@dataclass(frozen=True)
class ReportItem:
    """Something the report must assess: a criterion or measure of the plan, or a local goal."""

    criterion: Criterion | None
    local_goal: LocalGoal | None
    area: Area
    assessment_id: uuid.UUID | None = None  # the report's assessment of it, if made
    measure: Measure | None = None

    @property
    def subject(self) -> Criterion | LocalGoal | Measure:
        """What is assessed: the criterion, the measure or the local goal (an item has one)."""
        subject = self.criterion or self.measure or self.local_goal
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
        await session.scalars(
            select(Area).where(Area.plan_id.in_(set(plan_ids))).order_by(Area.plan_id, Area.position, Area.id)
        )
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


# The order of a report's items: the plan's criteria, then its measures (where the plan's
# reports assess them), then the local plan's goals; by area, goal (an area's own criteria
# before its goals') and position; the subject's id settles ties.
ITEM_ORDER = ("part", "area_position", "goal_position", "position", "subject_id")


def items_sql(report: FromClause, only: Sequence[ColumnElement[Any]] | None = None) -> Select[Any]:
    """The items of the report row `report` (correlated to it), one row each: `area_id`,
    `criterion_id`, `local_goal_id`, `measure_id`, `assessment_id` (the report's assessment of
    it, if made), and the `ITEM_ORDER` columns. The one statement of what a report must assess:
    the services, the GraphQL resolver, the compiled path and the one-statement save all read
    it. `only`: (criterion id, local goal id[, measure id]), to ask whether one subject is an
    item (read by its index); without a measure id, no measure is."""
    unit, area, goal, criterion = (m.__table__.alias() for m in (Unit, Area, Goal, Criterion))
    local_goal, local_plan, assessment = (m.__table__.alias() for m in (LocalGoal, LocalPlan, Assessment))
    measure, plan = Measure.__table__.alias(), Plan.__table__.alias()
    kind = select(unit.c.kind).where(unit.c.id == report.c.unit_id).correlate_except(unit).scalar_subquery()
    applying = and_(area.c.plan_id == report.c.plan_id, kind == any_(area.c.applies_to))

    def assessed(column: str, subject: ColumnElement[Any]) -> ColumnElement[Any]:
        found = select(assessment.c.id).where(assessment.c.report_id == report.c.id, assessment.c[column] == subject)
        return found.correlate_except(assessment).scalar_subquery()

    no_id = null().cast(Uuid)
    only_criterion = [criterion.c.id == only[0]] if only is not None else []

    # A criterion belongs to an area directly or through a goal (one of the two: the table's
    # CHECK). Two branches, each joined by its own indexed key: one join on
    # `coalesce(criterion.area_id, goal.area_id)` could be driven only from the criteria, every
    # criterion of every plan of every municipality, for each report.
    def criteria_through(owner: FromClause, goal_position: ColumnElement[Any]) -> Select[Any]:
        return (
            select(
                area.c.id.label("area_id"),
                criterion.c.id.label("criterion_id"),
                no_id.label("local_goal_id"),
                no_id.label("measure_id"),
                assessed("criterion_id", criterion.c.id).label("assessment_id"),
                literal_column("0").label("part"),
                area.c.position.label("area_position"),
                goal_position.label("goal_position"),
                criterion.c.position.label("position"),
                criterion.c.id.label("subject_id"),
            )
            .select_from(owner)
            .where(applying, *only_criterion)
            .correlate(report)  # a subquery in FROM correlates only when told
        )

    of_areas = criteria_through(criterion.join(area, area.c.id == criterion.c.area_id), literal_column("-1"))
    of_goals = criteria_through(
        criterion.join(goal, goal.c.id == criterion.c.goal_id).join(area, area.c.id == goal.c.area_id),
        goal.c.position,
    )
    # The unit's local plan on the report's plan, whenever it was made (before or after the report).
    local_plan_id = func.coalesce(
        report.c.local_plan_id,
        select(local_plan.c.id)
        .where(local_plan.c.unit_id == report.c.unit_id, local_plan.c.plan_id == report.c.plan_id)
        .correlate_except(local_plan)
        .scalar_subquery(),
    )
    # The plan's measures, for the kinds of unit the plan says assess them.
    measures = (
        select(
            area.c.id,
            no_id,
            no_id,
            measure.c.id,
            assessed("measure_id", measure.c.id),
            literal_column("1"),
            area.c.position,
            literal_column("-1"),
            measure.c.position,
            measure.c.id,
        )
        .select_from(measure.join(area, area.c.id == measure.c.area_id).join(plan, plan.c.id == area.c.plan_id))
        .where(
            applying,
            kind == any_(plan.c.measures_assessed_by),
            *([] if only is None else [measure.c.id == only[2]] if len(only) > 2 else [false()]),
        )
        .correlate(report)
    )
    goals = (
        select(
            area.c.id,
            no_id,
            local_goal.c.id,
            no_id,
            assessed("local_goal_id", local_goal.c.id),
            literal_column("2"),
            area.c.position,
            local_goal.c.position,
            literal_column("0"),
            local_goal.c.id,
        )
        .select_from(local_goal.join(area, area.c.id == local_goal.c.area_id))
        .where(local_goal.c.local_plan_id == local_plan_id, applying, *([local_goal.c.id == only[1]] if only else []))
        .correlate(report)
    )
    return union_all(of_areas, of_goals, measures, goals).subquery().select()


async def required_items(ctx: ServiceContext, report: Report) -> list[ReportItem]:
    """Every criterion of the plan for the unit's kind, then every goal of its local plan."""
    return (await required_items_of(ctx.session, [report.id]))[report.id]


async def required_items_of(
    session: AsyncSession, report_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ReportItem]]:
    """`required_items` of many reports in one statement, whatever their number."""
    return {id_: items for id_, (items, _) in (await contents_of(session, report_ids, assessments=False)).items()}


async def contents_of(
    session: AsyncSession, report_ids: Sequence[uuid.UUID], *, assessments: bool = True
) -> dict[uuid.UUID, tuple[list[ReportItem], list[Assessment]]]:
    """Each report's items (`items_sql`, with their criteria, local goals, measures and areas
    joined) and, with `assessments`, all its assessments: those of its items in the items'
    order, then any of something no longer an item (a local goal of a local plan the report
    was unlinked from). One statement for any number of reports."""
    report = Report.__table__
    items = items_sql(report).lateral()
    if assessments:
        # Every assessment of the report beside its item, or alone: a full join inside a lateral.
        made = (
            select(Assessment.id.label("made_id"))
            .where(Assessment.report_id == report.c.id)
            .correlate(report)  # a subquery in FROM correlates only when told
            .lateral()
        )
        items = (
            select(items, made.c.made_id)
            .select_from(items.join(made, made.c.made_id == items.c.assessment_id, full=True))
            .correlate(report)
            .lateral()
        )
    entities: list[Any] = [Criterion, LocalGoal, Measure, Area] + ([Assessment] if assessments else [])
    query = (
        select(report.c.id.label("report_id"), items, *entities)
        .select_from(report.join(items, true()))
        .outerjoin(Criterion, Criterion.id == items.c.criterion_id)
        .outerjoin(LocalGoal, LocalGoal.id == items.c.local_goal_id)
        .outerjoin(Measure, Measure.id == items.c.measure_id)
        .outerjoin(Area, Area.id == items.c.area_id)
        .where(report.c.id.in_(set(report_ids)))
        .order_by(report.c.id, *(items.c[name] for name in ITEM_ORDER))  # an item-less assessment last
    )
    if assessments:
        query = query.outerjoin(Assessment, Assessment.id == items.c.made_id)
    found: dict[uuid.UUID, tuple[list[ReportItem], list[Assessment]]] = {id_: ([], []) for id_ in report_ids}
    for row in (await session.execute(query)).all():
        listed, assessed = found[row.report_id]
        if row.area_id is not None:
            listed.append(ReportItem(row.Criterion, row.LocalGoal, row.Area, row.assessment_id, row.Measure))
        if assessments and row.Assessment is not None:
            assessed.append(row.Assessment)
    return found


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
