"""A unit's local plan on the municipal plan: goals, actions, sections, and its review.

draft → submitted → approved, or → returned (editable again, with the reviewer's comment).
A plan is submitted only when the profile's rules find nothing missing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import and_, func, select

from kvalitet import messages
from kvalitet.models import (
    Area,
    Assessment,
    LocalAction,
    LocalGoal,
    LocalPlan,
    LocalPlanSection,
    Municipality,
    Plan,
    Report,
    Unit,
)
from kvalitet.models.enums import ActionStatus, PlanStatus, ReviewStatus
from kvalitet.plugins.content import LocalPlanSectionSpec
from kvalitet.plugins.rules import Finding
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import (
    DUPLICATE,
    INVALID_STATE,
    INVALID_VALUE,
    NOT_APPLICABLE,
    NOT_FOUND,
    REQUIRED,
    STALE_VERSION,
    Problem,
    UserInputError,
    fail,
)
from kvalitet.services.events import emit
from kvalitet.services.local_plan_views import Targets, view_of
from kvalitet.services.review import DECIDABLE, DONE, EDITABLE, load_editable, status_text
from kvalitet.services.units import UNSET, Unset
from kvalitet.services.validation import KEY_MAX, TEXT_MAX, TITLE_MAX, Checker

Child = TypeVar("Child", LocalGoal, LocalAction)  # rows of a local plan changed by id


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def create_local_plan(ctx: ServiceContext, unit_id: uuid.UUID, plan_id: uuid.UUID) -> LocalPlan:
    unit = await ctx.load(Unit, unit_id, "unit", field_name="unitId")
    plan = await ctx.load(Plan, plan_id, "plan", field_name="planId")
    if plan.municipality_id != unit.municipality_id:
        fail(NOT_FOUND, messages.text("plan.not_in_municipality"), "planId")
    if unit.archived_at is not None:
        fail(INVALID_STATE, messages.text("unit.archived"), "unitId")
    if plan.status != PlanStatus.ADOPTED:
        fail(
            INVALID_STATE,
            messages.text("plan.not_adopted_for_local_plan", status=messages.status(plan.status)),
            "planId",
        )
    if unit.kind not in plan.applies_to:
        fail(NOT_APPLICABLE, messages.text("plan.not_for_kind", kinds=messages.kinds(unit.kind)), "unitId")
    existing = await ctx.session.scalar(
        select(LocalPlan.id).where(LocalPlan.unit_id == unit.id, LocalPlan.plan_id == plan.id)
    )
    if existing is not None:
        fail(DUPLICATE, messages.text("error.local_plan_exists"), "unitId")
    await ctx.authorize("create", LocalPlan, unit)
    local_plan = LocalPlan(
        municipality_id=unit.municipality_id, unit_id=unit.id, plan_id=plan.id, status=ReviewStatus.DRAFT
    )
    ctx.session.add(local_plan)
    await ctx.session.flush()
    # Reports opened before the local plan existed are on it from now on.
    for report in (
        await ctx.session.scalars(
            select(Report).where(Report.unit_id == unit.id, Report.plan_id == plan.id, Report.local_plan_id.is_(None))
        )
    ).all():
        report.local_plan_id = local_plan.id
    await ctx.session.flush()
    return local_plan


async def _child_to_change(
    ctx: ServiceContext,
    model: type[Child],
    id_: uuid.UUID,
    version: int,
    what: str,
    action: str = "update",
) -> Child:
    """A goal or action of an editable local plan, to change (as `ctx.load_for_change`): the row,
    its local plan FOR SHARE and the plan's unit in one statement."""
    await ctx.session.execute(
        select(model, LocalPlan, Unit)
        .join(LocalPlan, LocalPlan.id == model.local_plan_id)
        .join(Unit, Unit.id == LocalPlan.unit_id)
        .where(model.id == id_)
        .with_for_update(read=True, of=LocalPlan.__table__)
        .execution_options(populate_existing=True)
    )
    row = await ctx.load_for_change(model, id_, version, what, action=action)
    await load_editable(ctx, LocalPlan, row.local_plan_id, "local plan", "id", locked=True)
    return row


async def _applicable_area(
    ctx: ServiceContext, local_plan: LocalPlan, area_id: uuid.UUID | None, field_name: str
) -> Area | None:
    if area_id is None:
        return None
    return await _checked_area(ctx, local_plan, await ctx.session.get(Area, area_id), field_name)


