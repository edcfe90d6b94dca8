"""Reports: the profile's reporting calendar, a unit's report for a period, its assessments.

draft → submitted → approved, or → returned (editable again, with a comment). A submitted
report is immutable until it is returned; a report past its due date and not submitted is
overdue.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Date, and_, cast, func, select

from kvalitet.messages import kinds, text
from kvalitet.models import Area, Assessment, Criterion, LocalPlan, Measure, Municipality, Plan, Report, Unit
from kvalitet.models.enums import PlanStatus, ReviewStatus
from kvalitet.plugins.rules import AssessmentView, Finding, ReportView
from kvalitet.services.context import ServiceContext, held
from kvalitet.services.errors import (
    DUPLICATE,
    INVALID_STATE,
    INVALID_VALUE,
    MISSING_ASSESSMENT,
    NOT_APPLICABLE,
    NOT_FOUND,
    NOTHING_TO_ASSESS,
    Problem,
    UserInputError,
    fail,
    stale,
)
from kvalitet.services.events import emit
from kvalitet.services.local_plan_views import LocalPlanRef
from kvalitet.services.plan_areas import plan_areas
from kvalitet.services.report_items import (
    ReportItem,
    adopted_criteria,
    contents_of,
    criterion_in_plan,
    required_items,
)
from kvalitet.services.review import DECIDABLE, DONE, EDITABLE, load_editable, status_text
from kvalitet.services.validation import TEXT_MAX, Checker, require_year


@dataclass(frozen=True)
class PeriodInstance:
    """One reporting period of one year, with real dates."""

    key: str
    label: object
    year: int
    starts_on: dt.date
    ends_on: dt.date
    due_on: dt.date


def _day(year: int, month_day: str) -> dt.date:
    month, day = int(month_day[:2]), int(month_day[3:])
    if (month, day) == (2, 29):
        try:
            return dt.date(year, 2, 29)
        except ValueError:
            return dt.date(year, 2, 28)
    return dt.date(year, month, day)


def calendar(profiles, profile_code: str | None, year: int) -> list[PeriodInstance]:
    """The reporting periods of `year` for a profile (`profiles`: `kvalitet.plugins.Profiles`)."""
    reporting = profiles.reporting(profile_code) if profile_code else None
    if reporting is None:
        return []
    return [
        PeriodInstance(
            key=p.key,
            label=p.label,
            year=year,
            starts_on=_day(year, p.starts),
            ends_on=_day(year, p.ends),
            due_on=_day(year + 1 if p.due_next_year else year, p.due),
        )
        for p in reporting.periods
    ]


def period_of(profiles, profile_code: str | None, year: int, period_key: str) -> PeriodInstance:
    require_year(year, "year")
    periods = calendar(profiles, profile_code, year)
    for period in periods:
        if period.key == period_key:
            return period
    known = ", ".join(p.key for p in periods) or "none"
    fail(INVALID_VALUE, text("period.unknown", period=period_key, known=known), "period")


def is_overdue(status: str | None, due_on: dt.date, today: dt.date) -> bool:
    return (status is None or status in EDITABLE) and today > due_on


def today_sql() -> ColumnElement[dt.date]:
    """Today, the UTC date as in Python, worked out by the database when a statement runs (not
    bound into it: a compiled statement is kept and run again on later days)."""
    return cast(func.timezone("UTC", func.now()), Date)


def overdue_sql(table: Any) -> ColumnElement[bool]:
    """`is_overdue` of a report row in SQL, today being the UTC date as in Python."""
    return and_(table.c.status.in_([s.value for s in EDITABLE]), today_sql() > table.c.due_on)


async def plan_covering(ctx: ServiceContext, municipality_id: uuid.UUID, year: int) -> Plan | None:
    """The adopted plan whose period holds `year` (the newest, should periods overlap)."""
    return await ctx.session.scalar(
        select(Plan)
        .where(
            Plan.municipality_id == municipality_id,
            Plan.status == PlanStatus.ADOPTED,
            Plan.period_start <= year,
            Plan.period_end >= year,
        )
        .order_by(Plan.period_start.desc(), Plan.created_at.desc())
        .limit(1)
    )


async def open_report(ctx: ServiceContext, unit_id: uuid.UUID, year: int, period_key: str) -> Report:
    unit = await ctx.load(Unit, unit_id, "unit", field_name="unitId")
    if unit.archived_at is not None:
        fail(INVALID_STATE, text("unit.archived"), "unitId")
    municipality = await ctx.session.get_one(Municipality, unit.municipality_id)
    period = period_of(ctx.profiles, municipality.profile_code, year, period_key)
    plan = await plan_covering(ctx, municipality.id, year)
    if plan is None:
        fail(INVALID_STATE, text("plan.none_covers_year", year=year), "year")
    if unit.kind not in plan.applies_to:
        fail(NOT_APPLICABLE, text("plan.not_for_kind", kinds=kinds(unit.kind)), "unitId")
    existing = await ctx.session.scalar(
        select(Report.id).where(
            Report.unit_id == unit.id, Report.plan_id == plan.id, Report.year == year, Report.period_key == period_key
        )
    )
    if existing is not None:
        fail(DUPLICATE, text("report.exists"), "period")
    local_plan_id = await ctx.session.scalar(
        select(LocalPlan.id).where(LocalPlan.unit_id == unit.id, LocalPlan.plan_id == plan.id)
    )
    await ctx.authorize("create", Report, unit)
    report = Report(
        municipality_id=unit.municipality_id,
        unit_id=unit.id,
        plan_id=plan.id,
        local_plan_id=local_plan_id,
        year=year,
        period_key=period_key,
        period_start=period.starts_on,
        period_end=period.ends_on,
        due_on=period.due_on,
        status=ReviewStatus.DRAFT,
    )
    ctx.session.add(report)
    await ctx.session.flush()
    return report


async def _editable(ctx: ServiceContext, report_id: uuid.UUID, field_name: str = "reportId") -> Report:
    return await load_editable(ctx, Report, report_id, "report", field_name)


async def save_assessment(
    ctx: ServiceContext,
    report_id: uuid.UUID,
    *,
    criterion_id: uuid.UUID | None,
    local_goal_id: uuid.UUID | None,
    level: str,
    comment: str | None,
    evidence: str | None,
    version: int | None,
    measure_id: uuid.UUID | None = None,
) -> Assessment:
    # The report FOR SHARE with its unit and municipality in one statement: the access check
    # reads the unit, the scale comes from the municipality's profile.
    await ctx.session.execute(
        select(Report, Unit, Municipality)
        .join(Unit, Unit.id == Report.unit_id)
        .join(Municipality, Municipality.id == Unit.municipality_id)
        .where(Report.id == report_id)
        .with_for_update(read=True, of=Report)
        .execution_options(populate_existing=True)
    )
    report = await load_editable(ctx, Report, report_id, "report", "reportId", locked=True)
    if sum(subject is not None for subject in (criterion_id, local_goal_id, measure_id)) != 1:
        fail(INVALID_VALUE, text("report.one_subject"), "criterionId")
    unit = await ctx.session.get_one(Unit, report.unit_id)
    if criterion_id is not None:
        criteria = await adopted_criteria(ctx, report.plan_id, unit.kind)
        if criteria is None:  # a plan not yet adopted: read as it is now
            criteria = frozenset(i.criterion.id for i in await required_items(ctx, report) if i.criterion)
        if criterion_id not in criteria:
            criterion = await ctx.session.get(Criterion, criterion_id)
            if criterion is None or not await criterion_in_plan(ctx, criterion, report.plan_id):
                fail(NOT_FOUND, text("report.no_criterion"), "criterionId")
            fail(NOT_APPLICABLE, text("report.criterion_not_for_kind", kinds=kinds(unit.kind)), "criterionId")
    elif measure_id is not None:
        items = await required_items(ctx, report)
        if not any(i.measure and i.measure.id == measure_id for i in items):
            measure = await ctx.session.get(Measure, measure_id)
            area = await ctx.session.get(Area, measure.area_id) if measure is not None else None
            if area is None or area.plan_id != report.plan_id:
                fail(NOT_FOUND, text("report.no_measure"), "measureId")
            plan = await ctx.session.get_one(Plan, report.plan_id)
            if unit.kind not in plan.measures_assessed_by:
                fail(NOT_APPLICABLE, text("report.measures_not_assessed", kinds=kinds(unit.kind)), "measureId")
            fail(NOT_APPLICABLE, text("report.measure_not_for_kind", kinds=kinds(unit.kind)), "measureId")
    else:
        items = await required_items(ctx, report)
        if not any(i.local_goal and i.local_goal.id == local_goal_id for i in items):
            fail(NOT_FOUND, text("report.no_local_goal"), "localGoalId")
    municipality = await ctx.session.get_one(Municipality, unit.municipality_id)
    levels = (
        [s.level for s in ctx.profiles.assessment_scale(municipality.profile_code)] if municipality.profile_code else []
    )
    checker = Checker()
    if not levels:
        fail(INVALID_STATE, text("report.no_scale"), "level")
    checker.check(
        level in levels, INVALID_VALUE, text("report.not_a_level", level=level, levels=", ".join(levels)), "level"
    )
    comment = checker.text(comment, "comment", max_length=TEXT_MAX, required=False)
    evidence = checker.text(evidence, "evidence", max_length=TEXT_MAX, required=False)
    checker.raise_if_any()
    subject_column, subject_id = (
        (Assessment.criterion_id, criterion_id)
        if criterion_id
        else (Assessment.measure_id, measure_id)
        if measure_id
        else (Assessment.local_goal_id, local_goal_id)
    )
    assessment = await ctx.session.scalar(
        select(Assessment).where(Assessment.report_id == report.id, subject_column == subject_id)
    )
    if assessment is None:
        await ctx.authorize("create", Assessment, report)
        assessment = Assessment(
            report_id=report.id,
            criterion_id=criterion_id,
            local_goal_id=local_goal_id,
            measure_id=measure_id,
            level=level,
            comment=comment,
            evidence=evidence,
        )
        ctx.session.add(assessment)
    else:
        if version is None or version != assessment.version:
            stale("assessment")
        await ctx.authorize("update", Assessment, assessment)
        assessment.level, assessment.comment, assessment.evidence = level, comment, evidence
    await ctx.session.flush()
    return assessment


class ReportRef(LocalPlanRef, Protocol):
    """What a report's view is worked out from (its row, or the GraphQL type's fields): what a
    local plan's is, and its period."""

    @property
    def period_key(self) -> str: ...
    @property
    def year(self) -> int: ...


