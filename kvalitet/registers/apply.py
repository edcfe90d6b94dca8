"""Step 3, apply: carry the plan's actions out through the unit services, so the access rules
are asked and the change log records every change, in the caller's one transaction."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kvalitet.services.context import ServiceContext
from kvalitet.registers.parse import Parsed
from kvalitet.registers.plan import ARCHIVE, CREATE, UPDATE, Action, ImportPlan, plan_import


async def apply_actions(ctx: ServiceContext, actions: Iterable[Action]) -> None:
    """Carry out the actions through the services (access rules, events, change log)."""
    for action in actions:
        await apply_action(ctx, action)


async def apply_action(ctx: ServiceContext, action: Action) -> None:
    from kvalitet.services.units import UnitChanges, archive_unit, create_unit, update_unit

    unit = action.unit
    if action.verb == CREATE:
        assert action.municipality_id is not None  # the plan names where a new unit goes
        changes = UnitChanges(name=unit.name, kind=unit.kind, org_number=unit.org_number, ownership=unit.ownership)
        await create_unit(ctx, action.municipality_id, changes)
    elif action.verb == UPDATE:
        assert action.unit_id is not None and action.version is not None  # the unit here, as read
        changes = UnitChanges(**{name: new for name, (_, new) in action.changes.items()})
        await update_unit(ctx, action.unit_id, action.version, changes)
    elif action.verb == ARCHIVE:
        assert action.unit_id is not None and action.version is not None
        await archive_unit(ctx, action.unit_id, action.version)


def _no_progress(actions: list[Action]):
    return contextlib.nullcontext(actions)


async def import_units(
    ctx: ServiceContext,
    parsed: Parsed,
    *,
    dry_run: bool = False,
    progress: Callable[[list[Action]], contextlib.AbstractContextManager[Iterable[Action]]] = _no_progress,
) -> ImportPlan:
    """Plan the import and, unless `dry_run`, carry it out in `ctx`'s transaction."""
    plan = await plan_import(ctx, parsed)
    if not dry_run:
        with progress(plan.writes) as actions:
            await apply_actions(ctx, actions)
    return plan
