"""The rules' picture of a local plan (`LocalPlanView`): its unit's kind, its plan's areas, and
its goals, actions and sections; for one plan, or for a page of plans in the same few statements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kvalitet.models import Area, LocalAction, LocalGoal, LocalPlan, LocalPlanSection, Municipality, Plan, Unit
from kvalitet.plugins.rules import AreaRef, LocalActionView, LocalGoalView, LocalPlanView, SectionView
from kvalitet.services.context import ServiceContext


async def view_of(ctx: ServiceContext, local_plan: LocalPlan) -> tuple[str | None, LocalPlanView, Targets]:
    """The profile code and the rules' picture of `local_plan`, and what its findings point at."""
    return (await views_of(ctx.session, [local_plan]))[local_plan.id]


@dataclass(frozen=True)
class Targets:
    """What a finding's path (`goals/2/area`, `areas/<key>/sections/<key>` …) points at: the rows
    behind a view's goals, actions and sections, by their place in it, and the areas by key."""

    area_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    goal_ids: tuple[uuid.UUID, ...] = ()
    action_ids: tuple[uuid.UUID, ...] = ()
    section_keys: tuple[str, ...] = ()

    def of(self, path: str) -> dict[str, Any]:
        """The ids a path names: `area_id`, `local_goal_id`, `action_id` and `section_key`."""
        found: dict[str, Any] = {}
        parts = path.split("/")
        for name, value in zip(parts, parts[1:], strict=False):
            index = int(value) if value.isdigit() else None
            if name == "areas" and value in self.area_ids:
                found["area_id"] = self.area_ids[value]
            elif name == "goals" and index is not None and index < len(self.goal_ids):
                found["local_goal_id"] = self.goal_ids[index]
            elif name == "actions" and index is not None and index < len(self.action_ids):
                found["action_id"] = self.action_ids[index]
            elif name == "sections" and index is None:
                found["section_key"] = value  # a section by its key (one not written yet)
            elif name == "sections" and index is not None and index < len(self.section_keys):
                found["section_key"] = self.section_keys[index]
        return found


class LocalPlanRef(Protocol):
    """What a local plan's view is computed from: its row, or the GraphQL type's fields."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def unit_id(self) -> uuid.UUID: ...
    @property
    def plan_id(self) -> uuid.UUID: ...


async def views_of(
    session: AsyncSession, local_plans: Sequence[LocalPlanRef]
) -> dict[uuid.UUID, tuple[str | None, LocalPlanView, Targets]]:
    """`view_of` many local plans in the same few statements as one: the units' kinds, the plans'
    profiles and areas, and the local plans' goals, actions and sections (by local plan id)."""
    if not local_plans:
        return {}
    ids = [lp.id for lp in local_plans]
    kinds = dict(
        (await session.execute(select(Unit.id, Unit.kind).where(Unit.id.in_({lp.unit_id for lp in local_plans})))).all()
    )
    plan_ids = {lp.plan_id for lp in local_plans}
    profile_of = dict(
        (
            await session.execute(
                select(Plan.id, Municipality.profile_code)
                .join(Municipality, Municipality.id == Plan.municipality_id)
                .where(Plan.id.in_(plan_ids))
            )
        ).all()
    )
    areas = (
        await session.scalars(select(Area).where(Area.plan_id.in_(plan_ids)).order_by(Area.plan_id, Area.position))
    ).all()
    key_of: dict[uuid.UUID | None, str] = {a.id: a.key or str(a.id) for a in areas}
    refs: dict[uuid.UUID, list[AreaRef]] = {}
    for a in areas:
        refs.setdefault(a.plan_id, []).append(
            AreaRef(key_of[a.id], a.kind, a.title, tuple(a.applies_to), key_of.get(a.parent_id))
        )

    async def rows(model: type[LocalGoal] | type[LocalAction] | type[LocalPlanSection]) -> dict[uuid.UUID, list[Any]]:
        found: dict[uuid.UUID, list[Any]] = {}
        statement = select(model.local_plan_id, model).where(model.local_plan_id.in_(ids))
        for local_plan_id, row in await session.execute(statement.order_by(model.local_plan_id, model.position)):
            found.setdefault(local_plan_id, []).append(row)
        return found

    goals, actions, sections = await rows(LocalGoal), await rows(LocalAction), await rows(LocalPlanSection)
    goal_area = {g.id: g.area_id for found in goals.values() for g in found}

    def area_of(action: LocalAction) -> uuid.UUID | None:
        """The action's area: its own, else its goal's (an action for a goal is in the goal's area)."""
        return action.area_id or goal_area.get(action.local_goal_id)

    return {
        lp.id: (
            profile_of.get(lp.plan_id),
            LocalPlanView(
                unit_kind=kinds[lp.unit_id],
                areas=tuple(refs.get(lp.plan_id, [])),
                goals=tuple(LocalGoalView(key_of.get(g.area_id), g.text, g.perspective) for g in goals.get(lp.id, [])),
                actions=tuple(
                    LocalActionView(a.text, key_of.get(area_of(a)), a.owner, a.deadline, a.status)
                    for a in actions.get(lp.id, [])
                ),
                sections=tuple(SectionView(s.key, s.text, key_of.get(s.area_id)) for s in sections.get(lp.id, [])),
            ),
            Targets(
                area_ids={key_of[a.id]: a.id for a in areas if a.plan_id == lp.plan_id},
                goal_ids=tuple(g.id for g in goals.get(lp.id, [])),
                action_ids=tuple(a.id for a in actions.get(lp.id, [])),
                section_keys=tuple(s.key for s in sections.get(lp.id, [])),
            ),
        )
        for lp in local_plans
    }
