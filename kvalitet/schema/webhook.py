"""Webhook subscriptions and their delivery log."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from kvalitet import models
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.enums import DeliveryStatus
from kvalitet.schema.reading.connection import Connection, paged


@strawberry.type(description="One event posted (or to be posted) to one subscription.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="The delivery's own id (a delivery is not a node).")
    event_id: strawberry.ID = strawberry.field(description="Also sent as the `Kvalitet-Event-Id` header.")
    status: DeliveryStatus = strawberry.field(
        description="Where it is: waiting (to be tried or retried), delivered, or dead (given up)."
    )
    attempts: int = strawberry.field(description="How many times it has been tried so far.")
    next_attempt_at: dt.datetime = strawberry.field(
        description="When it is posted next, while it is waiting (each retry waits longer)."
    )
    last_attempt_at: dt.datetime | None = strawberry.field(
        description="When it was last posted; null before the first try."
    )
    last_status_code: int | None = strawberry.field(
        description="The HTTP status the receiver last answered with; null before the first try, or when no answer "
        "came."
    )
    last_error: str | None = strawberry.field(
        description="Why the last try failed (e.g. `HTTP 500`, a timeout); null when it succeeded or was not tried yet."
    )
    delivered_at: dt.datetime | None = strawberry.field(
        description="When the receiver accepted it with a 2xx answer; null until then."
    )
    created_at: dt.datetime = strawberry.field(description="When it was queued, with the change its event tells of.")

    @staticmethod
    def from_row(row) -> WebhookDelivery:
        return WebhookDelivery(
            id=strawberry.ID(str(row["id"])),
            event_id=strawberry.ID(str(row["event_id"])),
            status=DeliveryStatus(row["status"]),
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            last_attempt_at=row["last_attempt_at"],
            last_status_code=row["last_status_code"],
            last_error=row["last_error"],
            delivered_at=row["delivered_at"],
            created_at=row["created_at"],
        )


@strawberry.type(description="Where and which events to post, signed with a shared secret.")
class WebhookSubscription(RowNode, Versioned):
    model = models.WebhookSubscription
    id: relay.NodeID[str]
    url: str = strawberry.field(description="Where events are posted.")
    event_types: list[str] = strawberry.field(description="The events it wants, e.g. `report.submitted`.")
    active: bool = strawberry.field(description="False while it is paused: no events are queued for it then.")
    description: str | None = strawberry.field(description="A note on what it is for; null if none was given.")
    previous_secret_valid_until: dt.datetime | None = strawberry.field(
        description="Until when deliveries are signed with the secret before the last rotation too (null: the "
        "current secret alone)."
    )
    municipality_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The delivery log, oldest first.")
    async def deliveries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: DeliveryStatus | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[WebhookDelivery]:
        equals: dict[str, Any] = {} if status is None else {"status": status.value}
        return await paged(
            info,
            models.WebhookDelivery,
            "subscription_id",
            uuid.UUID(self.id),
            first=first,
            after=after,
            last=last,
            before=before,
            order=("created_at", "id"),
            node_from_row=WebhookDelivery.from_row,
            connection_type=Connection[WebhookDelivery],
            **equals,
        )
