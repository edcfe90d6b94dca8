"""Webhooks: subscriptions, the outbox of events written with each change, and deliveries."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Base, Entity, one_of
from kvalitet.models.enums import DeliveryStatus


class WebhookSubscription(Entity):
    __tablename__ = "webhook_subscription"

    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(60)))
    # The shared secret the receiver checks signatures with. Kept as given: signing needs it.
    secret: Mapped[str] = mapped_column(String(200))
    # The secret before the last rotation: deliveries are signed with it too until `previous_secret_valid_until`,
    # so a receiver can switch to the new one without missing a delivery.
    previous_secret: Mapped[str | None] = mapped_column(String(200))
    previous_secret_valid_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    description: Mapped[str | None] = mapped_column(String(500))


class OutboxEvent(Base):
    """An event, written in the same transaction as the change it tells of. Append-only."""

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_municipality", "municipality_id", "sequence"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    sequence: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSONB)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WebhookDelivery(Base):
    """One event to one subscription: tried until delivered, or dead after the last try.

    Workers claim due deliveries with `FOR UPDATE SKIP LOCKED` and lease them (`leased_until`)
    in a short transaction, then post with no transaction open, so several workers on one
    database never post the same delivery at the same time (kvalitet.webhooks.worker).
    Bookkeeping, not domain data: no version, and changes are not in the change log (the row
    itself is the log)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        one_of("status", DeliveryStatus),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_subscription", "subscription_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outbox_event.id", ondelete="CASCADE"))
    subscription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_subscription.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), server_default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Claimed by a worker until then (null: not claimed). A delivery whose lease ran out (its
    # worker died mid-post) can be claimed again.
    leased_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
