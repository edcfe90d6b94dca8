"""Editing a draft plan's structure: areas (a tree), goals, criteria and measures.

Adopted plans are frozen. Order is kept in `position` columns: areas carry a plan-wide
depth-first position (so "every area of a kind, in plan order" is one indexed scan), the other
items a position among their siblings. Every move renumbers what it has to and no more.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

from sqlalchemy import ColumnElement, select

from kvalitet import messages
from kvalitet.messages import kinds as plural_of
from kvalitet.messages import text
from kvalitet.models import Area, Criterion, Goal, Measure, Municipality, NationalGoal, Plan
from kvalitet.models.enums import PlanStatus, UnitKind
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import DUPLICATE, INVALID_STATE, INVALID_VALUE, NOT_FOUND, REQUIRED, fail
from kvalitet.services.units import UNSET, Unset
from kvalitet.services.validation import KEY_MAX, TEXT_MAX, TITLE_MAX, Checker

# What lies in an ordered list under an area (criteria also under a goal).
PlanItem = Goal | Criterion | Measure

_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


async def _draft_plan(ctx: ServiceContext, plan_id: uuid.UUID, field_name: str = "planId") -> Plan:
    plan = await ctx.load(Plan, plan_id, "plan", action="update", field_name=field_name)
    if plan.status != PlanStatus.DRAFT:
        fail(INVALID_STATE, text("plan.frozen", status=messages.status(plan.status)), field_name)
    return plan


async def _profile_of(ctx: ServiceContext, plan: Plan) -> str | None:
    municipality = await ctx.session.get(Municipality, plan.municipality_id)
    return municipality.profile_code if municipality else None


async def _check_area_kind(ctx: ServiceContext, checker: Checker, plan: Plan, kind: str) -> None:
    code = await _profile_of(ctx, plan)
    vocabulary = ctx.profiles.vocabulary(code) if code else None
    if vocabulary is not None:
        checker.check(
            kind in vocabulary.area_kinds,
            INVALID_VALUE,
            text("area.unknown_kind", kind=kind, known=", ".join(vocabulary.area_kinds)),
            "kind",
        )
    else:
        checker.check(bool(_KIND.match(kind)), INVALID_VALUE, text("area.kind_format"), "kind")


def _check_applies_to(checker: Checker, applies_to: list[str], plan: Plan) -> None:
    if not applies_to:
        checker.add(INVALID_VALUE, text("area.no_unit_kind"), "appliesTo")
    kinds = UnitKind.values()
    unknown = [k for k in applies_to if k not in kinds]
    outside = [k for k in applies_to if k in kinds and k not in plan.applies_to]
    if unknown:
        checker.add(INVALID_VALUE, text("area.unknown_unit_kinds", unknown=", ".join(unknown)), "appliesTo")
    for kind in outside:
        checker.add(INVALID_VALUE, text("area.outside_plan", kinds=plural_of(kind)), "appliesTo")


async def _areas_of(ctx: ServiceContext, plan_id: uuid.UUID) -> list[Area]:
    return list((await ctx.session.scalars(select(Area).where(Area.plan_id == plan_id).order_by(Area.position))).all())


async def _renumber_areas(
    ctx: ServiceContext, plan_id: uuid.UUID, placed: Area | None = None, index: int | None = None
) -> None:
    """Give every area of the plan its depth-first position; `placed` (new, or moved) goes to
    `index` among its siblings (the end when None). A new area is added to the session here,
    with its final position, so its creation is recorded once and right."""
    areas = await _areas_of(ctx, plan_id)
    if placed is not None and placed not in areas:
        areas.append(placed)
    children: dict[uuid.UUID | None, list[Area]] = defaultdict(list)
    for area in areas:
        if area is not placed:
            children[area.parent_id].append(area)
    if placed is not None:
        siblings = children[placed.parent_id]
        siblings.insert(len(siblings) if index is None else max(0, min(index, len(siblings))), placed)
    counter = iter(range(len(areas)))

    def walk(parent_id: uuid.UUID | None) -> None:
        for area in children.get(parent_id, []):
            position = next(counter)
            if area.position != position:
                area.position = position
            walk(area.id)

    walk(None)
    if placed is not None and placed not in ctx.session:
        ctx.session.add(placed)
    await ctx.session.flush()


def _check_position(position: int | None) -> None:
    if position is not None and position < 0:
        fail(INVALID_VALUE, text("area.position_negative"), "position")


def _slug(title: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})
    slug = re.sub(r"[^a-z0-9]+", "-", title.translate(table).lower()).strip("-")
    return (slug or "omrade")[:60]


@dataclass
class AreaChanges:
    kind: str | None | Unset = UNSET  # None: refused (REQUIRED)
    title: str | None | Unset = UNSET
    description: str | None | Unset = UNSET
    applies_to: list[str] | None | Unset = UNSET  # None: none, refused
    key: str | None | Unset = UNSET  # None: left as it is


async def _apply_area_changes(ctx: ServiceContext, plan: Plan, area: Area | None, changes: AreaChanges) -> dict:
    checker = Checker()
    values: dict = {}
    if changes.kind is not UNSET:
        if changes.kind is None:
            checker.add(REQUIRED, text("input.required", field="kind"), "kind")
        else:
            await _check_area_kind(ctx, checker, plan, changes.kind)
        values["kind"] = changes.kind
    if changes.title is not UNSET:
        values["title"] = checker.text(changes.title, "title", max_length=TITLE_MAX)
    if changes.applies_to is not UNSET and changes.applies_to is None:
        changes.applies_to = []
    if changes.description is not UNSET:
        values["description"] = checker.text(changes.description, "description", max_length=TEXT_MAX, required=False)
    if changes.applies_to is not UNSET:
        _check_applies_to(checker, list(changes.applies_to), plan)
        values["applies_to"] = list(dict.fromkeys(changes.applies_to))
    if changes.key is not UNSET and changes.key is not None:
        checker.check(bool(_KEY.match(changes.key)), INVALID_VALUE, text("area.key_format"), "key")
        values["key"] = changes.key
    checker.raise_if_any()
    key = values.get("key")
    if key is not None:
        clash = await ctx.session.scalar(select(Area.id).where(Area.plan_id == plan.id, Area.key == key))
        if clash is not None and (area is None or clash != area.id):
            fail(DUPLICATE, text("area.key_taken", key=key), "key")
    return values


async def add_area(
    ctx: ServiceContext, plan_id: uuid.UUID, parent_id: uuid.UUID | None, changes: AreaChanges, position: int | None
) -> Area:
    plan = await _draft_plan(ctx, plan_id)
    _check_position(position)
    parent = None
    if parent_id is not None:
        parent = await ctx.load(Area, parent_id, "parent area", field_name="parentId")
        if parent.plan_id != plan.id:
            fail(NOT_FOUND, text("area.no_parent"), "parentId")
    if changes.applies_to is UNSET:
        changes.applies_to = list(parent.applies_to if parent else plan.applies_to)
    values = await _apply_area_changes(ctx, plan, None, changes)
    if "key" not in values:
        base = _slug(values["title"])
        key, n = base, 1
        while await ctx.session.scalar(select(Area.id).where(Area.plan_id == plan.id, Area.key == key)):
            n += 1
            key = f"{base}-{n}"[:KEY_MAX]
        values["key"] = key
    await ctx.authorize("create", Area, plan)
    area = Area(id=uuid.uuid4(), plan_id=plan.id, parent_id=parent.id if parent else None, position=-1, **values)
    await _renumber_areas(ctx, plan.id, area, position)
    return area


async def update_area(ctx: ServiceContext, area_id: uuid.UUID, version: int, changes: AreaChanges) -> Area:
    area = await ctx.load_for_change(Area, area_id, version, "area")
    plan = await _draft_plan(ctx, area.plan_id, "id")
    for key, value in (await _apply_area_changes(ctx, plan, area, changes)).items():
        setattr(area, key, value)
    await ctx.session.flush()
    return area


async def move_area(
    ctx: ServiceContext, area_id: uuid.UUID, version: int, parent_id: uuid.UUID | None, position: int | None
) -> Area:
    area = await ctx.load_for_change(Area, area_id, version, "area")
    plan = await _draft_plan(ctx, area.plan_id, "id")
    if parent_id is not None:
        parent = await ctx.load(Area, parent_id, "parent area", field_name="parentId")
        if parent.plan_id != plan.id:
            fail(NOT_FOUND, text("area.no_parent"), "parentId")
        by_id: dict[uuid.UUID | None, Area] = {a.id: a for a in await _areas_of(ctx, plan.id)}
        ancestor: Area | None = parent
        while ancestor is not None:
            if ancestor.id == area.id:
                fail(INVALID_VALUE, text("area.below_itself"), "parentId")
            ancestor = by_id.get(ancestor.parent_id)
    _check_position(position)
    area.parent_id = parent_id
    await _renumber_areas(ctx, plan.id, area, position)
    return area


async def remove_area(ctx: ServiceContext, area_id: uuid.UUID, version: int) -> Area:
    """Remove the area with everything below it, each row by the ORM so the log records it."""
    area = await ctx.load_for_change(Area, area_id, version, "area", action="delete")
    plan = await _draft_plan(ctx, area.plan_id, "id")
    areas = await _areas_of(ctx, plan.id)
    doomed = {area.id}
    for candidate in areas:  # depth-first order: a parent comes before its children
        if candidate.parent_id in doomed:
            doomed.add(candidate.id)
    session = ctx.session
    goals = (await session.scalars(select(Goal).where(Goal.area_id.in_(doomed)))).all()
    goal_ids = [g.id for g in goals]
    criteria = (
        await session.scalars(select(Criterion).where(Criterion.area_id.in_(doomed) | Criterion.goal_id.in_(goal_ids)))
    ).all()
    measures = (await session.scalars(select(Measure).where(Measure.area_id.in_(doomed)))).all()
    for row in (*criteria, *measures, *goals):
        await session.delete(row)
    await session.flush()
    for doomed_area in sorted((a for a in areas if a.id in doomed), key=lambda a: -a.position):
        await session.delete(doomed_area)
        await session.flush()  # children first: the tree's own foreign key
    await _renumber_areas(ctx, plan.id)
    return area


# -- Goals, criteria and measures: items in an ordered list under an area (or a goal) ----------


def _siblings(row: PlanItem) -> ColumnElement[bool]:
    if isinstance(row, Criterion):
        return Criterion.goal_id == row.goal_id if row.goal_id else Criterion.area_id == row.area_id
    return type(row).area_id == row.area_id


async def _in_order(ctx: ServiceContext, row: PlanItem) -> list[PlanItem]:
    """The stored rows among `row`'s siblings (itself too, once stored), by position."""
    model = type(row)
    found = (await ctx.session.scalars(select(model).where(_siblings(row)).order_by(model.position))).all()
    # select() of a class of the union is typed by the classes' common base; the rows are `model`'s.
    return cast(list[PlanItem], list(found))


