"""Competence plans (kvalitet.models.competence): a unit's, and the municipality's own.

Udir's steps (seed 004, «Vurdere behov, sette mål og planlegge tiltak»): assess the needs from
the unit's goals, set goals for individual and collective competence development, plan the
measures. A measure funded by a scheme is checked against the scheme's criteria (the national
one: rooted in locally defined needs, kindergarten- or school-based, in partnership with a
university or college): what it lacks shows as findings, not as a refusal, since a plan is
written over time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import any_, func, literal, or_, select

from kvalitet import messages
from kvalitet.indicators.catalogue import national
from kvalitet.models import (
    Area,
    CompetenceGoal,
    CompetenceMeasure,
    CompetenceNeed,
    CompetencePlan,
    Criterion,
    Goal,
    Indicator,
    Municipality,
    Plan,
    Unit,
)
from kvalitet.models.enums import CompetenceScope, TargetGroup
from kvalitet.plugins.content import FollowUp
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import DUPLICATE, INVALID_STATE, INVALID_VALUE, NOT_FOUND, fail
from kvalitet.services.events import emit
from kvalitet.services.units import UNSET, Unset
from kvalitet.services.validation import TEXT_MAX, TITLE_MAX, Checker, require_year

Item = TypeVar("Item", CompetenceNeed, CompetenceGoal, CompetenceMeasure)
MAX_YEARS = 10  # a plan spans at most this many years


def follow_up_of(ctx: ServiceContext, municipality: Municipality) -> FollowUp | None:
    return ctx.profiles.follow_up(municipality.profile_code) if municipality.profile_code else None


async def create_plan(
    ctx: ServiceContext,
    municipality_id: uuid.UUID | None,
    unit_id: uuid.UUID | None,
    start_year: int,
    end_year: int,
    title: str | None,
) -> CompetencePlan:
    """A competence plan for a unit, or (no unit) the municipality's own."""
    if unit_id is not None and municipality_id is not None:
        fail(INVALID_VALUE, messages.text("competence.unit_or_municipality"), "municipalityId")
    if unit_id is not None:
        unit = await ctx.load(Unit, unit_id, "unit", field_name="unitId")
        municipality = await ctx.session.get_one(Municipality, unit.municipality_id)
        owner: Unit | Municipality = unit
        if unit.archived_at is not None:
            fail(INVALID_STATE, messages.text("competence.unit_archived"), "unitId")
    else:
        municipality = await ctx.load(Municipality, municipality_id, "municipality", field_name="municipalityId")
        owner = municipality
    await ctx.authorize("create", CompetencePlan, owner)
    _years(start_year, end_year)
    checker = Checker()
    stored_title = checker.text(title, "title", max_length=TITLE_MAX, required=False) or ""
    checker.raise_if_any()
    exists = await ctx.session.scalar(
        select(CompetencePlan.id).where(
            CompetencePlan.municipality_id == municipality.id,
            CompetencePlan.unit_id.is_(None) if unit_id is None else CompetencePlan.unit_id == unit_id,
            CompetencePlan.start_year == start_year,
        )
    )
    if exists is not None:
        fail(DUPLICATE, messages.text("error.competence_plan_exists"), "startYear")
    plan = CompetencePlan(
        municipality_id=municipality.id,
        unit_id=unit_id,
        start_year=start_year,
        end_year=end_year,
        title=stored_title,
    )
    ctx.session.add(plan)
    await emit(ctx, "competence_plan.created", municipality.id, "CompetencePlan", plan)
    return plan


def _years(start_year: int, end_year: int) -> None:
    require_year(start_year, "startYear")
    require_year(end_year, "endYear")
    if not start_year <= end_year < start_year + MAX_YEARS:
        fail(INVALID_VALUE, messages.text("competence.years", max=MAX_YEARS), "endYear")