async def _checked_area(ctx: ServiceContext, local_plan: LocalPlan, area: Area | None, field_name: str) -> Area:
    """`area`, refused unless it is an area of the local plan's plan for the unit's kind."""
    if area is None or area.plan_id != local_plan.plan_id:
        fail(NOT_FOUND, messages.text("area.not_in_plan"), field_name)
    unit = await ctx.session.get_one(Unit, local_plan.unit_id)
    if unit.kind not in area.applies_to:
        fail(
            NOT_APPLICABLE,
            messages.text("area.not_for_kind", area=area.title, kinds=messages.kinds(unit.kind)),
            field_name,
        )
    return area


async def _perspective(
    ctx: ServiceContext, checker: Checker, local_plan: LocalPlan, perspective: str | None
) -> str | None:
    if perspective is None:
        return None
    plan = await ctx.session.get_one(Plan, local_plan.plan_id)
    municipality = await ctx.session.get_one(Municipality, plan.municipality_id)
    keys = [p.key for p in ctx.profiles.perspectives(municipality.profile_code)] if municipality.profile_code else []
    checker.check(
        perspective in keys,
        INVALID_VALUE,
        messages.text("local_plan.not_a_perspective", perspective=perspective),
        "perspective",
    )
    return perspective


async def _editable_to_add(
    ctx: ServiceContext, local_plan_id: uuid.UUID, model: type[LocalGoal | LocalAction | LocalPlanSection]
) -> tuple[LocalPlan, int]:
    """The local plan to add a `model` row to (as `load_editable`) and the new row's position,
    last: the plan FOR SHARE, its unit and municipality and that position in one statement."""
    last = select(func.max(model.position)).where(model.local_plan_id == LocalPlan.id).scalar_subquery()
    found = (
        await ctx.session.execute(
            select(LocalPlan, Unit, Municipality, func.coalesce(last + 1, 0))
            .join(Unit, Unit.id == LocalPlan.unit_id)
            .join(Municipality, Municipality.id == LocalPlan.municipality_id)
            .where(LocalPlan.id == local_plan_id)
            .with_for_update(read=True, of=LocalPlan.__table__)
            .execution_options(populate_existing=True)
        )
    ).first()
    local_plan = await load_editable(ctx, LocalPlan, local_plan_id, "local plan", "localPlanId", locked=True)
    assert found is not None  # load_editable refused a missing plan
    return local_plan, found[3]


@dataclass
class LocalGoalChanges:
    text: str | None | Unset = UNSET
    perspective: str | None | Unset = UNSET


async def add_local_goal(
    ctx: ServiceContext, local_plan_id: uuid.UUID, area_id: uuid.UUID, changes: LocalGoalChanges
) -> LocalGoal:
    local_plan, position = await _editable_to_add(ctx, local_plan_id, LocalGoal)
    area = await _applicable_area(ctx, local_plan, area_id, "areaId")
    assert area is not None  # an area was named
    assert changes.text is not UNSET  # a new goal's text is always given
    checker = Checker()
    text = checker.text(changes.text, "text", max_length=TEXT_MAX)
    perspective = await _perspective(
        ctx, checker, local_plan, None if changes.perspective is UNSET else changes.perspective
    )
    checker.raise_if_any()
    await ctx.authorize("create", LocalGoal, local_plan)
    goal = LocalGoal(
        local_plan_id=local_plan.id,
        area_id=area.id,
        perspective=perspective,
        text=text,
        position=position,
    )
    ctx.session.add(goal)
    await ctx.session.flush()
    return goal


async def update_local_goal(
    ctx: ServiceContext, goal_id: uuid.UUID, version: int, changes: LocalGoalChanges
) -> LocalGoal:
    goal = await _child_to_change(ctx, LocalGoal, goal_id, version, "local goal")
    local_plan = await ctx.session.get_one(LocalPlan, goal.local_plan_id)
    checker = Checker()
    if changes.text is not UNSET:
        text = checker.text(changes.text, "text", max_length=TEXT_MAX)
        if text is not None:  # else REQUIRED, refused below: an empty text must not reach an autoflush
            goal.text = text
    if changes.perspective is not UNSET:
        goal.perspective = await _perspective(ctx, checker, local_plan, changes.perspective)
    checker.raise_if_any()
    await ctx.session.flush()
    return goal


