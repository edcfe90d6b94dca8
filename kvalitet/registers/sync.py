"""Live sync with the national registers' open APIs: a municipality's schools from NSR
(data-nsr.udir.no) and kindergartens from NBR (data-nbr.udir.no), then, at each later sync,
only what changed.

A sync of one municipality, for each register:

1. reads where the last sync stood (`register_sync`), the numbers the municipality is known by
   (its number and the former ones its profile lists: the registers may still list a unit under
   the number it had before a merger or the county reform) and the units it has;
2. lists the register's units under each of those numbers (`LIST_PATH`; each entry carries its
   change date, `DatoEndret`), and reads in full (`DETAIL_PATH`) only those that changed after
   the last sync's newest change date, or that are active units of our kinds not here yet; all
   of it outside any transaction (nothing is held open across the network);
3. brings the units in line as `kvalitet units import` does (`plan`, `apply`: created, updated,
   archived when the register says it is closed, never deleted; every change in the change
   log as the system's), and records where the sync stands, in one transaction.

A register that cannot be read (`UdirError`) is recorded as failed with the reason, and its
last good state stays: the next sync tries the same changes again. Several workers share one
database: a municipality's sync takes an advisory lock, so it runs once at a time.

The endpoints' paths are `LIST_PATH` and `DETAIL_PATH` under each register's base URL
(`KVALITET_NSR_BASE_URL`, `KVALITET_NBR_BASE_URL`). The shapes read are those of the saved
responses `kvalitet units import` reads (a list, or an object with the list under «Enheter» or
«EnhetListe»; a unit's record with `Organisasjonsnummer`/`Orgnr`, `DatoEndret`, the kind and
ownership flags).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from kvalitet.access.actor import SYSTEM
from kvalitet.access.policy import RolePolicy
from kvalitet.db import current_actor
from kvalitet.db.engine import Database
from kvalitet.indicators.udir import ClientOptions, UdirClient, UdirError
from kvalitet.infra.log import get_logger
from kvalitet.infra.settings import Settings
from kvalitet.models import Municipality, RegisterSync, Unit
from kvalitet.models.enums import RefreshOutcome, Register, UnitKind
from kvalitet.plugins import Profiles
from kvalitet.registers.apply import import_units
from kvalitet.registers.parse import (
    ELSEWHERE,
    RegisterFileError,
    entries_of,
    org_number_of,
    parse_entries,
    rejected_unit,
    wanted,
)
from kvalitet.registers.plan import ImportPlan
from kvalitet.services.context import ServiceContext

log = get_logger(__name__)

ACTOR = "system:registers"
LIST_PATH = "/v3/enheter/kommune/{number}"  # a municipality's units, each with its change date
DETAIL_PATH = "/v4/enhet/{org_number}"  # one unit's whole record
# Which register lists which kind of unit.
KIND_OF = {Register.NSR: UnitKind.SCHOOL, Register.NBR: UnitKind.KINDERGARTEN}
# The registers' change dates carry no time zone when they are Norwegian local time.
_OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
# The advisory locks' first key: register syncs only (the second is the municipality's hash).
_LOCK_SPACE = 0x4B56_5253  # "KVRS"


class SyncError(RuntimeError):
    """The municipality cannot be synced (it is not here)."""


@dataclass
class Fetched:
    """What one register gave for one municipality."""

    register: Register
    entries: list[dict] = field(default_factory=list)  # the full records of what changed or is new
    listed: int = 0
    changed_through: dt.datetime | None = None
    error: str | None = None


@dataclass(frozen=True)
class RegisterOutcome:
    register: Register
    outcome: RefreshOutcome
    listed: int
    fetched: int
    plan: ImportPlan | None = None
    message: str | None = None


def changed_at(entry: object) -> dt.datetime | None:
    """An entry's `DatoEndret` as an aware time (Norwegian time when it says no zone)."""
    value = entry.get("DatoEndret") if isinstance(entry, dict) else None
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_OSLO)


