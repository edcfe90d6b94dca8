"""Importing units from the national registers: NSR (Nasjonalt skoleregister) for schools and
NBR (Nasjonalt barnehageregister) for kindergartens.

`kvalitet units import FILE…` reads responses saved from the registers' public APIs
(data-nsr.udir.no, data-nbr.udir.no) and brings the units in line with them, in three steps
that can each be tested alone:

1. parse (pure): each entry becomes a checked `RegisterUnit`, or a `Rejected` saying why it
   cannot be imported (invalid organisation number, not a kindergarten or primary school …);
2. plan: compare with the database, giving an `ImportPlan` of actions (create, update,
   archive, unchanged) and further rejections (unknown municipality …);
3. apply: carry the actions out through the unit services, so the access rules are asked and
   the change log records every change, all in the caller's one transaction.

A unit is matched on its organisation number, so importing the same file again changes
nothing; a unit the register no longer lists as active is archived, never deleted.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kvalitet.enums import Ownership, UnitKind
from kvalitet.services.validation import NAME_MAX, Checker, valid_org_number

if TYPE_CHECKING:
    from kvalitet.services.context import ServiceContext

# What happens to a unit.
CREATE, UPDATE, ARCHIVE, UNCHANGED = "create", "update", "archive", "unchanged"
WRITES = (CREATE, UPDATE, ARCHIVE)

# Why an entry is skipped: the summary groups skipped entries by these.
INVALID_ORG_NUMBER = "invalid organisation number"
INVALID_ENTRY = "invalid entry"
NOT_OURS = "not a kindergarten or primary school"
DUPLICATE = "listed more than once"
UNKNOWN_MUNICIPALITY = "municipality not in the database"
INACTIVE = "inactive, and never imported"
ELSEWHERE = "in another municipality here"
OTHER_KIND = "of another kind here"
ARCHIVED_HERE = "archived here, active in the register"

# The list in the paged responses: `Enheter` (v3), `EnhetListe` (v4).
_LIST_KEYS = ("enheter", "enhetliste")
_PUBLIC_FLAGS = ("eroffentligskole", "eroffentligbarnehage")
_PRIVATE_FLAGS = ("erprivatskole", "erprivatbarnehage")
_MUNICIPALITY_NUMBER = re.compile(r"[0-9]{4}")
# Changes compared on a re-import. The kind is not among them: a unit of another kind here is
# skipped instead (see `_plan_known`).
_COMPARED = ("name", "ownership")
# Org numbers per query, well under PostgreSQL's limit of bind parameters.
_BATCH = 1000


class RegisterFileError(ValueError):
    """A file that is not a register response at all (not JSON, no list of units)."""


# -- 1. parsing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterUnit:
    """One register entry, checked: what kvalitet keeps of it."""

    org_number: str
    name: str
    municipality_number: str
    kind: str  # kindergarten | school
    # municipal | private; None only for an inactive entry, which is only ever archived.
    ownership: str | None
    active: bool


@dataclass(frozen=True)
class Rejected:
    """An entry that is not imported, and why (`reason` groups it in the summary)."""

    org_number: str | None
    name: str | None
    reason: str
    detail: str


@dataclass
class Parsed:
    units: list[RegisterUnit] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


class _Unfit(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def read_entries(path: Path) -> list:
    """The entries of a saved register response."""
    try:
        # utf-8-sig: a response saved by PowerShell or Notepad starts with a byte-order mark.
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RegisterFileError(f"{path}: not a readable JSON file ({error}).") from error
    return entries_of(data, str(path))


def entries_of(data, where: str = "the file") -> list:
    """The list of units: the whole response (the by-municipality endpoints answer a list),
    or the list inside a paged response."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key).casefold() in _LIST_KEYS and isinstance(value, list):
                return value
    raise RegisterFileError(
        f"{where}: expected a list of units, or an object with one under «Enheter» or «EnhetListe»."
    )


def parse_files(paths: Iterable[Path]) -> Parsed:
    parsed = Parsed()
    for path in paths:
        parse_entries(read_entries(path), parsed)
    return parsed


def parse_entries(entries: Iterable, parsed: Parsed | None = None) -> Parsed:
    """Check each entry; the first of several with one organisation number wins (an
    oppvekstsenter can be listed by both registers, and a unit has one kind)."""
    parsed = parsed if parsed is not None else Parsed()
    seen = {unit.org_number for unit in parsed.units}
    for raw in entries:
        try:
            unit = parse_entry(raw)
        except _Unfit as unfit:
            parsed.rejected.append(_rejected_entry(raw, unfit))
            continue
        if unit.org_number in seen:
            parsed.rejected.append(_rejected(unit, DUPLICATE, "the first entry with this number is imported"))
            continue
        seen.add(unit.org_number)
        parsed.units.append(unit)
    return parsed