async def views_of(
    ctx: ServiceContext, reports: Sequence[ReportRef]
) -> dict[uuid.UUID, tuple[str | None, ReportView, list[ReportItem]]]:
    """Each report as the profile's rules see it, and its items (each with its assessment's id),
    by report id: in the same few statements for many reports as for one."""
    if not reports:
        return {}
    session = ctx.session
    ids = [r.id for r in reports]
    # The units' kinds and profiles: from the session when it holds them (a report read by
    # `ctx.load` comes with its unit and municipality), else in one statement.
    kinds: dict[uuid.UUID, tuple[str, str | None]] = {}
    for unit_id in {r.unit_id for r in reports}:
        unit = held(session, Unit, unit_id)
        municipality = held(session, Municipality, unit.municipality_id) if unit is not None else None
        if unit is not None and municipality is not None:
            kinds[unit_id] = (unit.kind, municipality.profile_code)
    wanted = {r.unit_id for r in reports} - kinds.keys()
    if wanted:
        for row in await session.execute(
            select(Unit.id, Unit.kind, Municipality.profile_code)
            .join(Municipality, Municipality.id == Unit.municipality_id)
            .where(Unit.id.in_(wanted))
        ):
            kinds[row.id] = (row.kind, row.profile_code)
    areas = await plan_areas(session, {r.plan_id for r in reports})
    contents = await contents_of(session, ids)
    found = {}
    for report in reports:
        required, made = contents[report.id]
        key_of = areas[report.plan_id].key_of
        items: dict[uuid.UUID | None, ReportItem] = {i.subject.id: i for i in required}
        views = []
        for a in made:
            item = items.get(a.criterion_id or a.measure_id or a.local_goal_id)
            views.append(
                AssessmentView(
                    level=a.level,
                    criterion_area_key=key_of.get(item.area.id) if item else None,
                    criterion_text=item.criterion.text if item and item.criterion else None,
                    local_goal_text=item.local_goal.text if item and item.local_goal else None,
                    comment=a.comment,
                    measure_text=item.measure.text if item and item.measure else None,
                )
            )
        refs = areas[report.plan_id].refs
        kind, profile_code = kinds[report.unit_id]
        view = ReportView(kind, report.period_key, report.year, refs, tuple(views))
        found[report.id] = (profile_code, view, required)
    return found