async def fetch_changes(
    options: ClientOptions,
    register: Register,
    numbers: Sequence[str],
    since: dt.datetime | None,
    known: set[str],
) -> Fetched:
    """The register's units under `numbers`, read in full where they changed after `since`
    (all of them when it is None) or are not among `known`; no transaction is open meanwhile."""
    fetched = Fetched(register)
    try:
        async with UdirClient(options) as client:
            listed: dict[str, object] = {}
            for number in numbers:
                body = await client.get(LIST_PATH.format(number=number), {})
                for entry in entries_of(body, f"{register.value} {number}"):
                    org_number = org_number_of(entry)  # a valid one only: it goes into the record's path
                    if org_number is not None:
                        listed.setdefault(org_number, entry)
            fetched.listed = len(listed)
            dates = [d for d in map(changed_at, listed.values()) if d is not None]
            fetched.changed_through = max(dates, default=since)
            for org_number, entry in listed.items():
                date = changed_at(entry)
                new_here = org_number not in known and wanted(entry)
                if since is None or date is None or date > since or new_here:
                    record = await client.get(DETAIL_PATH.format(org_number=org_number), {})
                    if not isinstance(record, dict):
                        raise UdirError(f"{register.value} {org_number}: the record is not an object")
                    fetched.entries.append(record)
    except (UdirError, RegisterFileError) as error:
        fetched.error = str(error)
    return fetched


async def sync_municipality(
    database: Database, settings: Settings, profiles: Profiles, number: str, *, full: bool = False
) -> list[RegisterOutcome] | None:
    """Sync one municipality's units with both registers (`full`: read every unit in full, as
    the first sync does). Returns each register's `RegisterOutcome`; None when another worker
    is syncing the municipality now."""
    async with database.autocommit.connect() as locker:
        key = func.hashtext(number)
        if not await locker.scalar(select(func.pg_try_advisory_lock(_LOCK_SPACE, key))):
            return None
        try:
            municipality_id, numbers, states, known = await _where_it_stands(database, profiles, number)
            fetched = []
            for register in (Register.NSR, Register.NBR):
                state = states.get(register)
                since = None if full or state is None else state.changed_through
                options = _options(settings, register)
                fetched.append(await fetch_changes(options, register, numbers, since, known[register]))

            async def write(ctx) -> list[RegisterOutcome]:
                outcomes = []
                for found in fetched:
                    if found.error is not None:
                        log.warning(
                            "register_sync.failed", register=found.register.value, number=number, error=found.error
                        )
                        outcome = RegisterOutcome(
                            found.register, RefreshOutcome.FAILED, found.listed, 0, message=found.error
                        )
                        await _record(ctx.session, municipality_id, found, outcome, keep=states.get(found.register))
                        outcomes.append(outcome)
                        continue
                    parsed = parse_entries(found.entries)
                    # Only this municipality's units, of the register's kind: a record that names
                    # another municipality is that municipality's sync's to bring, never this one's.
                    ours = [u for u in parsed.units if u.municipality_number in numbers]
                    parsed.rejected += [
                        rejected_unit(u, ELSEWHERE, f"municipality {u.municipality_number} in the register")
                        for u in parsed.units
                        if u.municipality_number not in numbers
                    ]
                    parsed.units = [u for u in ours if u.kind == KIND_OF[found.register]]
                    plan = await import_units(ctx, parsed)
                    wrote = RefreshOutcome.WRITTEN if plan.writes else RefreshOutcome.UNCHANGED
                    outcome = RegisterOutcome(found.register, wrote, found.listed, len(found.entries), plan)
                    await _record(ctx.session, municipality_id, found, outcome)
                    outcomes.append(outcome)
                return outcomes

            # In one transaction, as the system (the change log names the sync as the actor).
            token = current_actor.set(ACTOR)
            try:
                async with database.session() as session, session.begin():
                    return await write(ServiceContext(session, SYSTEM, RolePolicy(), profiles))
            finally:
                current_actor.reset(token)
        finally:
            await locker.scalar(select(func.pg_advisory_unlock(_LOCK_SPACE, key)))


def _options(settings: Settings, register: Register) -> ClientOptions:
    base = settings.nsr_base_url if register == Register.NSR else settings.nbr_base_url
    return ClientOptions.from_settings(settings, base_url=base)