def parse_entry(raw) -> RegisterUnit:
    """The entry checked, or `_Unfit`. The organisation number and the kind come first: an
    entry without a valid number is never imported, and owners and other units are not ours
    whatever else they lack."""
    if not isinstance(raw, dict):
        raise _Unfit(INVALID_ENTRY, "not an object")
    fields = _fields(raw)
    org_number = _org_number(fields)
    kind = _kind(fields)
    name = _name(fields)
    municipality_number = _municipality_number(fields)
    active = _active(fields)
    ownership = _ownership(fields)
    if active and ownership is None:
        raise _Unfit(INVALID_ENTRY, "the register does not say whether it is public or private")
    return RegisterUnit(org_number, name, municipality_number, kind, ownership, active)


def _fields(raw: dict) -> dict:
    """The entry's fields by lower-case name: the API versions spell them differently
    (OrgNr, Orgnr; ErGrunnSkole, ErGrunnskole; ErPrivatSkole, ErPrivatskole)."""
    return {str(key).casefold(): value for key, value in raw.items()}


def _first(fields: dict, *names: str):
    return next((fields[name] for name in names if fields.get(name) is not None), None)


def _org_number(fields: dict) -> str:
    value = _first(fields, "orgnr", "organisasjonsnummer")
    digits = str(value).replace(" ", "") if value is not None else ""
    if not valid_org_number(digits):
        detail = f"«{value}» is not a valid organisation number" if value is not None else "no organisation number"
        raise _Unfit(INVALID_ORG_NUMBER, detail)
    return digits


def _kind(fields: dict) -> str:
    kindergarten = fields.get("erbarnehage") is True
    school = fields.get("erskole") is True or fields.get("ergrunnskole") is True
    if kindergarten and school:
        raise _Unfit(INVALID_ENTRY, "both a school and a kindergarten in the register; add it by hand")
    if kindergarten:
        return UnitKind.KINDERGARTEN
    # NSR's schools include upper secondary, adult and other schools; the municipality's
    # plans are for the primary schools (grunnskoler). An entry that does not say is taken
    # as one.
    if school and fields.get("ergrunnskole") is not False:
        return UnitKind.SCHOOL
    raise _Unfit(NOT_OURS, _what_else(fields))


def _what_else(fields: dict) -> str:
    if fields.get("ervideregaaendeskole") is True:
        return "an upper secondary school"
    if fields.get("erskole") is True:
        return "a school, but not a primary school"
    if fields.get("erskoleeier") is True or fields.get("erbarnehageeier") is True:
        return "an owner of schools or kindergartens"
    return "neither a school nor a kindergarten"


def _name(fields: dict) -> str:
    checker = Checker()
    value = fields.get("navn")
    name = checker.text(value if isinstance(value, str) else None, "name", max_length=NAME_MAX)
    if checker.problems:
        raise _Unfit(INVALID_ENTRY, " ".join(problem.message for problem in checker.problems))
    return name


def _municipality_number(fields: dict) -> str:
    value = _first(fields, "kommunenr", "kommunenummer")
    if value is None and isinstance(fields.get("kommune"), dict):
        # The full records nest it: "Kommune": {"Kommunenummer": …}.
        value = _first(_fields(fields["kommune"]), "kommunenummer", "kommunenr")
    if not isinstance(value, str) or not _MUNICIPALITY_NUMBER.fullmatch(value.strip()):
        raise _Unfit(INVALID_ENTRY, f"«{value}» is not a municipality number (4 digits)")
    return value.strip()


def _active(fields: dict) -> bool:
    value = fields.get("eraktiv")
    if not isinstance(value, bool):
        raise _Unfit(INVALID_ENTRY, "ErAktiv is missing")
    return value


def _ownership(fields: dict) -> str | None:
    """municipal or private; None when the register says neither or both."""
    public = any(fields.get(flag) is True for flag in _PUBLIC_FLAGS)
    private = any(fields.get(flag) is True for flag in _PRIVATE_FLAGS)
    if public == private:
        return None
    return Ownership.MUNICIPAL if public else Ownership.PRIVATE


def _rejected_entry(raw, unfit: _Unfit) -> Rejected:
    """As written in the file, since an unfit entry's values may be what is wrong."""
    fields = _fields(raw) if isinstance(raw, dict) else {}
    org_number = _first(fields, "orgnr", "organisasjonsnummer")
    name = fields.get("navn")
    return Rejected(
        str(org_number) if org_number is not None else None,
        name if isinstance(name, str) else None,
        unfit.reason,
        unfit.detail,
    )


def _rejected(unit: RegisterUnit, reason: str, detail: str) -> Rejected:
    return Rejected(unit.org_number, unit.name, reason, detail)


# -- 2. planning ------------------------------------------------------------------------------
#
# The database modules are imported in the functions that use them: every `kvalitet` command
# loads this module to register its command, and should not pay for the models to start.


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
        (plan.actions if isinstance(outcome, Action) else plan.rejected).append(outcome)
    return plan


async def _municipality_ids(ctx: ServiceContext, numbers: set[str]) -> dict[str, uuid.UUID]:
    from sqlalchemy import select

    from kvalitet.models import Municipality

    rows = await ctx.session.execute(
        select(Municipality.number, Municipality.id).where(Municipality.number.in_(sorted(numbers)))
    )
    return {number: id_ for number, id_ in rows}


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
    return _plan_known(unit, *known)


