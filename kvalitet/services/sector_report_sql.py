"""The live sector report in SQL, for the compiled path: the roll-up `sector_reports.compute`
works out in Python, as the rows of statements the compiled path writes straight to JSON.

`report_row` is the report itself, one row correlated to a municipality's row: its plan, the
profile's period and scale, and every count at once (`counts`: per criterion, measure and area,
level → assessments). Each list of the report is rows correlated to the row above it
(`unit_rows`, `status_rows`, `area_rows`, `criterion_rows`, `measure_rows`, `level_rows`), the
columns named as the GraphQL types' fields (`kvalitet.schema.sector_report`), so the compiled
path reads them as it reads any row. `tests/schema/test_compiled_rollups.py` holds both paths
to the same answer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    FromClause,
    Integer,
    Select,
    Text,
    and_,
    any_,
    case,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, array

from kvalitet.models import Area, Assessment, Criterion, Goal, LocalGoal, Measure, Plan, Report, Unit
from kvalitet.models.enums import PlanStatus
from kvalitet.services.reports import calendar, today_sql
from kvalitet.services.review import EDITABLE
from kvalitet.services.sector_reports import COUNTED, NOT_OPENED, STATUSES
from kvalitet.services.validation import YEARS


def report_row(municipality: FromClause, arguments: dict[str, Any], scope) -> Select[Any] | None:
    """The sector report of the municipality row `municipality` for `arguments` (`year`,
    `period`; `scope`: `kvalitet.schema.reading.relations.ReadScope`): no row where the default path answers with an error (no such period in the
    municipality's profile, no plan for the year). None when no profile has the period, or
    the year is out of range: the default path answers."""
    year, period_key = arguments.get("year"), arguments.get("period")
    if not isinstance(year, int) or year not in YEARS or not isinstance(period_key, str):
        return None
    profiles = scope.profiles
    # The period's dates and the scale of each profile that has the period; the municipality's
    # profile picks its own when the statement runs (profiles do not change while it serves).
    known = [
        (profile.code, period, [level.level for level in profiles.assessment_scale(profile.code)])
        for profile in profiles.all()
        for period in calendar(profiles, profile.code, year)
        if period.key == period_key
    ]
    if not known:
        return None
    code = municipality.c.profile_code

    def by_profile(values: list[tuple[str, Any]]) -> Any:
        return case(*((code == c, value) for c, value in values))

    plan, reports, adopted = Plan.__table__.alias(), Report.__table__.alias(), Plan.__table__.alias()
    # The plan the period's reports are on, else the adopted plan covering the year (`_plan_for`).
    on_reports = (
        select(reports.c.plan_id)
        .where(
            reports.c.municipality_id == municipality.c.id,
            reports.c.year == year,
            reports.c.period_key == period_key,
        )
        .limit(1)
        .correlate(municipality)  # (said, not left to SQLAlchemy: it correlates one level only)
        .scalar_subquery()
    )
    covering = (
        select(adopted.c.id)
        .where(
            adopted.c.municipality_id == municipality.c.id,
            adopted.c.status == PlanStatus.ADOPTED.value,
            adopted.c.period_start <= year,
            adopted.c.period_end >= year,
        )
        .order_by(adopted.c.period_start.desc(), adopted.c.created_at.desc())
        .limit(1)
        .correlate(municipality)
        .scalar_subquery()
    )
    return (
        select(
            municipality.c.id.label("municipality_id"),
            municipality.c.number.label("municipality_number"),
            plan.c.id.label("plan_id"),
            plan.c.title.label("plan_title"),
            plan.c.applies_to.label("applies_to"),
            plan.c.measures_assessed_by.label("measures_assessed_by"),
            literal(year, Integer).label("year"),
            literal(period_key, Text).label("period_key"),
            by_profile([(c, literal(p.due_on, Date)) for c, p, _ in known]).label("due_on"),
            by_profile([(c, literal(p.ends_on, Date)) for c, p, _ in known]).label("ends_on"),
            by_profile([(c, array([literal(v, Text) for v in levels], type_=Text)) for c, _, levels in known])
            .cast(ARRAY(Text))
            .label("levels"),
            _counts(plan, year, period_key).label("counts"),
        )
        .where(plan.c.id == func.coalesce(on_reports, covering), code.in_([c for c, _, _ in known]))
        .correlate(municipality)
    )


def _counts(plan: FromClause, year: int, period_key: str) -> Any:
    """The assessments of the period's submitted and approved reports on `plan`, counted by
    level, as one JSON object `{id: {level: count}}` over the ids of the criteria and measures
    assessed and of the areas they are in (the units' local goals count in their area only). A
    measure counts only where the plan's reports assess measures in its area."""
    report, assessment, local_goal = Report.__table__.alias(), Assessment.__table__.alias(), LocalGoal.__table__.alias()
    grouped = (
        select(
            assessment.c.criterion_id,
            assessment.c.measure_id,
            local_goal.c.area_id.label("goal_area"),
            assessment.c.level,
            func.count().label("n"),
        )
        .select_from(
            report.join(assessment, assessment.c.report_id == report.c.id).outerjoin(
                local_goal, local_goal.c.id == assessment.c.local_goal_id
            )
        )
        .where(
            report.c.plan_id == plan.c.id,
            report.c.year == year,
            report.c.period_key == period_key,
            report.c.status.in_([s.value for s in COUNTED]),
        )
        .group_by(assessment.c.criterion_id, assessment.c.measure_id, local_goal.c.area_id, assessment.c.level)
        .correlate(plan)
        .subquery()
    )
    criterion, goal, in_plan = Criterion.__table__.alias(), Goal.__table__.alias(), Area.__table__.alias()
    criterion_area = (
        select(in_plan.c.id)
        .select_from(criterion.outerjoin(goal, goal.c.id == criterion.c.goal_id))
        .where(
            criterion.c.id == grouped.c.criterion_id,
            in_plan.c.id == func.coalesce(criterion.c.area_id, goal.c.area_id),
            in_plan.c.plan_id == plan.c.id,
        )
        .correlate(grouped, plan)
        .scalar_subquery()
    )
    measure, measured_in = Measure.__table__.alias(), Area.__table__.alias()
    measure_area = (
        select(measured_in.c.id)
        .select_from(measure)
        .where(
            measure.c.id == grouped.c.measure_id,
            measured_in.c.id == measure.c.area_id,
            measured_in.c.plan_id == plan.c.id,
            measured_in.c.applies_to.op("&&")(plan.c.measures_assessed_by),
        )
        .correlate(grouped, plan)
        .scalar_subquery()
    )
    area_of = case(
        (grouped.c.criterion_id.is_not(None), criterion_area),
        (grouped.c.measure_id.is_not(None), measure_area),
        else_=grouped.c.goal_area,
    )
    subject = func.coalesce(grouped.c.criterion_id, grouped.c.measure_id)
    keys = func.unnest(array([subject, area_of])).table_valued("key").render_derived().lateral()
    by_key = (
        select(keys.c.key, grouped.c.level, func.sum(grouped.c.n).label("n"))
        .select_from(grouped.join(keys, true()))
        .where(keys.c.key.is_not(None))
        .group_by(keys.c.key, grouped.c.level)
        .subquery()
    )
    levels = (
        select(by_key.c.key, func.jsonb_object_agg(by_key.c.level, by_key.c.n).label("levels"))
        .group_by(by_key.c.key)
        .subquery()
    )
    counted = select(func.jsonb_object_agg(levels.c.key.cast(Text), levels.c.levels)).scalar_subquery()
    return func.coalesce(counted, literal_column("'{}'::jsonb"), type_=JSONB)


def _counts_of(row: FromClause, id_column: Any) -> Any:
    """`{level: count}` of one id from the report's `counts` (carried by `row`), NULL when none."""
    return row.c.counts.op("->", return_type=JSONB)(id_column.cast(Text))


def unit_rows(report: FromClause) -> Select[Any]:
    """The units that owe a report for the period (as `compute` lists them), by name."""
    unit, own = Unit.__table__.alias(), Report.__table__.alias()
    joined = unit.outerjoin(
        own,
        and_(
            own.c.unit_id == unit.c.id,
            own.c.plan_id == report.c.plan_id,
            own.c.year == report.c.year,
            own.c.period_key == report.c.period_key,
        ),
    )
    late = and_(
        or_(own.c.status.is_(None), own.c.status.in_([s.value for s in EDITABLE])), today_sql() > report.c.due_on
    )
    # A unit created after the period ended owes no report for it (one with a report is shown).
    existed = func.timezone("UTC", unit.c.created_at) < report.c.ends_on + literal_column("1")
    return (
        select(
            unit.c.id.label("unit_id"),
            unit.c.name.label("name"),
            unit.c.kind.label("kind"),
            func.coalesce(own.c.status, NOT_OPENED).label("status"),
            late.label("overdue"),
            own.c.id.label("report_id"),
        )
        .select_from(joined)
        .where(
            unit.c.municipality_id == report.c.municipality_id,
            unit.c.archived_at.is_(None),
            unit.c.kind == any_(report.c.applies_to),
            or_(existed, own.c.id.is_not(None)),
        )
        .correlate(report)
    )


UNIT_ORDER = ("name", "unit_id")


def overdue_unit_rows(report: FromClause) -> Select[Any]:
    """`unit_rows` past due and not submitted."""
    units = unit_rows(report).subquery()
    return select(units).where(units.c.overdue)


def status_rows(report: FromClause) -> Select[Any]:
    """How many of `unit_rows` are in each status, every status in `STATUSES`' order (`n`)."""
    units = unit_rows(report).subquery()
    statuses = (
        func.unnest(array([literal(getattr(s, "value", s), Text) for s in STATUSES]))
        .table_valued("status", with_ordinality="n")
        .render_derived()
    )
    return (
        select(statuses.c.status, func.count(units.c.unit_id).label("count"), statuses.c.n)
        .select_from(statuses.outerjoin(units, units.c.status == statuses.c.status))
        .group_by(statuses.c.status, statuses.c.n)
    )


def area_rows(report: FromClause) -> Select[Any]:
    """The plan's areas that have criteria, measures assessed or assessments counted, in plan
    order, with their depth and counts."""
    area, up, above = Area.__table__.alias(), Area.__table__.alias(), Area.__table__.alias()
    ancestors = (
        select(up.c.parent_id.label("parent"), literal_column("0").label("d"))
        .where(up.c.id == area.c.id)
        .correlate(area)
        .cte("ancestors", recursive=True, nesting=True)
    )
    ancestors = ancestors.union_all(
        select(above.c.parent_id, ancestors.c.d + literal_column("1")).where(above.c.id == ancestors.c.parent)
    )
    depth = select(func.max(ancestors.c.d)).scalar_subquery()
    own, through, goal = Criterion.__table__.alias(), Criterion.__table__.alias(), Goal.__table__.alias()
    measure = Measure.__table__.alias()
    assessing = area.c.applies_to.op("&&", return_type=Boolean)(report.c.measures_assessed_by)
    counts = _counts_of(report, area.c.id)
    level_total = func.jsonb_each_text(counts).table_valued("key", "value").render_derived()
    assessments = select(func.coalesce(func.sum(level_total.c.value.cast(Integer)), 0)).scalar_subquery()
    return (
        select(
            area.c.id.label("area_id"),
            area.c.key.label("key"),
            area.c.kind.label("kind"),
            area.c.title.label("title"),
            area.c.parent_id.label("parent_id"),
            area.c.position.label("position"),
            depth.label("depth"),
            assessments.label("assessments"),
            assessing.label("assessing"),
            counts.label("own_counts"),
            report.c.counts.label("counts"),
            report.c.levels.label("levels"),
        )
        .where(
            area.c.plan_id == report.c.plan_id,
            or_(
                report.c.counts.op("?")(area.c.id.cast(Text)),
                exists().where(own.c.area_id == area.c.id),
                exists().where(through.c.goal_id == goal.c.id, goal.c.area_id == area.c.id),
                and_(assessing, exists().where(measure.c.area_id == area.c.id)),
            ),
        )
        .correlate(report)
    )


AREA_ORDER = ("position", "area_id")


def criterion_rows(area: FromClause) -> Select[Any]:
    """The area's criteria, its own then its goals', in plan order, with their counts."""
    own, through, goal = Criterion.__table__.alias(), Criterion.__table__.alias(), Goal.__table__.alias()
    both = union_all(
        select(own.c.id, own.c.text, literal_column("-1").label("goal_position"), own.c.position)
        .where(own.c.area_id == area.c.area_id)
        .correlate(area),
        select(through.c.id, through.c.text, goal.c.position, through.c.position)
        .select_from(through.join(goal, goal.c.id == through.c.goal_id))
        .where(goal.c.area_id == area.c.area_id)
        .correlate(area),
    ).subquery()
    return select(
        both.c.id.label("criterion_id"),
        both.c.text.label("text"),
        both.c.goal_position,
        both.c.position,
        _counts_of(area, both.c.id).label("own_counts"),
        area.c.levels.label("levels"),
    ).correlate(area)


CRITERION_ORDER = ("goal_position", "position", "criterion_id")


def measure_rows(area: FromClause) -> Select[Any]:
    """The area's measures where the plan's reports assess them there, in order, with their counts."""
    measure = Measure.__table__.alias()
    return (
        select(
            measure.c.id.label("measure_id"),
            measure.c.text.label("text"),
            measure.c.position,
            _counts_of(area, measure.c.id).label("own_counts"),
            area.c.levels.label("levels"),
        )
        .where(measure.c.area_id == area.c.area_id, area.c.assessing)
        .correlate(area)
    )


MEASURE_ORDER = ("position", "measure_id")


def level_rows(counted: FromClause) -> Select[Any]:
    """Every level of the scale, lowest first (`n`), with how many of the row's `own_counts` are at it."""
    levels = func.unnest(counted.c.levels).table_valued("level", with_ordinality="n").render_derived()
    count = counted.c.own_counts.op("->>", return_type=Text)(levels.c.level).cast(Integer)
    return select(levels.c.level, func.coalesce(count, 0).label("count"), levels.c.n).correlate(counted)


LEVEL_ORDER = ("n",)