async def _place(ctx: ServiceContext, row: PlanItem, index: int | None) -> None:
    """Put `row` (new, or moved) at `index` among its siblings (the end when None) and number
    them; a new row is added here, with its final position."""
    siblings = [r for r in await _in_order(ctx, row) if r is not row]
    siblings.insert(len(siblings) if index is None else max(0, min(index, len(siblings))), row)
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
    if row not in ctx.session:
        ctx.session.add(row)
    await ctx.session.flush()


async def _area_in_draft(ctx: ServiceContext, area_id: uuid.UUID | None, field_name: str) -> Area:
    area = await ctx.load(Area, area_id, "area", action="update", field_name=field_name)
    await _draft_plan(ctx, area.plan_id, field_name)
    return area


async def _item_in_draft(
    ctx: ServiceContext, model: type[PlanItem], item_id: uuid.UUID, version: int, what: str, action: str
) -> tuple[PlanItem, Area]:
    row = await ctx.load_for_change(model, item_id, version, what, action=action)
    area_id = row.area_id
    if area_id is None:  # a criterion of a goal
        assert isinstance(row, Criterion) and row.goal_id is not None  # (the table's check)
        area_id = (await ctx.session.get_one(Goal, row.goal_id)).area_id
    area = await ctx.session.get_one(Area, area_id)
    await _draft_plan(ctx, area.plan_id, "id")
    return row, area