async def update_plan(
    ctx: ServiceContext,
    plan_id: uuid.UUID | None,
    version: int,
    title: str | None | Unset,
    end_year: int | Unset,
) -> CompetencePlan:
    plan = await ctx.load_for_change(CompetencePlan, plan_id, version, "competence plan")
    checker = Checker()
    if title is not UNSET:
        plan.title = checker.text(title, "title", max_length=TITLE_MAX, required=False) or ""
    checker.raise_if_any()
    if end_year is not UNSET:
        _years(plan.start_year, end_year)
        plan.end_year = end_year
    await ctx.session.flush()
    return plan


# What a need's, goal's or measure's input comes to, checked against its plan (and the row as it
# is, when one is changed): the values to write.
ValuesOf = Callable[[CompetencePlan, Any], Awaitable[dict[str, Any]]]


async def _add(ctx: ServiceContext, model: type[Item], plan_id: uuid.UUID | None, values_of: ValuesOf) -> Item:
    """A new need, goal or measure, last in its plan."""
    plan = await ctx.load(CompetencePlan, plan_id, "competence plan", field_name="planId")
    await ctx.authorize("create", model, plan)
    position = await ctx.session.scalar(
        select(func.coalesce(func.max(model.position) + 1, 0)).where(model.plan_id == plan.id)
    )
    item = model(plan_id=plan.id, position=int(position or 0), **await values_of(plan, None))
    ctx.session.add(item)
    await ctx.session.flush()
    return item


async def _update(
    ctx: ServiceContext, model: type[Item], item_id: uuid.UUID | None, version: int, what: str, values_of: ValuesOf
) -> Item:
    item, plan = await _item_to_change(ctx, model, item_id, version, what)
    for key, value in (await values_of(plan, item)).items():
        setattr(item, key, value)
    await ctx.session.flush()
    return item


async def _item_to_change(
    ctx: ServiceContext, model: type[Item], item_id: uuid.UUID | None, version: int, what: str, action: str = "update"
) -> tuple[Item, CompetencePlan]:
    item = await ctx.load_for_change(model, item_id, version, what, action=action)
    return item, await ctx.session.get_one(CompetencePlan, item.plan_id)


# -- Needs --------------------------------------------------------------------------------------


@dataclass
class NeedChanges:
    text: str | Unset = UNSET
    area_id: uuid.UUID | None | Unset = UNSET
    goal_id: uuid.UUID | None | Unset = UNSET
    criterion_id: uuid.UUID | None | Unset = UNSET
    indicator_code: str | None | Unset = UNSET


async def _of_municipality(
    ctx: ServiceContext, model: type[Area | Goal | Criterion], id_: uuid.UUID, municipality_id: uuid.UUID, name: str
) -> None:
    """Refuse an area, goal or criterion that is not of one of the municipality's own plans."""
    table = model.__table__
    if model is Area:
        plan_of = table.c.plan_id
        statement = select(table.c.id).join(Plan, Plan.id == plan_of)
    elif model is Goal:
        statement = select(table.c.id).join(Area, Area.id == table.c.area_id).join(Plan, Plan.id == Area.plan_id)
    else:
        goal_area = select(Goal.area_id).where(Goal.id == table.c.goal_id).scalar_subquery()
        statement = (
            select(table.c.id)
            .join(Area, Area.id == func.coalesce(table.c.area_id, goal_area))
            .join(Plan, Plan.id == Area.plan_id)
        )
    found = await ctx.session.scalar(statement.where(table.c.id == id_, Plan.municipality_id == municipality_id))
    if found is None:
        fail(NOT_FOUND, messages.text("competence.not_the_municipalitys", what=messages.noun(name)), _field(name))


def _field(name: str) -> str:
    return {"area": "areaId", "goal": "goalId", "criterion": "criterionId"}[name]


