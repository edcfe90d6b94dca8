"""Step 2, plan: compare the register's units with the database's, giving an `ImportPlan` of
actions (create, update, archive, unchanged) and further rejections; writes nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kvalitet.services.context import ServiceContext
from kvalitet.registers.parse import (
    ARCHIVED_HERE,
    ELSEWHERE,
    INACTIVE,
    OTHER_KIND,
    UNKNOWN_MUNICIPALITY,
    Parsed,
    RegisterUnit,
    Rejected,
    rejected_unit,
)

# What happens to a unit.
CREATE, UPDATE, ARCHIVE, UNCHANGED = "create", "update", "archive", "unchanged"


WRITES = (CREATE, UPDATE, ARCHIVE)


# Changes compared on a re-import. The kind is not among them: a unit of another kind here is
# skipped instead (see `_plan_known`).
_COMPARED = ("name", "ownership")


# Org numbers per query, well under PostgreSQL's limit of bind parameters.
_BATCH = 1000


@dataclass(frozen=True)
class Action:
    """What the import does for one register unit."""

    verb: str  # create | update | archive | unchanged
    unit: RegisterUnit
    municipality_id: uuid.UUID | None = None  # where a new unit goes
    unit_id: uuid.UUID | None = None  # the unit here
    version: int | None = None  # as read, so a change made meanwhile is refused
    changes: dict[str, tuple] = field(default_factory=dict)  # field → (here, in the register)


@dataclass
class ImportPlan:
    actions: list[Action] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def of(self, verb: str) -> list[Action]:
        return [action for action in self.actions if action.verb == verb]

    @property
    def writes(self) -> list[Action]:
        return [action for action in self.actions if action.verb in WRITES]


async def plan_import(ctx: ServiceContext, parsed: Parsed) -> ImportPlan:
    """Compare the register's units with the database's; writes nothing."""
    municipalities = await _municipality_ids(ctx, {unit.municipality_number for unit in parsed.units})
    known = await _units_by_org_number(ctx, [unit.org_number for unit in parsed.units])
    plan = ImportPlan(rejected=list(parsed.rejected))
    for unit in parsed.units:
        outcome = _plan_unit(unit, known.get(unit.org_number), municipalities)
        if isinstance(outcome, Action):
            plan.actions.append(outcome)
        else:
            plan.rejected.append(outcome)
    return plan


async def _municipality_ids(ctx: ServiceContext, numbers: set[str]) -> dict[str, uuid.UUID]:
    """The municipalities here by the numbers the register gives, a former number (before a
    merger or the county reform, as the municipality's profile lists them) included: the
    registers may still list a unit under the number it had."""
    from sqlalchemy import select

    from kvalitet.models import Municipality

    current = {}  # a former number → the number its profile serves now (only when it names one)
    for number in numbers:
        profile = ctx.profiles.for_municipality(number)
        if profile is not None and number in profile.municipality_aliases and len(profile.municipality_numbers) == 1:
            current[number] = list(profile.municipality_numbers)
    asked = numbers | {n for now in current.values() for n in now}
    rows = await ctx.session.execute(
        select(Municipality.number, Municipality.id).where(Municipality.number.in_(sorted(asked)))
    )
    here = {number: id_ for number, id_ in rows}
    found = {number: here[number] for number in numbers if number in here}
    for former, now in current.items():
        match = next((here[n] for n in now if n in here), None)
        if former not in found and match is not None:
            found[former] = match
    return found


async def _units_by_org_number(ctx: ServiceContext, org_numbers: list[str]) -> dict[str, tuple]:
    """org number → (the unit, its municipality's number), for the units the actor may see."""
    from sqlalchemy import select

    from kvalitet.models import Municipality, Unit

    found: dict[str, tuple] = {}
    for start in range(0, len(org_numbers), _BATCH):
        statement = (
            select(Unit, Municipality.number)
            .join(Municipality, Unit.municipality_id == Municipality.id)
            .where(Unit.org_number.in_(org_numbers[start : start + _BATCH]))
        )
        rows = await ctx.session.execute(ctx.policy.scope(ctx.actor, Unit, statement))
        found.update((unit.org_number, (unit, number)) for unit, number in rows)
    return found


def _plan_unit(unit: RegisterUnit, known: tuple | None, municipalities: dict[str, uuid.UUID]) -> Action | Rejected:
    if known is None:
        return _plan_new(unit, municipalities)
    here, number = known
    return _plan_known(unit, here, number, municipalities)


def _plan_new(unit: RegisterUnit, municipalities: dict[str, uuid.UUID]) -> Action | Rejected:
    municipality_id = municipalities.get(unit.municipality_number)
    if municipality_id is None:
        return rejected_unit(unit, UNKNOWN_MUNICIPALITY, f"municipality {unit.municipality_number}")
    if not unit.active:
        return rejected_unit(unit, INACTIVE, "closed in the register before it came here")
    return Action(CREATE, unit, municipality_id=municipality_id)


def _plan_known(
    unit: RegisterUnit, here, municipality_number: str, municipalities: dict[str, uuid.UUID]
) -> Action | Rejected:
    # A move between municipalities, or a kind the municipality chose (an SFO may carry its
    # school's number), is a person's decision, not the register's: report, do not touch. A
    # former number of the unit's own municipality is no move.
    if municipalities.get(unit.municipality_number) != here.municipality_id:
        return rejected_unit(
            unit, ELSEWHERE, f"municipality {municipality_number} here, {unit.municipality_number} in the register"
        )
    if here.kind != unit.kind:
        return rejected_unit(unit, OTHER_KIND, f"a {here.kind} here, a {unit.kind} in the register")
    known = {"unit_id": here.id, "version": here.version}
    if not unit.active:
        return Action(UNCHANGED if here.archived_at is not None else ARCHIVE, unit, **known)
    if here.archived_at is not None:
        # There is no service to bring an archived unit back; that is done by hand.
        return rejected_unit(unit, ARCHIVED_HERE, "archived here, but active in the register")
    changes = _differences(here, unit)
    return Action(UPDATE if changes else UNCHANGED, unit, changes=changes, **known)


def _differences(here, unit: RegisterUnit) -> dict[str, tuple]:
    return {
        name: (getattr(here, name), getattr(unit, name))
        for name in _COMPARED
        if getattr(here, name) != getattr(unit, name)
    }