async def remove_local_goal(ctx: ServiceContext, goal_id: uuid.UUID, version: int) -> LocalGoal:
    goal = await _child_to_change(ctx, LocalGoal, goal_id, version, "local goal", action="delete")
    assessed = (
        await ctx.session.execute(
            select(Assessment, Report.status)
            .join(Report, Report.id == Assessment.report_id)
            .where(Assessment.local_goal_id == goal.id)
        )
    ).all()
    if any(status not in EDITABLE for _, status in assessed):
        fail(INVALID_STATE, messages.text("local_plan.goal_assessed"), "id")
    for assessment, _ in assessed:  # assessments in reports still being written go with the goal
        await ctx.session.delete(assessment)
    for action in (await ctx.session.scalars(select(LocalAction).where(LocalAction.local_goal_id == goal.id))).all():
        action.local_goal_id = None
    await ctx.session.delete(goal)
    await ctx.session.flush()
    return goal


@dataclass
class LocalActionChanges:
    text: str | None | Unset = UNSET
    area_id: uuid.UUID | None | Unset = UNSET
    local_goal_id: uuid.UUID | None | Unset = UNSET
    owner: str | None | Unset = UNSET
    deadline: dt.date | None | Unset = UNSET
    status: str | None | Unset = UNSET


async def _action_values(ctx: ServiceContext, local_plan: LocalPlan, changes: LocalActionChanges) -> dict:
    checker = Checker()
    values: dict = {}
    if changes.text is not UNSET:
        values["text"] = checker.text(changes.text, "text", max_length=TEXT_MAX)
    if changes.owner is not UNSET:
        values["owner"] = checker.text(changes.owner, "owner", max_length=TITLE_MAX, required=False)
    if changes.deadline is not UNSET:
        values["deadline"] = changes.deadline
    if changes.status is not UNSET:
        values["status"] = checker.choice(changes.status, ActionStatus, "status")
    checker.raise_if_any()
    if changes.area_id is not UNSET:
        area = await _applicable_area(ctx, local_plan, changes.area_id, "areaId")
        values["area_id"] = area.id if area else None
    if changes.local_goal_id is not UNSET:
        if changes.local_goal_id is not None:
            goal = await ctx.session.get(LocalGoal, changes.local_goal_id)
            if goal is None or goal.local_plan_id != local_plan.id:
                fail(NOT_FOUND, messages.text("local_plan.no_local_goal"), "localGoalId")
            values.setdefault("area_id", goal.area_id)
        values["local_goal_id"] = changes.local_goal_id
    return values


async def add_local_action(ctx: ServiceContext, local_plan_id: uuid.UUID, changes: LocalActionChanges) -> LocalAction:
    local_plan, position = await _editable_to_add(ctx, local_plan_id, LocalAction)
    values = await _action_values(ctx, local_plan, changes)
    await ctx.authorize("create", LocalAction, local_plan)
    action = LocalAction(local_plan_id=local_plan.id, position=position, **values)
    ctx.session.add(action)
    await ctx.session.flush()
    return action


async def update_local_action(
    ctx: ServiceContext, action_id: uuid.UUID, version: int, changes: LocalActionChanges
) -> LocalAction:
    action = await _child_to_change(ctx, LocalAction, action_id, version, "action")
    local_plan = await ctx.session.get_one(LocalPlan, action.local_plan_id)
    for key, value in (await _action_values(ctx, local_plan, changes)).items():
        setattr(action, key, value)
    await ctx.session.flush()
    return action


async def remove_local_action(ctx: ServiceContext, action_id: uuid.UUID, version: int) -> LocalAction:
    action = await _child_to_change(ctx, LocalAction, action_id, version, "action", action="delete")
    await ctx.session.delete(action)
    await ctx.session.flush()
    return action


