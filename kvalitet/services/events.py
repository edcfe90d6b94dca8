"""Domain events, written to the outbox in the same transaction as the change they tell of.

Each event gets a delivery row for every active webhook subscription that wants it, so a
change and the promise to tell of it are committed together or not at all.
"""

from __future__ import annotations

import uuid

from sqlalchemy import any_, bindparam, cast, column, func, insert, inspect, literal, select, true
from sqlalchemy.dialects.postgresql import JSONB

from kvalitet.db.audit import current_actor, flush_deferring_records
from kvalitet.models import ChangeLog, OutboxEvent, WebhookDelivery, WebhookSubscription
from kvalitet.services.context import ServiceContext

EVENT_TYPES = (
    "unit.created",
    "unit.updated",
    "unit.archived",
    "plan.adopted",
    "plan.archived",
    "local_plan.submitted",
    "local_plan.approved",
    "local_plan.returned",
    "report.submitted",
    "report.approved",
    "report.returned",
    "sector_report.published",
    "council_report.published",
    "follow_up_meeting.planned",
    "follow_up_meeting.held",
    "follow_up_meeting.cancelled",
    "follow_up_point.agreed",
    "follow_up_point.status_changed",
    "competence_plan.created",
)


def _global_id(type_name: str, id_: uuid.UUID) -> str:
    from strawberry.relay import to_base64

    return to_base64(type_name, str(id_))


async def emit(ctx: ServiceContext, event_type: str, municipality_id: uuid.UUID, subject: str, row) -> uuid.UUID:
    """Record `event_type` about `row` (a node of GraphQL type `subject`), and a delivery for each
    subscription that wants it. The change the event tells of is flushed first; its change-log
    rows, the event and its deliveries are then one statement (the event is inserted in a
    `WITH`, which runs once whether or not any subscription wants it). Returns the event's id."""
    assert event_type in EVENT_TYPES, event_type
    records = await flush_deferring_records(ctx.session)  # the row's version is the new one now
    event_id = uuid.uuid4()
    payload = {
        "type": event_type,
        "actor": current_actor.get() or ctx.actor.name,
        "object": {
            "id": _global_id(subject, row.id),
            "type": subject,
            "version": row.version,
            "status": getattr(row, "status", None),
        },
    }
    event = (
        insert(OutboxEvent)
        .values(id=event_id, municipality_id=municipality_id, type=event_type, payload=payload)
        .returning(OutboxEvent.id)
        .cte("event")
    )
    wanted = (
        select(func.gen_random_uuid(), event.c.id, WebhookSubscription.id)
        .select_from(event.join(WebhookSubscription, true()))  # the one event, with each subscription
        .where(
            WebhookSubscription.municipality_id == municipality_id,
            WebhookSubscription.active.is_(True),
            literal(event_type) == any_(WebhookSubscription.event_types),
        )
    )
    statement = insert(WebhookDelivery).from_select(["id", "event_id", "subscription_id"], wanted)
    if records:
        statement = statement.add_cte(_logged([_log_row(r) for r in records]))
    await ctx.session.execute(statement)
    return event_id


# The change-log rows an event's statement writes, as one JSON parameter unpacked in SQL: a
# multi-row VALUES has no cache key in SQLAlchemy, so every event's statement was compiled anew
# (about 15 % of a renaming mutation's time, profiled); this one has the same key whatever the rows.
_LOGGED_COLUMNS = ("actor", "municipality_id", "unit_id", "entity_type", "entity_id", "action", "changes")


def _logged(rows: list[dict]):
    """The CTE inserting `rows` (`_log_row`'s) into the change log, in their order."""
    elements = (
        func.jsonb_array_elements(bindparam("logged_rows", rows, type_=JSONB))
        .table_valued(column("value", JSONB), with_ordinality="n")
        .render_derived(name="logged_rows")
    )

    def value(name: str):
        found = elements.c.value[name]
        return found if name == "changes" else cast(found.astext, ChangeLog.__table__.c[name].type)

    return (
        insert(ChangeLog)
        .from_select(list(_LOGGED_COLUMNS), select(*map(value, _LOGGED_COLUMNS)).order_by(elements.c.n))
        .returning(ChangeLog.id)
        .cte("logged")
    )


def _log_row(record: ChangeLog) -> dict:
    """The values `audit._record` gave the row, as JSON (the rest, id, transaction and time, the
    database gives)."""
    state = inspect(record)
    row = {key: state.dict.get(key) for key in _LOGGED_COLUMNS}
    return {key: str(value) if isinstance(value, uuid.UUID) else value for key, value in row.items()}
