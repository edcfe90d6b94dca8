"""Role claims in tokens, and turning them into grants on rows of this database.

A token carries its roles as a list, in either form:

- objects: `{"role": "sector_admin", "municipality": "5501"}`, `{"role": "unit_leader", "unit": "974760673"}`
- strings (for identity providers that only emit string lists): `"sector_admin@5501"`,
  `"unit_leader@unit:974760673"`

A municipality is named by its 4-digit number; a unit by its organisation number, its id or
its global id (as `node(id:)` takes it). Anything else is refused (`ClaimError`); claims naming
a municipality or unit this database does not have grant nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.relay import GlobalID, GlobalIDValueError

from kvalitet.access.actor import Grant
from kvalitet.infra.caches import TimedCache
from kvalitet.models import Municipality, Unit
from kvalitet.services.validation import valid_org_number

PERSON_ROLES = ("sector_admin", "unit_leader", "staff", "viewer")


class ClaimError(ValueError):
    """A role claim that is not in one of the forms above."""


@dataclass(frozen=True)
class RoleClaim:
    role: str
    municipality: str | None = None
    unit: str | None = None


def parse_roles(value) -> list[RoleClaim]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ClaimError("the roles claim must be a list")
    claims = []
    for item in value:
        if isinstance(item, str):
            role, _, where = item.partition("@")
            claim = (
                RoleClaim(role, unit=where[5:])
                if where.startswith("unit:")
                else RoleClaim(role, municipality=where or None)
            )
        elif isinstance(item, dict):
            claim = RoleClaim(item.get("role", ""), item.get("municipality"), item.get("unit"))
        else:
            raise ClaimError("a role is a string or an object")
        if not isinstance(claim.role, str) or claim.role not in PERSON_ROLES:
            raise ClaimError(f"unknown role {str(claim.role)[:40]!r}")
        if (claim.municipality is None) == (claim.unit is None):
            raise ClaimError(f"role {claim.role!r} needs a municipality or a unit")
        if claim.municipality is not None:
            claim = RoleClaim(claim.role, municipality=municipality_number(claim.municipality))
        else:
            claim = RoleClaim(claim.role, unit=unit_ref(claim.unit))
        claims.append(claim)
    return claims


def municipality_number(value) -> str:
    """A municipality number as claims name it (4 digits), or ClaimError."""
    if not (isinstance(value, str) and len(value) == 4 and value.isascii() and value.isdigit()):
        raise ClaimError(f"a municipality is named by its 4-digit number, not {_shown(value)}")
    return value


def unit_ref(value) -> str:
    """A unit as claims name it: its organisation number, or its id (a UUID, also taken as a
    global id of a Unit, and given back as the UUID); ClaimError for anything else."""
    if isinstance(value, str):
        if valid_org_number(value):
            return value
        if _is_uuid(value):
            return str(uuid.UUID(value))
        try:
            global_id = GlobalID.from_id(value)
        except (GlobalIDValueError, ValueError, TypeError):
            global_id = None
        if global_id is not None and global_id.type_name == "Unit" and _is_uuid(global_id.node_id):
            return str(uuid.UUID(global_id.node_id))
    raise ClaimError(f"a unit is named by its organisation number, id or global id, not {_shown(value)}")


def _shown(value) -> str:
    return repr(value)[:40] if isinstance(value, str) else f"a {type(value).__name__}"


async def resolve(engine: AsyncEngine, claims: list[RoleClaim], known: TimedCache | None = None) -> tuple[Grant, ...]:
    """Grants for the claims, with the ids of this database (one query for each kind named).
    Municipality ids found before are taken from `known`; units are always looked up, since
    an archived unit's roles end at once."""
    numbers = {c.municipality for c in claims if c.municipality}
    unit_refs = {c.unit for c in claims if c.unit}
    municipality_ids: dict[str, uuid.UUID] = {}
    if known is not None:
        municipality_ids = {n: i for n in numbers if (i := known.get(n)) is not None}
        numbers -= set(municipality_ids)
    units: dict[str, tuple[uuid.UUID, uuid.UUID]] = {}
    if not numbers and not unit_refs:
        return _grants(claims, municipality_ids, units)
    async with engine.connect() as connection:
        if numbers:
            rows = await connection.execute(
                select(Municipality.number, Municipality.id).where(Municipality.number.in_(numbers))
            )
            for number, municipality_id in rows.all():
                municipality_ids[number] = municipality_id
                if known is not None:
                    known.put(number, municipality_id)
        if unit_refs:
            ids = [uuid.UUID(r) for r in unit_refs if _is_uuid(r)]
            numbers_ = [r for r in unit_refs if not _is_uuid(r)]
            unit_rows = await connection.execute(
                select(Unit.id, Unit.org_number, Unit.municipality_id).where(
                    or_(Unit.id.in_(ids), Unit.org_number.in_(numbers_)), Unit.archived_at.is_(None)
                )
            )
            for unit_id, org_number, municipality_id in unit_rows.all():
                units[str(unit_id)] = (unit_id, municipality_id)
                if org_number:
                    units[org_number] = (unit_id, municipality_id)
    return _grants(claims, municipality_ids, units)


def _grants(claims, municipality_ids, units) -> tuple[Grant, ...]:
    grants = []
    for claim in claims:
        if claim.municipality and claim.municipality in municipality_ids:
            grants.append(Grant(claim.role, municipality_id=municipality_ids[claim.municipality]))
        elif claim.unit and claim.unit in units:
            unit_id, municipality_id = units[claim.unit]
            grants.append(Grant(claim.role, municipality_id=municipality_id, unit_id=unit_id))
    return tuple(grants)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
        return True
    except (ValueError, AttributeError, TypeError):
        return False
