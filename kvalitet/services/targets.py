"""Which municipality and unit a row belongs to, for the access policy (`kvalitet.access.Target`)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ..access import Target
from ..models import (
    ApiKey,
    Area,
    Assessment,
    Criterion,
    Goal,
    LocalAction,
    LocalGoal,
    LocalPlan,
    LocalPlanSection,
    Measure,
    Municipality,
    NationalGoal,
    Plan,
    Report,
    SectorReport,
    Unit,
    WebhookSubscription,
)

PUBLIC_PLAN_STATUSES = ("adopted", "archived")


def parent_ref(row) -> tuple[type, uuid.UUID] | None:
    """The row whose owner `row` shares (its plan, area, goal, local plan or report), as
    (model, id); None for a row that names its owner itself. Used by the access targets here
    and by the change log's owner columns."""
    if isinstance(row, Area):
        return Plan, row.plan_id
    if isinstance(row, (Goal, Measure)):
        return Area, row.area_id
    if isinstance(row, Criterion):
        return (Area, row.area_id) if row.area_id else (Goal, row.goal_id)
    if isinstance(row, (LocalGoal, LocalAction, LocalPlanSection)):
        return LocalPlan, row.local_plan_id
    if isinstance(row, Assessment):
        return Report, row.report_id
    return None


async def target_of(session: AsyncSession, row) -> Target:
    """The target of any domain row; parents are read through the session's identity map."""
    if isinstance(row, Municipality):
        return Target(municipality_id=row.id, public=True)
    if isinstance(row, NationalGoal):
        return Target(public=True)
    if isinstance(row, Unit):
        return Target(row.municipality_id, row.id, staff_may_edit=row.staff_may_edit)
    if isinstance(row, Plan):
        return Target(row.municipality_id, public=row.status in PUBLIC_PLAN_STATUSES)
    parent = parent_ref(row)
    if parent is not None:
        return await target_of(session, await session.get(*parent))
    if isinstance(row, (LocalPlan, Report)):
        unit = await session.get(Unit, row.unit_id)
        return Target(row.municipality_id, row.unit_id, staff_may_edit=unit.staff_may_edit)
    if isinstance(row, (SectorReport, ApiKey, WebhookSubscription)):
        return Target(row.municipality_id)
    raise TypeError(f"no access target for {type(row).__name__}")
