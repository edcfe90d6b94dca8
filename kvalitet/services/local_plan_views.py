"""The rules' picture of a local plan (`LocalPlanView`): its unit's kind, its plan's areas, and
its goals, actions and sections; for one plan, or for a page of plans in the same few statements."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import JSON, func, select, type_coerce
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from kvalitet.models import LocalAction, LocalGoal, LocalPlan, LocalPlanSection, Municipality, Unit
from kvalitet.plugins.rules import LocalActionView, LocalGoalView, LocalPlanView, SectionView
from kvalitet.services.context import ServiceContext
from kvalitet.services.plan_areas import plan_areas


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
    plan_ids = {lp.plan_id for lp in local_plans}
    # One statement for the local plans' units' kinds, profiles, goals, actions and sections (as
    # JSON rows in position order), and one for their plans' areas (none for a frozen plan's).
    found = {
        row.id: row
        for row in await session.execute(
            select(
                LocalPlan.id,
                Unit.kind,
                Municipality.profile_code,
                _rows_of(LocalGoal, "goals", "id", "area_id", "text", "perspective"),
                _rows_of(
                    LocalAction, "actions", "id", "area_id", "local_goal_id", "text", "owner", "deadline", "status"
                ),
                _rows_of(LocalPlanSection, "sections", "key", "text", "area_id"),
            )
            .join(Unit, Unit.id == LocalPlan.unit_id)
            .join(Municipality, Municipality.id == LocalPlan.municipality_id)
            .where(LocalPlan.id.in_(ids))
        )
    }
    areas = await plan_areas(session, plan_ids)
    key_of: dict[uuid.UUID, str] = {id_: key for a in areas.values() for id_, key in a.key_of.items()}

    def key(area_id: str | None) -> str | None:
        return key_of.get(uuid.UUID(area_id)) if area_id else None

    def view(lp: LocalPlanRef) -> tuple[str | None, LocalPlanView, Targets]:
        row = found[lp.id]
        goals, actions, sections = row.goals, row.actions, row.sections
        goal_area = {g[0]: g[1] for g in goals}
        return (
            row.profile_code,
            LocalPlanView(
                unit_kind=row.kind,
                areas=areas[lp.plan_id].refs,
                goals=tuple(LocalGoalView(key(area_id), text, perspective) for _, area_id, text, perspective in goals),
                actions=tuple(
                    # An action for a goal is in the goal's area.
                    LocalActionView(
                        text,
                        key(area_id or goal_area.get(goal_id)),
                        owner,
                        dt.date.fromisoformat(deadline) if deadline else None,
                        status,
                    )
                    for _, area_id, goal_id, text, owner, deadline, status in actions
                ),
                sections=tuple(SectionView(section_key, text, key(area_id)) for section_key, text, area_id in sections),
            ),
            Targets(
                area_ids=areas[lp.plan_id].id_of,
                goal_ids=tuple(uuid.UUID(g[0]) for g in goals),
                action_ids=tuple(uuid.UUID(a[0]) for a in actions),
                section_keys=tuple(s[0] for s in sections),
            ),
        )

    return {lp.id: view(lp) for lp in local_plans}


def _rows_of(model: type[LocalGoal] | type[LocalAction] | type[LocalPlanSection], name: str, *columns: str) -> Any:
    """The local plan's rows of `model` in position order, each a JSON array of `columns`, as `name`."""
    table = model.__table__
    rows = func.json_agg(aggregate_order_by(func.json_build_array(*(table.c[c] for c in columns)), table.c.position))
    return (
        select(type_coerce(func.coalesce(rows, sql_text("'[]'::json")), JSON))
        .where(table.c.local_plan_id == LocalPlan.id)
        .scalar_subquery()
        .label(name)
    )
