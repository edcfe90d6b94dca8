"""The delivery worker: posts due deliveries, retries with exponential backoff, keeps the dead.

Runs inside `kvalitet serve` (one loop per worker process) and as `kvalitet worker`. Several
workers share one database: each claims due deliveries with `FOR UPDATE SKIP LOCKED`, so no
delivery is posted by two workers at the same time; the claim is held until the post is done.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from ..log import get_logger
from ..models import OutboxEvent, WebhookDelivery, WebhookSubscription
from .signing import HEADER, sign

log = get_logger(__name__)


def backoff(attempts: int, base_seconds: float, cap_seconds: float = 3600) -> dt.timedelta:
    """How long to wait after `attempts` failed tries: base × 2^(attempts-1), capped, with
    up to 10 % jitter so receivers that come back are not hit by everyone at once."""
    seconds = min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=seconds * (1 + random.random() / 10))


async def deliver_due(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    *,
    max_attempts: int,
    backoff_seconds: float,
    batch: int = 10,
) -> int:
    """Claim and post up to `batch` due deliveries; returns how many were tried."""
    delivery, event, subscription = WebhookDelivery.__table__, OutboxEvent.__table__, WebhookSubscription.__table__
    async with engine.begin() as connection:
        due = (
            await connection.execute(
                select(
                    delivery.c.id, delivery.c.attempts, event.c.id.label("event_id"), event.c.type, event.c.payload,
                    event.c.created_at.label("event_created_at"), subscription.c.url, subscription.c.secret,
                )
                .join(event, event.c.id == delivery.c.event_id)
                .join(subscription, subscription.c.id == delivery.c.subscription_id)
                .where(delivery.c.status == "pending", delivery.c.next_attempt_at <= dt.datetime.now(dt.timezone.utc))
                .order_by(delivery.c.next_attempt_at)
                .limit(batch)
                .with_for_update(of=delivery, skip_locked=True)
            )
        ).all()
        for row in due:
            outcome = await _post(client, row)
            attempts = row.attempts + 1
            now = dt.datetime.now(dt.timezone.utc)
            values = {"attempts": attempts, "last_attempt_at": now, **outcome}
            if outcome.get("last_error") is None:
                values.update(status="delivered", delivered_at=now)
            elif attempts >= max_attempts:
                values["status"] = "dead"
                log.warning("webhook.dead_letter", delivery=str(row.id), url=row.url, attempts=attempts)
            else:
                values["next_attempt_at"] = now + backoff(attempts, backoff_seconds)
            await connection.execute(update(delivery).where(delivery.c.id == row.id).values(**values))
    return len(due)


async def _post(client: httpx.AsyncClient, row) -> dict:
    body = json.dumps(
        {"id": str(row.event_id), "type": row.type, "createdAt": row.event_created_at.isoformat(), "data": row.payload},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    headers = {
        "Content-Type": "application/json",
        HEADER: sign(row.secret, body),
        "Kvalitet-Event-Id": str(row.event_id),
        "Kvalitet-Event-Type": row.type,
        "Kvalitet-Delivery-Id": str(row.id),
    }
    try:
        response = await client.post(row.url, content=body, headers=headers)
    except httpx.HTTPError as error:
        return {"last_status_code": None, "last_error": f"{type(error).__name__}: {error}"[:1000]}
    if 200 <= response.status_code < 300:
        return {"last_status_code": response.status_code, "last_error": None}
    return {"last_status_code": response.status_code, "last_error": f"HTTP {response.status_code}"}


async def run(engine: AsyncEngine, settings, stop: asyncio.Event) -> None:
    """Deliver until `stop` is set, polling every `webhook_poll_seconds` when idle."""
    async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
        while not stop.is_set():
            try:
                tried = await deliver_due(
                    engine, client, max_attempts=settings.webhook_max_attempts, backoff_seconds=settings.webhook_backoff_seconds
                )
            except Exception:  # the loop must survive a bad moment of the database
                log.exception("webhook.worker_error")
                tried = 0
            if not tried:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=settings.webhook_poll_seconds)
                except TimeoutError:
                    pass
