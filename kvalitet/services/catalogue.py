"""The national sector goals, shipped with the core and kept in the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kvalitet.models import NationalGoal
from kvalitet.plugins.content import load_national_goals


async def sync_national_goals(session: AsyncSession) -> int:
    """Insert or update the catalogue from the shipped file; returns how many rows changed."""
    existing = {row.key: row for row in (await session.scalars(select(NationalGoal))).all()}
    changed = 0
    for position, goal in enumerate(load_national_goals()):
        row = existing.get(goal.key)
        if row is None:
            session.add(NationalGoal(key=goal.key, sector=goal.sector, text=goal.text, position=position))
            changed += 1
        elif (row.sector, row.text, row.position) != (goal.sector, goal.text, position):
            row.sector, row.text, row.position = goal.sector, goal.text, position
            changed += 1
    await session.flush()
    return changed