async def _perspective(ctx: ServiceContext, checker: Checker, area: Area, perspective: str | None) -> str | None:
    if perspective is None:
        return None
    plan = await ctx.session.get_one(Plan, area.plan_id)
    code = await _profile_of(ctx, plan)
    keys = [p.key for p in ctx.profiles.perspectives(code)] if code else []
    checker.check(
        perspective in keys,
        INVALID_VALUE,
        text("plan.not_a_perspective", perspective=perspective, known=", ".join(keys) or "–"),
        "perspective",
    )
    return perspective


@dataclass
class ItemChanges:
    text: str | None | Unset = UNSET
    kind: str | None | Unset = UNSET
    perspective: str | None | Unset = UNSET
    national_goal_id: uuid.UUID | None | Unset = UNSET
    owner: str | None | Unset = UNSET
    deadline: dt.date | None | Unset = UNSET
    partner: str | None | Unset = UNSET
    target_group: str | None | Unset = UNSET


async def _item_values(ctx: ServiceContext, model: type[PlanItem], area: Area, changes: ItemChanges) -> dict:
    checker = Checker()
    values: dict = {}
    if changes.text is not UNSET:
        values["text"] = checker.text(changes.text, "text", max_length=TEXT_MAX)
    if model is Goal and changes.kind is not UNSET:
        checker.check(bool(_KIND.match(changes.kind or "")), INVALID_VALUE, text("area.kind_format"), "kind")
        values["kind"] = changes.kind
    if model is Goal and changes.national_goal_id is not UNSET:
        if (
            changes.national_goal_id is not None
            and await ctx.session.get(NationalGoal, changes.national_goal_id) is None
        ):
            checker.add(NOT_FOUND, text("plan.no_national_goal"), "nationalGoalId")
        values["national_goal_id"] = changes.national_goal_id
    if model is Criterion and changes.perspective is not UNSET:
        values["perspective"] = await _perspective(ctx, checker, area, changes.perspective)
    if model is Measure:
        for name, field_name in (("owner", "owner"), ("partner", "partner"), ("target_group", "targetGroup")):
            value = getattr(changes, name)
            if value is not UNSET:
                values[name] = checker.text(value, field_name, max_length=TITLE_MAX, required=False)
        if changes.deadline is not UNSET:
            values["deadline"] = changes.deadline
    checker.raise_if_any()
    return values


