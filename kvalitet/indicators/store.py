"""Writing an import: one batch, all or nothing.

Everything is read and checked before this runs (no transaction is held across a call to
Udir). In the caller's one transaction, then: the batch's figures replace those the last import
of the same scope (source, table and filter) brought; figures that the new data no longer has
are removed; figures of other scopes are left alone. Data whose checksum equals the last import
of its scope writes nothing at all, not even a batch. Two imports of one scope wait for each
other (an advisory lock on the scope).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kvalitet.indicators.catalogue import IndicatorDefinition
from kvalitet.indicators.rows import Extract, Figure
from kvalitet.models import Indicator, IndicatorBatch, IndicatorValue

# Rows per INSERT: 14 parameters each, under PostgreSQL's 32,767 parameters a statement.
_CHUNK = 2000


@dataclass
class ImportResult:
    scope: str
    checksum: str
    rows_read: int
    rows_skipped: int
    figures: int
    statuses: Counter = field(default_factory=Counter)
    # Compared with what the last import of the scope left: figures new, changed, removed.
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: bool = False
    dry_run: bool = False
    batch_id: uuid.UUID | None = None


async def store(
    session: AsyncSession,
    extract: Extract,
    definitions: Sequence[IndicatorDefinition],
    *,
    source: str,
    scope: str,
    filter: str | None = None,
    municipality_id: uuid.UUID | None = None,
    actor: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    checksum = extract.checksum()
    result = ImportResult(
        scope,
        checksum,
        extract.rows_read,
        extract.rows_skipped,
        len(extract.figures),
        Counter(figure.status.value for figure in extract.figures),
        dry_run=dry_run,
    )
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(scope))))
    last = await session.scalar(
        select(IndicatorBatch.checksum)
        .where(IndicatorBatch.scope == scope)
        .order_by(IndicatorBatch.imported_at.desc())
        .limit(1)
    )
    if last == checksum:
        result.unchanged = True
        return result
    ids = await _indicator_ids(session, definitions, municipality_id, write=not dry_run)
    before = await _figures_of_scope(session, scope)
    after = {_stored_key(figure, ids): figure.canonical() for figure in extract.figures}
    result.added = len(after.keys() - before.keys())
    result.removed = len(before.keys() - after.keys())
    result.changed = sum(1 for key in after.keys() & before.keys() if after[key][6:] != before[key])
    if dry_run:
        return result
    batch_id = uuid.uuid4()
    session.add(
        IndicatorBatch(
            id=batch_id,
            municipality_id=municipality_id,
            source=source,
            scope=scope,
            filter=filter,
            checksum=checksum,
            rows_read=extract.rows_read,
            figures=len(extract.figures),
            actor=actor,
        )
    )
    await session.flush()
    rows = [_value_row(figure, ids, batch_id) for figure in extract.figures]
    for start in range(0, len(rows), _CHUNK):
        statement = insert(IndicatorValue).values(rows[start : start + _CHUNK])
        excluded = statement.excluded
        await session.execute(
            statement.on_conflict_do_update(
                constraint="uq_indicator_value_key",
                set_={
                    column: excluded[column]
                    for column in ("municipality_code", "name", "value", "n", "status", "reason", "batch_id")
                },
            )
        )
    # What the scope's earlier imports brought and this one does not have.
    await session.execute(
        delete(IndicatorValue)
        .where(
            IndicatorValue.batch_id.in_(select(IndicatorBatch.id).where(IndicatorBatch.scope == scope)),
            IndicatorValue.batch_id != batch_id,
        )
        .execution_options(synchronize_session=False)
    )
    result.batch_id = batch_id
    return result


async def _indicator_ids(
    session: AsyncSession, definitions: Sequence[IndicatorDefinition], municipality_id, *, write: bool
) -> dict[str, uuid.UUID | None]:
    """Each definition's row id, its row written (or brought up to date) first unless a dry run."""
    ids: dict[str, uuid.UUID | None] = {}
    for definition in definitions:
        row = definition.row(municipality_id)
        if write:
            statement = insert(Indicator).values(row)
            where = text("municipality_id IS NULL") if municipality_id is None else text("municipality_id IS NOT NULL")
            index = ["code"] if municipality_id is None else ["municipality_id", "code"]
            ids[definition.code] = await session.scalar(
                statement.on_conflict_do_update(
                    index_elements=index,
                    index_where=where,
                    set_={key: statement.excluded[key] for key in row if key not in ("code", "municipality_id")}
                    | {"updated_at": func.now()},
                ).returning(Indicator.id)
            )
        else:
            ids[definition.code] = await session.scalar(
                select(Indicator.id).where(
                    Indicator.code == definition.code,
                    Indicator.municipality_id.is_(None)
                    if municipality_id is None
                    else Indicator.municipality_id == municipality_id,
                )
            )
    return ids


async def _figures_of_scope(session: AsyncSession, scope: str) -> dict[tuple, list]:
    rows = await session.execute(
        select(
            IndicatorValue.indicator_id,
            IndicatorValue.level,
            IndicatorValue.code,
            IndicatorValue.school_year,
            IndicatorValue.grade,
            IndicatorValue.gender,
            IndicatorValue.municipality_code,
            IndicatorValue.name,
            IndicatorValue.value,
            IndicatorValue.n,
            IndicatorValue.status,
            IndicatorValue.reason,
        ).where(IndicatorValue.batch_id.in_(select(IndicatorBatch.id).where(IndicatorBatch.scope == scope)))
    )
    return {tuple(row[:6]): [*row[6:8], None if row[8] is None else str(row[8].normalize()), *row[9:]] for row in rows}


def _stored_key(figure: Figure, ids: dict[str, uuid.UUID | None]) -> tuple:
    return (ids[figure.indicator], *figure.key[1:])


def _value_row(figure: Figure, ids: dict[str, uuid.UUID | None], batch_id: uuid.UUID) -> dict:
    return {
        "indicator_id": ids[figure.indicator],
        "level": figure.place.level.value,
        "code": figure.place.code,
        "municipality_code": figure.place.municipality_code,
        "name": figure.place.name,
        "school_year": figure.school_year,
        "grade": figure.grade,
        "gender": figure.gender.value,
        "value": figure.value,
        "n": figure.n,
        "status": figure.status.value,
        "reason": None if figure.reason is None else figure.reason.value,
        "batch_id": batch_id,
    }
