"""Units: create, update and archive kindergartens, schools and SFOs."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import Enum
from typing import Final

from sqlalchemy import select

from kvalitet.messages import text
from kvalitet.models import Municipality, Unit
from kvalitet.models.enums import Ownership, UnitKind
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import DUPLICATE, INVALID_STATE, fail
from kvalitet.services.events import emit
from kvalitet.services.validation import NAME_MAX, Checker


class Unset(Enum):
    """What a change leaves out (None is a value: it clears the field)."""

    UNSET = "UNSET"


UNSET: Final = Unset.UNSET


@dataclass
class UnitChanges:
    name: str | None | Unset = UNSET  # None: refused (REQUIRED), as an empty one
    kind: str | None | Unset = UNSET
    org_number: str | None | Unset = UNSET
    ownership: str | None | Unset = UNSET
    zone: str | None | Unset = UNSET


def _check(checker: Checker, changes: UnitChanges) -> dict:
    values: dict = {}
    if changes.name is not UNSET:
        values["name"] = checker.text(changes.name, "name", max_length=NAME_MAX)
    if changes.kind is not UNSET:
        values["kind"] = checker.choice(changes.kind, UnitKind, "kind")
    if changes.org_number is not UNSET:
        values["org_number"] = checker.org_number(changes.org_number)
    if changes.ownership is not UNSET:
        values["ownership"] = checker.choice(changes.ownership, Ownership, "ownership")
    if changes.zone is not UNSET:
        values["zone"] = checker.text(changes.zone, "zone", max_length=NAME_MAX, required=False)
    return values


async def _refuse_duplicate_org_number(ctx: ServiceContext, org_number: str | None, unit_id: uuid.UUID | None) -> None:
    if org_number is None:
        return
    other = await ctx.session.scalar(select(Unit.id).where(Unit.org_number == org_number))
    if other is not None and other != unit_id:
        fail(DUPLICATE, text("unit.org_number_taken", org_number=org_number), "orgNumber")


async def create_unit(ctx: ServiceContext, municipality_id: uuid.UUID, changes: UnitChanges) -> Unit:
    municipality = await ctx.load(Municipality, municipality_id, "municipality", field_name="municipalityId")
    checker = Checker()
    values = _check(checker, changes)
    checker.raise_if_any()
    await ctx.authorize("create", Unit, municipality)
    await _refuse_duplicate_org_number(ctx, values.get("org_number"), None)
    unit = Unit(municipality_id=municipality.id, **values)
    ctx.session.add(unit)
    await emit(ctx, "unit.created", unit.municipality_id, "Unit", unit)
    return unit


async def update_unit(ctx: ServiceContext, unit_id: uuid.UUID, version: int, changes: UnitChanges) -> Unit:
    unit = await ctx.load_for_change(Unit, unit_id, version, "unit")
    if unit.archived_at is not None:
        fail(INVALID_STATE, text("unit.archived_unchangeable"), "id")
    checker = Checker()
    values = _check(checker, changes)
    checker.raise_if_any()
    await _refuse_duplicate_org_number(ctx, values.get("org_number"), unit.id)
    for key, value in values.items():
        setattr(unit, key, value)
    await emit(ctx, "unit.updated", unit.municipality_id, "Unit", unit)
    return unit


async def archive_unit(ctx: ServiceContext, unit_id: uuid.UUID, version: int) -> Unit:
    unit = await ctx.load_for_change(Unit, unit_id, version, "unit", action="archive")
    if unit.archived_at is not None:
        fail(INVALID_STATE, text("unit.already_archived"), "id")
    unit.archived_at = dt.datetime.now(dt.UTC)
    await emit(ctx, "unit.archived", unit.municipality_id, "Unit", unit)
    return unit


async def allow_staff_editing(ctx: ServiceContext, unit_id: uuid.UUID, version: int, allowed: bool) -> Unit:
    """The unit leader lets the unit's staff edit its draft local plan and reports (or stops it)."""
    unit = await ctx.load_for_change(Unit, unit_id, version, "unit", action="staff_editing", field_name="unitId")
    if unit.archived_at is not None:
        fail(INVALID_STATE, text("unit.archived_unchangeable"), "unitId")
    unit.staff_may_edit = allowed
    await ctx.session.flush()
    return unit