async def _need_values(ctx: ServiceContext, plan: CompetencePlan, changes: NeedChanges) -> dict[str, Any]:
    checker = Checker()
    values: dict[str, Any] = {}
    if changes.text is not UNSET:
        values["text"] = checker.text(changes.text, "text", max_length=TEXT_MAX)
    if changes.indicator_code is not UNSET:
        values["indicator_code"] = checker.text(changes.indicator_code, "indicatorCode", max_length=80, required=False)
    checker.raise_if_any()
    for name, model, given in (
        ("area", Area, changes.area_id),
        ("goal", Goal, changes.goal_id),
        ("criterion", Criterion, changes.criterion_id),
    ):
        if given is UNSET:
            continue
        if given is not None:
            await _of_municipality(ctx, model, given, plan.municipality_id, name)
        values[f"{name}_id"] = given
    code = values.get("indicator_code")
    if code is not None and code not in national():
        local = await ctx.session.scalar(
            select(Indicator.id).where(Indicator.code == code, Indicator.municipality_id == plan.municipality_id)
        )
        if local is None:
            fail(NOT_FOUND, messages.text("competence.unknown_indicator", code=code[:80]), "indicatorCode")
    return values


async def add_need(ctx: ServiceContext, plan_id: uuid.UUID | None, changes: NeedChanges) -> CompetenceNeed:
    if changes.text is UNSET:
        changes.text = ""
    return await _add(ctx, CompetenceNeed, plan_id, lambda plan, _: _need_values(ctx, plan, changes))


async def update_need(
    ctx: ServiceContext, need_id: uuid.UUID | None, version: int, changes: NeedChanges
) -> CompetenceNeed:
    return await _update(
        ctx, CompetenceNeed, need_id, version, "competence need", lambda plan, _: _need_values(ctx, plan, changes)
    )


# -- Goals --------------------------------------------------------------------------------------


@dataclass
class GoalChanges:
    text: str | Unset = UNSET
    scope: str | Unset = UNSET
    need_ids: list[uuid.UUID] | Unset = UNSET


