"""Which municipality and unit a row belongs to, for the access policy (`kvalitet.access.Target`)."""

from __future__ import annotations

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
    if isinstance(row, Area):
        return await target_of(session, await session.get(Plan, row.plan_id))
    if isinstance(row, (Goal, Measure)):
        return await target_of(session, await session.get(Area, row.area_id))
    if isinstance(row, Criterion):
        parent = await session.get(Area, row.area_id) if row.area_id else await session.get(Goal, row.goal_id)
        return await target_of(session, parent)
    if isinstance(row, (LocalPlan, Report)):
        unit = await session.get(Unit, row.unit_id)
        return Target(row.municipality_id, row.unit_id, staff_may_edit=unit.staff_may_edit)
    if isinstance(row, (LocalGoal, LocalAction, LocalPlanSection)):
        return await target_of(session, await session.get(LocalPlan, row.local_plan_id))
    if isinstance(row, Assessment):
        return await target_of(session, await session.get(Report, row.report_id))
    if isinstance(row, (SectorReport, ApiKey, WebhookSubscription)):
        return Target(row.municipality_id)
    raise TypeError(f"no access target for {type(row).__name__}")
