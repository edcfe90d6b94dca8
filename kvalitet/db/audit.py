"""Writes a change-log row for every domain row a session creates, updates or deletes.

It hooks the ORM's flush, so no service can forget to record a change: whatever goes
through an `AuditedSession` is logged in the same transaction as the change itself.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import uuid

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from kvalitet.access.ownership import owner_of
from kvalitet.models import ChangeLog, Entity
from kvalitet.models.enums import ChangeAction

# Who is acting: set per request by the API, per command by the CLI.
current_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("kvalitet_actor", default=None)

_UNLOGGED = {"created_at", "updated_at", "version"}
# Secrets are never written to the log (the log is read by integrators and the change feed).
_SECRET = {"secret", "secret_hash", "previous_secret"}
REDACTED = "[secret]"


def _jsonable(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _columns(obj: Entity) -> dict[str, object]:
    state = inspect(obj)
    return {
        attr.key: REDACTED if attr.key in _SECRET else _jsonable(state.dict[attr.key])
        for attr in state.mapper.column_attrs
        if attr.key not in _UNLOGGED and attr.key in state.dict
    }


def _changed(obj: Entity) -> dict[str, list[object]]:
    state = inspect(obj)
    changes: dict[str, list[object]] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _UNLOGGED:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[attr.key] = [REDACTED, REDACTED] if attr.key in _SECRET else [_jsonable(old), _jsonable(new)]
    return changes


def _get(session: Session, model: type[Entity], id_: uuid.UUID | None) -> Entity | None:
    """A parent row: pending in this flush, in the identity map, or from the database."""
    if id_ is None:
        return None
    for obj in session.new:
        if isinstance(obj, model) and obj.id == id_:
            return obj
    with session.no_autoflush:
        return session.get(model, id_)


def owner(session: Session, obj) -> tuple:
    """(municipality id, unit id) a row belongs to, so a change is shown only to those who
    may see the row (integrators' feeds, units)."""
    return owner_of(obj, lambda model, id_: _get(session, model, id_))


class AuditedSession(Session):
    """A session whose flushes add change-log rows."""


# While set in a session's `info`, its flushes keep their change-log rows there instead of
# adding them to the flush: the caller writes them in a statement of its own (an event's, so a
# change's record and its event take one round trip).
_DEFERRED = "kvalitet_deferred_change_log"


async def flush_deferring_records(session) -> list[ChangeLog]:
    """Flush `session` (an `AsyncSession`) without writing the change-log rows of the flush;
    they are returned, for the caller to write in the same transaction."""
    session.info[_DEFERRED] = []
    try:
        await session.flush()
        return session.info[_DEFERRED]
    finally:
        del session.info[_DEFERRED]


@event.listens_for(AuditedSession, "before_flush")
def _record_changes(session: Session, flush_context, instances) -> None:
    actor = current_actor.get()
    records: list[ChangeLog] = []
    for obj in session.new:
        if isinstance(obj, Entity):
            if obj.id is None:
                obj.id = uuid.uuid4()  # known now, so the log can name it
            records.append(_record(session, obj, ChangeAction.CREATE, _columns(obj), actor))
    for obj in session.dirty:
        if isinstance(obj, Entity) and session.is_modified(obj, include_collections=False):
            changes = _changed(obj)
            if changes:
                records.append(_record(session, obj, ChangeAction.UPDATE, changes, actor))
    for obj in session.deleted:
        if isinstance(obj, Entity):
            records.append(_record(session, obj, ChangeAction.DELETE, {}, actor))
    deferred = session.info.get(_DEFERRED)
    if deferred is not None:
        deferred.extend(records)
    else:
        session.add_all(records)


def _record(session: Session, obj: Entity, action: str, changes: dict, actor: str | None) -> ChangeLog:
    municipality_id, unit_id = owner(session, obj)
    return ChangeLog(
        actor=actor,
        municipality_id=municipality_id,
        unit_id=unit_id,
        entity_type=type(obj).__name__,
        entity_id=obj.id,
        action=action,
        changes=changes,
    )