async def save_section(
    ctx: ServiceContext,
    local_plan_id: uuid.UUID,
    key: str,
    area_id: uuid.UUID | None,
    text: str | None,
    version: int | None,
) -> LocalPlanSection | None:
    """Write the section `key` (for `area_id`, or the whole plan); empty text removes it.
    Changing an existing section needs the version that was read."""
    local_plan, position = await _editable_to_add(ctx, local_plan_id, LocalPlanSection)
    checker = Checker()
    checked_key = checker.text(key, "key", max_length=KEY_MAX)
    text = checker.text(text, "text", max_length=TEXT_MAX, required=False)
    checker.raise_if_any()
    assert checked_key is not None  # required: raise_if_any refused an empty key
    key = checked_key
    spec = await _declared_section(ctx, local_plan, key, area_id)
    # The area and the section already written for it, in one statement.
    same = and_(LocalPlanSection.local_plan_id == local_plan.id, LocalPlanSection.key == key)
    area: Area | None = None
    if area_id is None:
        section = await ctx.session.scalar(select(LocalPlanSection).where(same, LocalPlanSection.area_id.is_(None)))
    else:
        found = (
            await ctx.session.execute(
                select(Area, LocalPlanSection)
                .outerjoin(LocalPlanSection, and_(same, LocalPlanSection.area_id == Area.id))
                .where(Area.id == area_id)
            )
        ).first()
        area = await _checked_area(ctx, local_plan, found[0] if found else None, "areaId")
        section = found[1] if found else None
        if spec is not None and spec.area_kinds and area.kind not in spec.area_kinds:
            fail(NOT_APPLICABLE, messages.text("section.not_for_area", section=spec.label, area=area.title), "areaId")
    if section is not None and section.version != version:
        fail(STALE_VERSION, messages.text("local_plan.section_stale"), "version")
    if section is None:
        if text is None:
            return None
        await ctx.authorize("create", LocalPlanSection, local_plan)
        section = LocalPlanSection(
            local_plan_id=local_plan.id,
            key=key,
            area_id=area.id if area else None,
            text=text,
            position=position,
        )
        ctx.session.add(section)
    elif text is None:
        await ctx.session.delete(section)
    else:
        section.text = text
    await ctx.session.flush()
    return section


async def _declared_section(
    ctx: ServiceContext, local_plan: LocalPlan, key: str, area_id: uuid.UUID | None
) -> LocalPlanSectionSpec | None:
    """The profile's declaration of section `key`, refusing a key it does not declare and an
    area given (or not) against it; None when the profile declares no sections."""
    municipality = await ctx.session.get_one(Municipality, local_plan.municipality_id)
    specs = ctx.profiles.local_plan_sections(municipality.profile_code) if municipality.profile_code else None
    if specs is None:
        return None
    spec = next((s for s in specs if s.key == key), None)
    if spec is None:
        known = ", ".join(s.key for s in specs) or "–"
        fail(INVALID_VALUE, messages.text("section.unknown", key=key, known=known), "key")
    if spec.per_area and area_id is None:
        fail(REQUIRED, messages.text("section.per_area", section=spec.label), "areaId")
    if not spec.per_area and area_id is not None:
        fail(INVALID_VALUE, messages.text("section.whole_plan", section=spec.label), "areaId")
    return spec


async def findings(ctx: ServiceContext, local_plan: LocalPlan) -> tuple[list[Finding], Targets]:
    """The rules' findings on the local plan, and what their paths point at."""
    code, view, targets = await view_of(ctx, local_plan)
    return (ctx.profiles.validate_local_plan(code, view) if code else []), targets


async def submit_local_plan(ctx: ServiceContext, local_plan_id: uuid.UUID, version: int) -> LocalPlan:
    local_plan = await ctx.load_for_change(LocalPlan, local_plan_id, version, "local plan", action="submit")
    if local_plan.status not in EDITABLE:
        fail(INVALID_STATE, status_text("review.not_submittable", "local plan", local_plan.status), "id")
    found, _ = await findings(ctx, local_plan)
    if found:
        raise UserInputError(*(Problem(f.code, f.message, f.path or None) for f in found))
    local_plan.status = ReviewStatus.SUBMITTED
    local_plan.submitted_at = _now()
    await emit(ctx, "local_plan.submitted", local_plan.municipality_id, "LocalPlan", local_plan)
    return local_plan


async def decide_local_plan(
    ctx: ServiceContext, local_plan_id: uuid.UUID, version: int, *, approve: bool, comment: str | None
) -> LocalPlan:
    action = "approve" if approve else "return"
    local_plan = await ctx.load_for_change(LocalPlan, local_plan_id, version, "local plan", action=action)
    if local_plan.status not in DECIDABLE[action]:
        fail(INVALID_STATE, status_text(f"review.cannot_{action}", "local plan", local_plan.status), "id")
    checker = Checker()
    comment = checker.text(comment, "comment", max_length=TEXT_MAX, required=not approve)
    checker.raise_if_any()
    local_plan.status = DONE[action]
    local_plan.decided_at = _now()
    local_plan.comment = comment  # this decision's comment; earlier ones stay in the history
    await emit(ctx, f"local_plan.{local_plan.status}", local_plan.municipality_id, "LocalPlan", local_plan)
    return local_plan
