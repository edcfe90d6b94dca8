"""The sector report: a municipality's unit reports for one period, rolled up; and its frozen,
published snapshot («Kvalitets- og utviklingsmelding», the statutory state report).

Only submitted and approved reports count towards the levels: a draft says nothing yet.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, or_, select, true

from kvalitet.messages import text
from kvalitet.models import (
    Assessment,
    Criterion,
    LocalGoal,
    LocalPlan,
    Measure,
    Municipality,
    Plan,
    Report,
    SectorReport,
    Unit,
)
from kvalitet.models.enums import ReviewStatus
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import INVALID_STATE, fail
from kvalitet.services.events import emit
from kvalitet.services.report_items import items_sql, plan_structure
from kvalitet.services.reports import is_overdue, period_of, plan_covering

# A unit's report status in the roll-up, in this order: none opened yet, or its report's status.
NOT_OPENED = "not_opened"
STATUSES = (NOT_OPENED, ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.RETURNED, ReviewStatus.APPROVED)
COUNTED = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)


def progress_sql(report_ids: Iterable[uuid.UUID]) -> Select[Any]:
    """Each report's progress: (`report_id`, `items` it must assess (`items_sql`), how many are
    `assessed`), in one statement whatever the number of reports."""
    report = Report.__table__
    items = items_sql(report).lateral()
    return (
        select(
            report.c.id.label("report_id"),
            func.count(items.c.area_id).label("items"),
            func.count(items.c.assessment_id).label("assessed"),
        )
        .select_from(report.outerjoin(items, true()))
        .where(report.c.id.in_(list(report_ids)))
        .group_by(report.c.id)
    )


def local_plans_sql(plan_id: uuid.UUID, unit_ids: Iterable[uuid.UUID]) -> Select[Any]:
    """The units' local plans on the plan: (`unit_id`, `id`, `status`)."""
    local_plan = LocalPlan.__table__
    return select(local_plan.c.unit_id, local_plan.c.id, local_plan.c.status).where(
        local_plan.c.plan_id == plan_id, local_plan.c.unit_id.in_(list(unit_ids))
    )