def _plan_new(unit: RegisterUnit, municipalities: dict[str, uuid.UUID]) -> Action | Rejected:
    municipality_id = municipalities.get(unit.municipality_number)
    if municipality_id is None:
        return _rejected(unit, UNKNOWN_MUNICIPALITY, f"municipality {unit.municipality_number}")
    if not unit.active:
        return _rejected(unit, INACTIVE, "closed in the register before it came here")
    return Action(CREATE, unit, municipality_id=municipality_id)


def _plan_known(unit: RegisterUnit, here, municipality_number: str) -> Action | Rejected:
    # A move between municipalities, or a kind the municipality chose (an SFO may carry its
    # school's number), is a person's decision, not the register's: report, do not touch.
    if municipality_number != unit.municipality_number:
        return _rejected(
            unit, ELSEWHERE, f"municipality {municipality_number} here, {unit.municipality_number} in the register"
        )
    if here.kind != unit.kind:
        return _rejected(unit, OTHER_KIND, f"a {here.kind} here, a {unit.kind} in the register")
    known = {"unit_id": here.id, "version": here.version}
    if not unit.active:
        return Action(UNCHANGED if here.archived_at is not None else ARCHIVE, unit, **known)
    if here.archived_at is not None:
        # There is no service to bring an archived unit back; that is done by hand.
        return _rejected(unit, ARCHIVED_HERE, "archived here, but active in the register")
    changes = _differences(here, unit)
    return Action(UPDATE if changes else UNCHANGED, unit, changes=changes, **known)


def _differences(here, unit: RegisterUnit) -> dict[str, tuple]:
    return {
        name: (getattr(here, name), getattr(unit, name))
        for name in _COMPARED
        if getattr(here, name) != getattr(unit, name)
    }


# -- 3. applying ------------------------------------------------------------------------------


async def apply_actions(ctx: ServiceContext, actions: Iterable[Action]) -> None:
    """Carry out the actions through the services (access rules, events, change log)."""
    for action in actions:
        await apply_action(ctx, action)


async def apply_action(ctx: ServiceContext, action: Action) -> None:
    from kvalitet.services.units import UnitChanges, archive_unit, create_unit, update_unit

    unit = action.unit
    if action.verb == CREATE:
        changes = UnitChanges(name=unit.name, kind=unit.kind, org_number=unit.org_number, ownership=unit.ownership)
        await create_unit(ctx, action.municipality_id, changes)
    elif action.verb == UPDATE:
        changes = UnitChanges(**{name: new for name, (_, new) in action.changes.items()})
        await update_unit(ctx, action.unit_id, action.version, changes)
    elif action.verb == ARCHIVE:
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


# -- the summary and the command --------------------------------------------------------------

# Skipped entries listed per reason unless --verbose: a whole national file has thousands in
# municipalities that are not here.
_LISTED = 10


def summary(plan: ImportPlan, *, dry_run: bool, verbose: bool = False) -> str:
    lines = ["Dry run: nothing was written." if dry_run else "Imported."]
    lines += _counts(plan, dry_run)
    lines += _listed("Would create" if dry_run else "Created", plan.of(CREATE), _describe_new)
    lines += _listed("Would update" if dry_run else "Updated", plan.of(UPDATE), _describe_changes)
    lines += _listed("Would archive" if dry_run else "Archived", plan.of(ARCHIVE), _describe)
    lines += _skipped(plan.rejected, verbose)
    return "\n".join(lines)


def _counts(plan: ImportPlan, dry_run: bool) -> list[str]:
    labels = {CREATE: "created", UPDATE: "updated", ARCHIVE: "archived"}
    if dry_run:
        labels = {verb: f"to {verb}" for verb in labels}
    counts = [(labels[verb], len(plan.of(verb))) for verb in WRITES]
    counts += [("unchanged", len(plan.of(UNCHANGED))), ("skipped", len(plan.rejected))]
    return [f"  {label + ':':<11} {count}" for label, count in counts]


def _listed(title: str, actions: list[Action], describe) -> list[str]:
    return [f"{title}:", *(f"  {describe(action)}" for action in actions)] if actions else []


def _describe(action: Action) -> str:
    return f"{action.unit.org_number}  {action.unit.name}"


def _describe_new(action: Action) -> str:
    unit = action.unit
    return f"{_describe(action)} ({unit.kind}, {unit.ownership}, municipality {unit.municipality_number})"


def _describe_changes(action: Action) -> str:
    changes = "; ".join(f"{name} «{old}» → «{new}»" for name, (old, new) in action.changes.items())
    return f"{_describe(action)}: {changes}"


def _skipped(rejected: list[Rejected], verbose: bool) -> list[str]:
    lines: list[str] = []
    for reason in dict.fromkeys(entry.reason for entry in rejected):
        group = [entry for entry in rejected if entry.reason == reason]
        shown = group if verbose else group[:_LISTED]
        lines.append(f"Skipped, {reason} ({len(group)}):")
        lines += [f"  {entry.org_number or '-'}  {entry.name or '-'}: {entry.detail}" for entry in shown]
        if len(shown) < len(group):
            lines.append(f"  … and {len(group) - len(shown)} more (--verbose lists them all)")
    return lines