async def add_item(
    ctx: ServiceContext,
    model: type[PlanItem],
    *,
    area_id: uuid.UUID | None,
    goal_id: uuid.UUID | None = None,
    changes: ItemChanges,
    position: int | None,
) -> PlanItem:
    """Add a goal, criterion or measure. A criterion belongs to a goal or to an area."""
    _check_position(position)
    if model is Criterion and (area_id is None) == (goal_id is None):
        fail(INVALID_VALUE, text("plan.criterion_parent"), "areaId")
    if goal_id is not None:
        goal = await ctx.load(Goal, goal_id, "goal", action="update", field_name="goalId")
        area = await _area_in_draft(ctx, goal.area_id, "goalId")
    else:
        area = await _area_in_draft(ctx, area_id, "areaId")
    values = await _item_values(ctx, model, area, changes)
    await ctx.authorize("create", model, area)
    row: PlanItem
    if model is Criterion:
        row = Criterion(area_id=None if goal_id else area.id, goal_id=goal_id, position=-1, **values)
    else:
        row = model(area_id=area.id, position=-1, **values)
    await _place(ctx, row, position)
    return row


async def update_item(
    ctx: ServiceContext,
    model: type[PlanItem],
    item_id: uuid.UUID,
    version: int,
    changes: ItemChanges,
    position: int | None,
) -> PlanItem:
    row, area = await _item_in_draft(ctx, model, item_id, version, model.__name__.lower(), "update")
    for key, value in (await _item_values(ctx, model, area, changes)).items():
        setattr(row, key, value)
    await ctx.session.flush()
    if position is not None:
        _check_position(position)
        await _place(ctx, row, position)
    return row


async def remove_item(ctx: ServiceContext, model: type[PlanItem], item_id: uuid.UUID, version: int) -> PlanItem:
    row, _ = await _item_in_draft(ctx, model, item_id, version, model.__name__.lower(), "delete")
    if model is Goal:
        for criterion in (await ctx.session.scalars(select(Criterion).where(Criterion.goal_id == row.id))).all():
            await ctx.session.delete(criterion)
    await ctx.session.delete(row)
    await ctx.session.flush()
    for position, sibling in enumerate(await _in_order(ctx, row)):
        if sibling.position != position:
            sibling.position = position
    await ctx.session.flush()
    return row