@dataclass(frozen=True)
class ReportFinding:
    """Something a report lacks before it is submitted: the problem, and the item it is about."""

    problem: Problem
    item: ReportItem | None = None


async def findings_of(ctx: ServiceContext, reports: Sequence[ReportRef]) -> dict[uuid.UUID, list[ReportFinding]]:
    """What each report lacks to be submitted, by report id: the items not assessed, nothing to
    assess at all, and the profile's rules' findings. Empty: it can be submitted."""
    found: dict[uuid.UUID, list[ReportFinding]] = {}
    for report_id, (code, view, items) in (await views_of(ctx, reports)).items():
        lacking = [
            ReportFinding(
                Problem(
                    MISSING_ASSESSMENT,
                    text("report.not_assessed", item=_short(item.text), area=item.area.title),
                    "assessments",
                ),
                item,
            )
            for item in items
            if item.assessment_id is None
        ]
        if not items:  # a report that says nothing is no report
            lacking.append(ReportFinding(Problem(NOTHING_TO_ASSESS, text("report.nothing_to_assess"), "assessments")))
        rules: list[Finding] = ctx.profiles.validate_report(code, view) if code else []
        lacking += [ReportFinding(Problem(f.code, f.message, f.path or None)) for f in rules]
        found[report_id] = lacking
    return found


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def submit_report(ctx: ServiceContext, report_id: uuid.UUID, version: int) -> Report:
    report = await ctx.load_for_change(Report, report_id, version, "report", action="submit")
    if report.status not in EDITABLE:
        fail(INVALID_STATE, status_text("review.not_submittable", "report", report.status), "id")
    problems = [f.problem for f in (await findings_of(ctx, [report]))[report.id]]
    if problems:
        raise UserInputError(*problems)
    report.status = ReviewStatus.SUBMITTED
    report.submitted_at = dt.datetime.now(dt.UTC)
    await emit(ctx, "report.submitted", report.municipality_id, "Report", report)
    return report


async def decide_report(
    ctx: ServiceContext, report_id: uuid.UUID, version: int, *, approve: bool, comment: str | None
) -> Report:
    action = "approve" if approve else "return"
    report = await ctx.load_for_change(Report, report_id, version, "report", action=action)
    if report.status not in DECIDABLE[action]:
        fail(INVALID_STATE, status_text(f"review.cannot_{action}", "report", report.status), "id")
    checker = Checker()
    comment = checker.text(comment, "comment", max_length=TEXT_MAX, required=not approve)
    checker.raise_if_any()
    report.status = DONE[action]
    report.decided_at = dt.datetime.now(dt.UTC)
    report.comment = comment  # this decision's comment; earlier ones stay in the history
    await emit(ctx, f"report.{report.status}", report.municipality_id, "Report", report)
    return report