async def _where_it_stands(database: Database, profiles: Profiles, number: str):
    """The municipality's id, the numbers to ask the registers for, each register's last sync,
    and the organisation numbers of its units of each register's kind."""
    async with database.session() as session:
        municipality_id = await session.scalar(select(Municipality.id).where(Municipality.number == number))
        if municipality_id is None:
            raise SyncError(f"no municipality {number} here")
        states = {
            Register(row.register): row
            for row in await session.scalars(
                select(RegisterSync).where(RegisterSync.municipality_id == municipality_id)
            )
        }
        units = (
            await session.execute(
                select(Unit.org_number, Unit.kind).where(
                    Unit.municipality_id == municipality_id, Unit.org_number.is_not(None)
                )
            )
        ).all()
    profile = profiles.for_municipality(number)
    numbers = [number, *(n for n in (profile.municipality_aliases if profile else []) if n != number)]
    known = {register: {o for o, kind in units if kind == KIND_OF[register]} for register in Register}
    return municipality_id, numbers, states, known


async def _record(session, municipality_id: uuid.UUID, found: Fetched, outcome: RegisterOutcome, keep=None) -> None:
    """Where the sync stands now; a failed one keeps the last good change date."""
    failed = outcome.outcome == RefreshOutcome.FAILED
    values = {
        "municipality_id": municipality_id,
        "register": found.register,
        "synced_at": func.now(),
        "outcome": outcome.outcome,
        "changed_through": (keep.changed_through if keep is not None else None) if failed else found.changed_through,
        "listed": outcome.listed,
        "fetched": outcome.fetched,
        "message": outcome.message[:2000] if outcome.message else None,
    }
    statement = insert(RegisterSync).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["municipality_id", "register"],
        set_={k: statement.excluded[k] for k in values if k not in ("municipality_id", "register")},
    )
    await session.execute(statement)


async def sync_due(
    database: Database, settings: Settings, profiles: Profiles, *, full: bool = False, stop=None
) -> dict[str, list[RegisterOutcome] | SyncError | None]:
    """One round (the worker's, and `kvalitet units sync`): each municipality of `register_sync`
    not synced within `register_sync_hours` (`full`: each, in full), one after another."""
    every = dt.timedelta(hours=settings.register_sync_hours)
    async with database.session() as session:
        fresh = set(
            await session.scalars(
                select(Municipality.number)
                .join(RegisterSync, RegisterSync.municipality_id == Municipality.id)
                # A failed sync is not fresh: the next round tries it again.
                .where(Municipality.number.in_(settings.register_sync), RegisterSync.outcome != RefreshOutcome.FAILED)
                .group_by(Municipality.number)
                .having(func.min(RegisterSync.synced_at) > func.now() - every)
            )
        )
    done: dict[str, list[RegisterOutcome] | SyncError | None] = {}
    for number in settings.register_sync:
        if stop is not None and stop.is_set():
            break
        if full or number not in fresh:
            try:
                done[number] = await sync_municipality(database, settings, profiles, number, full=full)
            except SyncError as error:
                log.warning("register_sync.unknown_municipality", number=number, error=str(error))
                done[number] = error
            except Exception as error:  # one municipality's failure (a conflict, an outage) is not the next one's
                log.warning("register_sync.municipality_failed", number=number, error=repr(error))
                done[number] = SyncError(f"municipality {number}: {error!r}")
    return done


async def run(database: Database, settings: Settings, stop) -> None:
    """Sync what is due every `register_sync_check_seconds` until `stop` (an `asyncio.Event`) is
    set. A round that fails (the database away) is logged and tried again at the next check."""
    from kvalitet.infra.schedule import every
    from kvalitet.plugins import new_plugin_manager

    if not settings.register_sync:
        return
    profiles = Profiles(new_plugin_manager(data_dirs=settings.profile_dirs))
    await every(
        settings.register_sync_check_seconds,
        stop,
        lambda: sync_due(database, settings, profiles, stop=stop),
        "register_sync",
    )