async def compute(
    ctx: ServiceContext, municipality: Municipality, year: int, period_key: str, *, progress: bool = False
) -> dict:
    """The roll-up as plain JSON-able data (the same shape is published). `progress`: each
    unit's report's item and assessed counts too, and its local plan on the report's plan (a
    published snapshot keeps them; the live report reads them only when asked, `progress_sql`
    and `local_plans_sql`)."""
    session = ctx.session
    period = period_of(ctx.profiles, municipality.profile_code, year, period_key)
    plan = await _plan_for(ctx, municipality, year, period_key)
    if plan is None:
        fail(INVALID_STATE, text("plan.none_covers_year", year=year), "year")
    # Plain rows and counts, not ORM objects: a municipality has up to a thousand units, and
    # the levels are counted by the database (one row per criterion or goal and level).
    of_period = (Report.plan_id == plan.id, Report.year == year, Report.period_key == period_key)
    report_of = {
        row.unit_id: row
        for row in await session.execute(select(Report.unit_id, Report.id, Report.status).where(*of_period))
    }
    counts = (
        {row.report_id: row for row in await session.execute(progress_sql(r.id for r in report_of.values()))}
        if progress and report_of
        else {}
    )
    # A unit created after the period ended owes no report for it (one with a report is shown).
    existed = func.timezone("UTC", Unit.created_at) < period.ends_on + dt.timedelta(days=1)
    units = (
        await session.execute(
            select(Unit.id, Unit.name, Unit.kind)
            .where(
                Unit.municipality_id == municipality.id,
                Unit.archived_at.is_(None),
                Unit.kind.in_(plan.applies_to),
                or_(existed, Unit.id.in_(select(Report.unit_id).where(*of_period))),
            )
            .order_by(Unit.name, Unit.id)
        )
    ).all()
    local_plan_of = (
        {row.unit_id: row for row in await session.execute(local_plans_sql(plan.id, [u.id for u in units]))}
        if progress and units
        else {}
    )
    statuses: Counter[str] = Counter()
    unit_rows = []
    for unit_id, name, kind in units:
        found = report_of.get(unit_id)
        report_status = found.status if found else None
        status = report_status or NOT_OPENED
        statuses[status] += 1
        unit_rows.append(
            {
                "unit_id": str(unit_id),
                "name": name,
                "kind": kind,
                "status": status,
                "overdue": is_overdue(report_status, period.due_on, ctx.today),
                "report_id": str(found.id) if found else None,
                **(
                    {"items": counts[found.id].items, "assessed": counts[found.id].assessed}
                    if found and found.id in counts
                    else {}
                ),
                **(
                    {
                        "local_plan_id": str(local_plan_of[unit_id].id) if unit_id in local_plan_of else None,
                        "local_plan_status": local_plan_of[unit_id].status if unit_id in local_plan_of else None,
                    }
                    if progress
                    else {}
                ),
            }
        )

    assert municipality.profile_code is not None  # period_of found a period of the profile's calendar
    levels = [s.level for s in ctx.profiles.assessment_scale(municipality.profile_code)]
    counted = (
        await session.execute(
            select(Assessment.criterion_id, Assessment.measure_id, LocalGoal.area_id, Assessment.level, func.count())
            .join(Report, Report.id == Assessment.report_id)
            .outerjoin(LocalGoal, LocalGoal.id == Assessment.local_goal_id)
            .where(*of_period, Report.status.in_(COUNTED))
            .group_by(Assessment.criterion_id, Assessment.measure_id, LocalGoal.area_id, Assessment.level)
        )
    ).all()
    structure = await plan_structure(session, [plan.id])
    areas, criteria, goal_position = structure.areas, structure.criteria, structure.goal_position
    # The measures, where the plan's reports assess them, in the areas for those kinds of unit.
    assessing = set(plan.measures_assessed_by)
    measures = (
        (
            await session.scalars(
                select(Measure)
                .where(Measure.area_id.in_([a.id for a in areas if assessing & set(a.applies_to)]))
                .order_by(Measure.position, Measure.id)
            )
        ).all()
        if assessing
        else []
    )
    measure_area = {m.id: m.area_id for m in measures}

    by_subject: dict[uuid.UUID, Counter[str]] = {}  # by criterion or measure
    by_area: dict[uuid.UUID, Counter[str]] = {}
    criterion_area = {c.id: structure.area_of(c) for c in criteria}
    for criterion_id, measure_id, local_goal_area, level, count in counted:
        subject = criterion_id or measure_id
        if subject is not None:
            by_subject.setdefault(subject, Counter())[level] += count
            area_id = criterion_area.get(subject) if criterion_id else measure_area.get(subject)
        else:
            area_id = local_goal_area
        if area_id is not None:
            by_area.setdefault(area_id, Counter())[level] += count

    def distribution(counter: Counter) -> list[dict]:
        return [{"level": level, "count": counter.get(level, 0)} for level in levels]

    criteria_by_area: dict[uuid.UUID, list[Criterion]] = {}
    # (The id settles ties, as `sector_report_sql.CRITERION_ORDER` does.)
    for criterion in sorted(criteria, key=lambda c: (goal_position.get(c.goal_id, -1), c.position, c.id)):
        criteria_by_area.setdefault(criterion_area[criterion.id], []).append(criterion)
    measures_by_area: dict[uuid.UUID, list[Measure]] = {}
    for measure in measures:
        measures_by_area.setdefault(measure.area_id, []).append(measure)
    parent_of = {a.id: a.parent_id for a in areas}

    def depth(area_id: uuid.UUID | None) -> int:
        """0 for a top-level area, 1 for its children …"""
        found = -1
        while area_id is not None:
            found, area_id = found + 1, parent_of.get(area_id)
        return found

    area_rows = [
        {
            "area_id": str(area.id),
            "key": area.key,
            "kind": area.kind,
            "title": area.title,
            "parent_id": str(area.parent_id) if area.parent_id else None,
            "depth": depth(area.id),
            "assessments": sum(by_area.get(area.id, Counter()).values()),
            "levels": distribution(by_area.get(area.id, Counter())),
            "criteria": [
                {
                    "criterion_id": str(c.id),
                    "text": c.text,
                    "levels": distribution(by_subject.get(c.id, Counter())),
                }
                for c in criteria_by_area.get(area.id, [])
            ],
            "measures": [
                {
                    "measure_id": str(m.id),
                    "text": m.text,
                    "levels": distribution(by_subject.get(m.id, Counter())),
                }
                for m in measures_by_area.get(area.id, [])
            ],
        }
        for area in areas
        if area.id in by_area or area.id in criteria_by_area or area.id in measures_by_area
    ]
    return {
        "municipality_number": municipality.number,
        "plan_id": str(plan.id),
        "plan_title": plan.title,
        "year": year,
        "period_key": period_key,
        "due_on": period.due_on.isoformat(),
        "units": unit_rows,
        "units_by_status": [{"status": s, "count": statuses.get(s, 0)} for s in STATUSES],
        "areas": area_rows,
    }


async def _plan_for(ctx: ServiceContext, municipality: Municipality, year: int, period_key: str) -> Plan | None:
    """The plan the period's reports are on, else the adopted plan covering the year."""
    plan_id = await ctx.session.scalar(
        select(Report.plan_id)
        .where(Report.municipality_id == municipality.id, Report.year == year, Report.period_key == period_key)
        .limit(1)
    )
    if plan_id is not None:
        return await ctx.session.get(Plan, plan_id)
    return await plan_covering(ctx, municipality.id, year)


async def publish(ctx: ServiceContext, municipality_id: uuid.UUID, year: int, period_key: str) -> SectorReport:
    municipality = await ctx.load(
        Municipality, municipality_id, "municipality", action="publish", field_name="municipalityId"
    )
    snapshot = await compute(ctx, municipality, year, period_key, progress=True)
    return await freeze(ctx, municipality, year, period_key, snapshot)


async def freeze(
    ctx: ServiceContext, municipality: Municipality, year: int, period_key: str, snapshot: dict
) -> SectorReport:
    """The roll-up `snapshot` (`compute(progress=True)`) published as it is: on its own
    (`publishSectorReport`), or as the roll-up part of an edition of the report to the council."""
    await ctx.authorize("create", SectorReport, municipality)
    published = SectorReport(
        municipality_id=municipality.id,
        plan_id=uuid.UUID(snapshot["plan_id"]),
        year=year,
        period_key=period_key,
        published_at=dt.datetime.now(dt.UTC),
        published_by=ctx.actor.id,
        snapshot=snapshot,
    )
    ctx.session.add(published)
    await emit(ctx, "sector_report.published", municipality.id, "PublishedSectorReport", published)
    return published
