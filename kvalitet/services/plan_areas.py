"""A plan's areas as the profile's rules see them (`AreaRef`s in plan order, and each area's key),
read in one statement for many plans, and kept for frozen plans: an adopted or archived plan's
areas never change (`plan_structure` refuses it), and reports and local plans are written only
on adopted plans, so checking one before submitting it does not read its plan again."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kvalitet.infra.caches import LRUCache
from kvalitet.models import Area, Plan
from kvalitet.models.enums import PlanStatus
from kvalitet.plugins.rules import AreaRef

FROZEN = (PlanStatus.ADOPTED, PlanStatus.ARCHIVED)


@dataclass(frozen=True)
class PlanAreas:
    """One plan's areas: as the rules see them, and their keys by id (an area without a key is
    known by its id)."""

    refs: tuple[AreaRef, ...]
    key_of: dict[uuid.UUID, str]

    @property
    def id_of(self) -> dict[str, uuid.UUID]:
        return {key: id_ for id_, key in self.key_of.items()}


_FROZEN: LRUCache[PlanAreas] = LRUCache(256)


async def plan_areas(session: AsyncSession, plan_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, PlanAreas]:
    """The areas of each plan, by plan id: frozen plans' from memory, the others' in one statement."""
    found: dict[uuid.UUID, PlanAreas] = {}
    wanted = set()
    for plan_id in set(plan_ids):
        cached = _FROZEN.get(plan_id)
        if cached is not None:
            found[plan_id] = cached
        else:
            wanted.add(plan_id)
    if not wanted:
        return found
    rows = (
        await session.execute(
            select(Plan.id, Plan.status, Area.id, Area.key, Area.kind, Area.title, Area.applies_to, Area.parent_id)
            .outerjoin(Area, Area.plan_id == Plan.id)
            .where(Plan.id.in_(wanted))
            .order_by(Plan.id, Area.position)
        )
    ).all()
    by_plan: dict[uuid.UUID, list] = {}
    status: dict[uuid.UUID, str] = {}
    for row in rows:
        status[row[0]] = row[1]
        if row[2] is not None:
            by_plan.setdefault(row[0], []).append(row)
    for plan_id in status:
        areas = by_plan.get(plan_id, [])
        key_of = {row[2]: row[3] or str(row[2]) for row in areas}
        refs = tuple(
            AreaRef(key_of[row[2]], row[4], row[5], tuple(row[6]), key_of.get(row[7]) if row[7] else None)
            for row in areas
        )
        found[plan_id] = PlanAreas(refs, key_of)
        if status[plan_id] in FROZEN:
            _FROZEN.put(plan_id, found[plan_id])
    return found
