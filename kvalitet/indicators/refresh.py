"""The scheduled refresh: the worker imports the export-API tables of the `indicator_refresh`
setting again every `indicator_refresh_hours`, so a correction Udir publishes reaches the
municipalities without an operator at a terminal.

Each table and filter is one import as `kvalitet indicators import` makes it, with the same
scope, so the same data again writes nothing and a broken answer keeps the last good data.
Several workers (each `serve` process, `kvalitet worker`) share one database, and one refresh
is made once: a worker takes the scope's advisory lock (session-level, on its own connection in
autocommit, so no transaction is open while Udir is read), looks again whether the scope is
still due, fetches outside any transaction, and writes the figures and the outcome
(`indicator_refresh`) in one short transaction. A worker that dies frees the lock with its
connection. National figures are nobody's: a refresh writes only the national catalogue's
figures of its own scope, never a municipality's own indicators.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from kvalitet.db import current_actor
from kvalitet.db.engine import Database
from kvalitet.indicators.imports import IndicatorImportError, fetch, import_extract
from kvalitet.indicators.udir import ClientOptions
from kvalitet.infra.log import get_logger
from kvalitet.infra.schedule import every
from kvalitet.infra.settings import RefreshJob, Settings
from kvalitet.models import IndicatorRefresh
from kvalitet.models.enums import RefreshOutcome

log = get_logger(__name__)

ACTOR = "system:refresh"
# The advisory locks' first key: refreshes only (the second is the scope's hash).
_LOCK_SPACE = 0x4B56_4952  # "KVIR"


@dataclass(frozen=True)
class Outcome:
    job: RefreshJob
    outcome: RefreshOutcome | None  # None: not due, or another worker has it
    message: str | None = None
    figures: int = 0


async def last_checks(database: Database, scopes: Sequence[str]) -> dict[str, IndicatorRefresh]:
    async with database.session() as session:
        rows = await session.scalars(select(IndicatorRefresh).where(IndicatorRefresh.scope.in_(scopes)))
        return {row.scope: row for row in rows}


async def due(database: Database, jobs: Sequence[RefreshJob], every: dt.timedelta) -> list[RefreshJob]:
    """The jobs never refreshed, or not since `every` ago (by the database's clock)."""
    if not jobs:
        return []
    async with database.session() as session:
        fresh = set(
            await session.scalars(
                select(IndicatorRefresh.scope).where(
                    IndicatorRefresh.scope.in_([job.scope for job in jobs]),
                    IndicatorRefresh.checked_at > func.now() - every,
                )
            )
        )
    return [job for job in jobs if job.scope not in fresh]


async def refresh(database: Database, job: RefreshJob, options: ClientOptions, every: dt.timedelta | None) -> Outcome:
    """Refresh one table if it is due (always, when `every` is None) and no other worker is
    refreshing it now."""
    async with database.autocommit.connect() as locker:
        key = func.hashtext(job.scope)
        if not await locker.scalar(select(func.pg_try_advisory_lock(_LOCK_SPACE, key))):
            return Outcome(job, None)
        try:
            if every is not None and job not in await due(database, [job], every):
                return Outcome(job, None)
            return await _import(database, job, options)
        finally:
            await locker.scalar(select(func.pg_advisory_unlock(_LOCK_SPACE, key)))


async def _import(database: Database, job: RefreshJob, options: ClientOptions) -> Outcome:
    current_actor.set(ACTOR)
    try:
        definitions, extract = await fetch(job.table, job.filter, options)
    except IndicatorImportError as error:
        log.warning("indicator_refresh.failed", table=job.table, filter=job.filter, error=str(error))
        await _record(database, job, RefreshOutcome.FAILED, message=str(error))
        return Outcome(job, RefreshOutcome.FAILED, str(error))
    async with database.session() as session, session.begin():
        result = await import_extract(
            session,
            job.table,
            definitions,
            extract,
            scope_detail=job.filter,
            source=options.base_url,
            filter=job.filter,
            actor=ACTOR,
        )
        outcome = RefreshOutcome.UNCHANGED if result.unchanged else RefreshOutcome.WRITTEN
        await _record(database, job, outcome, session=session)
    log.info(
        "indicator_refresh.done",
        table=job.table,
        filter=job.filter,
        outcome=outcome.value,
        figures=result.figures,
        added=result.added,
        changed=result.changed,
        removed=result.removed,
    )
    return Outcome(job, outcome, figures=result.figures)


async def _record(database: Database, job: RefreshJob, outcome: RefreshOutcome, *, message=None, session=None):
    values = {
        "scope": job.scope,
        "source_table": job.table,
        "filter": job.filter,
        "checked_at": func.now(),
        "outcome": outcome,
        "message": message,
    }
    statement = insert(IndicatorRefresh).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["scope"], set_={key: statement.excluded[key] for key in values if key != "scope"}
    )
    if session is not None:
        await session.execute(statement)
        return
    async with database.session() as own, own.begin():
        await own.execute(statement)


async def refresh_due(database: Database, settings: Settings, *, force: bool = False) -> list[Outcome]:
    """One round (the worker's, and `kvalitet indicators refresh`): every configured table that
    is due, one after another (`force`: every table). Which are due is read in one statement
    first, so a round with nothing due takes no lock."""
    jobs = settings.indicator_refresh
    every = None if force else dt.timedelta(hours=settings.indicator_refresh_hours)
    waiting = set(jobs if every is None else await due(database, jobs, every))
    options = ClientOptions.from_settings(settings)
    return [await refresh(database, job, options, every) if job in waiting else Outcome(job, None) for job in jobs]


async def run(database: Database, settings: Settings, stop: asyncio.Event) -> None:
    """Refresh what is due every `indicator_refresh_check_seconds` until `stop` is set. A round
    that fails (the database away) is logged and tried again at the next check."""
    if not settings.indicator_refresh:
        return
    await every(
        settings.indicator_refresh_check_seconds, stop, lambda: refresh_due(database, settings), "indicator_refresh"
    )
