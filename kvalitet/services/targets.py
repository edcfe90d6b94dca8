"""Which municipality and unit a row belongs to, for the access policy (`kvalitet.access.actor.Target`).

Whose a row is comes from the ownership map (`kvalitet.access.ownership`); what is added here is the
unit's own setting that access depends on (whether staff may edit its drafts).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kvalitet.access.actor import Target
from kvalitet.access.ownership import OWNERSHIP, Owned, is_public, parent_ref
from kvalitet.models import Unit


async def target_of(session: AsyncSession, row) -> Target:
    """The target of any owned row; parents are read through the session's identity map.
    TypeError for a row that is no one's (or whose parent is gone)."""
    rule = OWNERSHIP.get(type(row))
    if rule is None:
        raise TypeError(f"no access target for {type(row).__name__}")
    if not isinstance(rule, Owned):
        ref = parent_ref(row)
        parent = await session.get(*ref) if ref is not None else None
        if parent is None:
            raise TypeError(f"no access target for {type(row).__name__} without its parent")
        return await target_of(session, parent)
    municipality_id = getattr(row, rule.municipality) if rule.municipality else None
    unit_id = getattr(row, rule.unit) if rule.unit else None
    if isinstance(row, Unit):
        staff_may_edit = row.staff_may_edit
    else:
        unit = await session.get(Unit, unit_id) if unit_id is not None else None
        staff_may_edit = unit is not None and unit.staff_may_edit
    return Target(municipality_id, unit_id, public=is_public(row), staff_may_edit=staff_may_edit)


__all__ = ["target_of"]