async def _own_items(
    ctx: ServiceContext,
    model: type[CompetenceNeed | CompetenceGoal],
    plan: CompetencePlan,
    ids: list[uuid.UUID],
    name: str,
) -> list[uuid.UUID]:
    """`ids` without repeats, in order, when each is of `plan`."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    # FOR SHARE: a need or goal removed at the same moment waits for this, or this for it.
    found = set(
        (
            await ctx.session.scalars(
                select(model.id).where(model.plan_id == plan.id, model.id.in_(wanted)).with_for_update(read=True)
            )
        ).all()
    )
    if len(found) < len(wanted):
        fail(NOT_FOUND, messages.text("competence.not_in_plan", what=messages.noun(name)), name.split()[-1] + "Ids")
    return wanted


async def _goal_values(ctx: ServiceContext, plan: CompetencePlan, changes: GoalChanges) -> dict[str, Any]:
    checker = Checker()
    values: dict[str, Any] = {}
    if changes.text is not UNSET:
        values["text"] = checker.text(changes.text, "text", max_length=TEXT_MAX)
    if changes.scope is not UNSET:
        values["scope"] = checker.choice(changes.scope, CompetenceScope, "scope")
    checker.raise_if_any()
    if changes.need_ids is not UNSET:
        values["need_ids"] = await _own_items(ctx, CompetenceNeed, plan, changes.need_ids, "competence need")
    return values


async def add_goal(ctx: ServiceContext, plan_id: uuid.UUID | None, changes: GoalChanges) -> CompetenceGoal:
    return await _add(ctx, CompetenceGoal, plan_id, lambda plan, _: _goal_values(ctx, plan, changes))


async def update_goal(
    ctx: ServiceContext, goal_id: uuid.UUID | None, version: int, changes: GoalChanges
) -> CompetenceGoal:
    return await _update(
        ctx, CompetenceGoal, goal_id, version, "competence goal", lambda plan, _: _goal_values(ctx, plan, changes)
    )


# -- Measures -----------------------------------------------------------------------------------


@dataclass
class MeasureChanges:
    title: str | Unset = UNSET
    description: str | None | Unset = UNSET
    scope: str | Unset = UNSET
    unit_based: bool | Unset = UNSET
    target_group: str | Unset = UNSET
    target_note: str | None | Unset = UNSET
    partner: str | None | Unset = UNSET
    partner_note: str | None | Unset = UNSET
    funding: str | None | Unset = UNSET
    starts_on: dt.date | None | Unset = UNSET
    ends_on: dt.date | None | Unset = UNSET
    evaluation: str | None | Unset = UNSET
    need_ids: list[uuid.UUID] | Unset = UNSET
    goal_ids: list[uuid.UUID] | Unset = UNSET


async def _measure_values(
    ctx: ServiceContext, plan: CompetencePlan, changes: MeasureChanges, measure: CompetenceMeasure | None
) -> dict[str, Any]:
    municipality = await ctx.session.get_one(Municipality, plan.municipality_id)
    declared = follow_up_of(ctx, municipality)
    checker = Checker()
    values: dict[str, Any] = {}
    if changes.title is not UNSET:
        values["title"] = checker.text(changes.title, "title", max_length=TITLE_MAX)
    for name, given in (
        ("description", changes.description),
        ("target_note", changes.target_note),
        ("partner_note", changes.partner_note),
        ("evaluation", changes.evaluation),
    ):
        if given is not UNSET:
            camel = "".join(w.capitalize() if i else w for i, w in enumerate(name.split("_")))
            values[name] = checker.text(given, camel, max_length=TEXT_MAX, required=False) or ""
    if changes.scope is not UNSET:
        values["scope"] = checker.choice(changes.scope, CompetenceScope, "scope")
    if changes.target_group is not UNSET:
        values["target_group"] = checker.choice(changes.target_group, TargetGroup, "targetGroup")
    if changes.unit_based is not UNSET:
        values["unit_based"] = changes.unit_based
    for name, given, known in (
        ("partner", changes.partner, [p.key for p in declared.partners] if declared else []),
        ("funding", changes.funding, [f.key for f in declared.funding_schemes] if declared else []),
    ):
        if given is UNSET:
            continue
        if given is not None and given not in known:
            checker.add(
                INVALID_VALUE,
                messages.text(f"competence.unknown_{name}", value=given[:80], known=", ".join(known) or "–"),
                name,
            )
        values[f"{name}_key"] = given
    for name, day in (("starts_on", changes.starts_on), ("ends_on", changes.ends_on)):
        if day is not UNSET:
            checker.year(day.year if day else None, "startsOn" if name == "starts_on" else "endsOn")
            values[name] = day
    starts = values.get("starts_on", measure.starts_on if measure else None)
    ends = values.get("ends_on", measure.ends_on if measure else None)
    if starts is not None and ends is not None and ends < starts:
        checker.add(INVALID_VALUE, messages.text("competence.ends_before_start"), "endsOn")
    checker.raise_if_any()
    if changes.need_ids is not UNSET:
        values["need_ids"] = await _own_items(ctx, CompetenceNeed, plan, changes.need_ids, "competence need")
    if changes.goal_ids is not UNSET:
        values["goal_ids"] = await _own_items(ctx, CompetenceGoal, plan, changes.goal_ids, "competence goal")
    return values


async def add_measure(ctx: ServiceContext, plan_id: uuid.UUID | None, changes: MeasureChanges) -> CompetenceMeasure:
    return await _add(ctx, CompetenceMeasure, plan_id, lambda plan, row: _measure_values(ctx, plan, changes, row))


async def update_measure(
    ctx: ServiceContext, measure_id: uuid.UUID | None, version: int, changes: MeasureChanges
) -> CompetenceMeasure:
    return await _update(
        ctx,
        CompetenceMeasure,
        measure_id,
        version,
        "competence measure",
        lambda plan, row: _measure_values(ctx, plan, changes, row),
    )


async def remove_item(
    ctx: ServiceContext, model: type[Item], item_id: uuid.UUID | None, version: int, what: str
) -> Item:
    """Remove a need, goal or measure; the goals and measures that named it no longer do."""
    item, plan = await _item_to_change(ctx, model, item_id, version, what, action="delete")
    referrers: list[tuple[type[CompetenceGoal | CompetenceMeasure], str]] = []
    if model is CompetenceNeed:
        referrers = [(CompetenceGoal, "need_ids"), (CompetenceMeasure, "need_ids")]
    elif model is CompetenceGoal:
        referrers = [(CompetenceMeasure, "goal_ids")]
    for referrer, column in referrers:
        rows = await ctx.session.scalars(
            select(referrer).where(referrer.plan_id == plan.id, literal(item.id) == any_(getattr(referrer, column)))
        )
        for row in rows.all():
            setattr(row, column, [i for i in getattr(row, column) if i != item.id])
    await ctx.session.delete(item)
    await ctx.session.flush()
    return item


# -- What a measure lacks for its funding scheme -------------------------------------------------


@dataclass(frozen=True)
class MeasureFinding:
    code: str
    message: messages.Text
    field: str


# Each criterion of a scheme (kvalitet.plugins.content.FundingScheme), what shows it is met,
# and the finding when it is not.
CRITERIA = {
    "local_need": ("COMPETENCE_NO_LOCAL_NEED", "needIds"),
    "unit_based": ("COMPETENCE_NOT_UNIT_BASED", "unitBased"),
    "partnership": ("COMPETENCE_NO_PARTNER", "partner"),
}


def measure_findings(declared: FollowUp | None, row: Any) -> list[MeasureFinding]:
    """What `row` (a competence measure's columns) lacks that its funding scheme asks for."""
    if declared is None or row["funding_key"] is None:
        return []
    scheme = next((f for f in declared.funding_schemes if f.key == row["funding_key"]), None)
    if scheme is None:
        return []
    met = {
        "local_need": bool(row["need_ids"]),
        "unit_based": bool(row["unit_based"]),
        "partnership": bool(row["partner_key"]) or bool((row["partner_note"] or "").strip()),
    }
    return [
        MeasureFinding(code, messages.text(f"competence.criterion.{criterion}"), field_name)
        for criterion in scheme.criteria
        for code, field_name in [CRITERIA[criterion]]
        if not met[criterion]
    ]


# -- The municipality's roll-up ------------------------------------------------------------------


def plans_in_year(municipality_ids: list[uuid.UUID], year: int):
    """The competence plans of the municipalities that cover `year` (units' and their own)."""
    return select(CompetencePlan.__table__).where(
        CompetencePlan.municipality_id.in_(municipality_ids),
        CompetencePlan.start_year <= year,
        CompetencePlan.end_year >= year,
    )


def rollup_sql(municipality_ids: list[uuid.UUID], year: int):
    """Every need and measure of the municipalities' plans covering `year`, with its plan's
    municipality and unit (name and kind; null for the municipality's own) and, for a need, the
    area that shows it: one statement for the needs and one for the measures."""
    plans = plans_in_year(municipality_ids, year).subquery()
    need = CompetenceNeed.__table__
    measure = CompetenceMeasure.__table__
    goal_area = select(Goal.area_id).where(Goal.id == need.c.goal_id).scalar_subquery()
    criterion_area = (
        select(
            func.coalesce(Criterion.area_id, select(Goal.area_id).where(Goal.id == Criterion.goal_id).scalar_subquery())
        )
        .where(Criterion.id == need.c.criterion_id)
        .scalar_subquery()
    )
    needs = (
        select(
            need,
            plans.c.municipality_id,
            plans.c.unit_id,
            Unit.name.label("unit_name"),
            Unit.kind.label("unit_kind"),
            func.coalesce(need.c.area_id, goal_area, criterion_area).label("shown_in_area_id"),
        )
        .join(plans, plans.c.id == need.c.plan_id)
        .outerjoin(Unit, Unit.id == plans.c.unit_id)
        .order_by(Unit.name.nulls_first(), need.c.position, need.c.id)
    )
    measures = (
        select(
            measure,
            plans.c.municipality_id,
            plans.c.unit_id,
            Unit.name.label("unit_name"),
            Unit.kind.label("unit_kind"),
        )
        .join(plans, plans.c.id == measure.c.plan_id)
        .outerjoin(Unit, Unit.id == plans.c.unit_id)
        .where(
            or_(
                measure.c.starts_on.is_(None),
                func.extract("year", measure.c.starts_on) <= year,
            ),
            or_(measure.c.ends_on.is_(None), func.extract("year", measure.c.ends_on) >= year),
        )
        .order_by(Unit.name.nulls_first(), measure.c.position, measure.c.id)
    )
    return needs, measures
