"""A local plan's or report's review as a thread: each submit, approval and return, with who,
when and the comment given with it (oldest first), and who submitted and decided last.

Read from the change log, which records every change of status with its actor: the thread is
the log's record of the review, not a second copy of it, and a decision's comment is kept there
even after the next decision replaces `comment`. One scoped statement for every local plan (or
report) of a response (`Loaders.batched`).
"""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from kvalitet.models import ChangeLog
from kvalitet.models.base import Base
from kvalitet.models.enums import ChangeAction
from kvalitet.schema import labels
from kvalitet.schema.enums import ReviewStatus

DECISIONS = (ReviewStatus.APPROVED, ReviewStatus.RETURNED)


@strawberry.type(description="A step of a review: the status it left, who took it, when, and the comment given.")
class ReviewEvent:
    at: dt.datetime = strawberry.field(description="When the step was taken.")
    actor: str | None = strawberry.field(
        description="Who took the step, as the change log names callers (`user:<subject>`, `apikey:<prefix>`)."
    )
    status: ReviewStatus = strawberry.field(description="The status the step left it in.")
    comment: str | None = strawberry.field(description="The comment given with the step, if one was.")

    @strawberry.field(description=labels.described("The status the step left it in", "status"))
    def status_label(self, info: Info) -> str:
        return labels.status_label(self.status, info)


async def events_of(info: Info, model: type[Base], row_id: str) -> list[ReviewEvent]:
    """The review steps of one `model` row, oldest first (batched with the other rows asked)."""
    log = ChangeLog.__table__

    async def batch(ids: list[uuid.UUID]) -> list[list[ReviewEvent]]:
        statement = (
            select(log.c.entity_id, log.c.created_at, log.c.actor, log.c.changes)
            .where(
                log.c.entity_type == model.__name__,
                log.c.entity_id.in_(ids),
                log.c.action == ChangeAction.UPDATE.value,
                log.c.changes.has_key("status"),
            )
            .order_by(log.c.id)
        )
        found: dict[uuid.UUID, list[ReviewEvent]] = {i: [] for i in ids}
        for row in await info.context.loaders.fetch(ChangeLog, statement):
            changes = row["changes"]
            comment = changes.get("comment", [None, None])[1] if "comment" in changes else None
            found[row["entity_id"]].append(
                ReviewEvent(
                    at=row["created_at"],
                    actor=row["actor"],
                    status=ReviewStatus(changes["status"][1]),
                    comment=comment,
                )
            )
        return [found[i] for i in ids]

    events: list[ReviewEvent] = await info.context.loaders.batched(("review_events", model), batch).load(
        uuid.UUID(row_id)
    )
    return events


def _last_by(events: list[ReviewEvent], statuses: tuple[ReviewStatus, ...]) -> str | None:
    return next((e.actor for e in reversed(events) if e.status in statuses), None)


def fields(model: type[Base]) -> tuple:
    """The `reviewEvents`, `submittedBy` and `decidedBy` fields of a reviewed type."""

    async def review_events(root, info: Info) -> list[ReviewEvent]:
        return await events_of(info, model, root.id)

    async def submitted_by(root, info: Info) -> str | None:
        return _last_by(await events_of(info, model, root.id), (ReviewStatus.SUBMITTED,))

    async def decided_by(root, info: Info) -> str | None:
        return _last_by(await events_of(info, model, root.id), DECISIONS)

    return (
        strawberry.field(
            resolver=review_events,
            description="Its review as a thread: each submit, approval and return with who, when and the comment "
            "given, oldest first (`comment` holds only the last decision's).",
        ),
        strawberry.field(resolver=submitted_by, description="Who submitted it last (with `submittedAt`)."),
        strawberry.field(resolver=decided_by, description="Who approved or returned it last (with `decidedAt`)."),
    )
