"""The delivery worker: posts due deliveries, retries with exponential backoff, keeps the dead.

Runs inside `kvalitet serve` (one loop per worker process) and as `kvalitet worker`. Several
workers share one database. No transaction is open while a receiver is being posted to: the
change feed shows only transactions older than the oldest one still running, so a transaction
held across a slow receiver's post would hold back every municipality's feed. Instead:

1. Claim, in one short transaction: due deliveries are taken with `FOR UPDATE SKIP LOCKED` and
   leased (`leased_until` = now + timeout + a margin), and the transaction commits at once. A
   leased delivery is not due for any worker until its lease runs out (only when the worker
   that took it died, or lost its database, mid-post), so no delivery is posted by two workers
   at the same time. At most `per_subscription` deliveries of one subscription are in flight
   (leased) at once, over all workers, chosen with a window function: a slow receiver cannot
   take the whole batch, the free places go to the other subscriptions.
2. Post, outside any transaction, all claimed deliveries at once (a worker claims no more than
   its free places: `webhook_concurrency`), each only to an address checked to be public
   (`targets.pin`), within `webhook_timeout_seconds` in all. Redirects are not followed: a 3xx
   is a failed attempt.
3. Record each outcome in its own short transaction, only if the lease is still ours (the
   `leased_until` we set is the fencing token: a later claim always sets a later one).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
from sqlalchemy import case, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from kvalitet.infra import metrics, tracing
from kvalitet.infra.log import get_logger
from kvalitet.models import OutboxEvent, WebhookDelivery, WebhookSubscription
from kvalitet.models.base import model_table
from kvalitet.models.enums import DeliveryStatus
from kvalitet.webhooks.signing import HEADER, sign, standard_headers
from kvalitet.webhooks.targets import Refused, Resolver, pin

log = get_logger(__name__)

# How much longer than the timeout a lease lasts: time to record the outcome after the post.
LEASE_MARGIN_SECONDS = 30.0


def backoff(attempts: int, base_seconds: float, cap_seconds: float = 3600) -> dt.timedelta:
    """How long to wait after `attempts` failed tries: base × 2^(attempts-1), capped, with
    up to 10 % jitter so receivers that come back are not hit by everyone at once."""
    seconds = min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=seconds * (1 + random.random() / 10))


@dataclass(frozen=True)
class Options:
    """How deliveries are made (from the `webhook_*` settings)."""

    max_attempts: int
    backoff_seconds: float
    timeout_seconds: float = 10.0
    per_subscription: int = 2
    allow_private: bool = False
    resolve: Resolver | None = None  # host, port → addresses; None: the system resolver

    @property
    def lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.timeout_seconds + LEASE_MARGIN_SECONDS)

    @classmethod
    def from_settings(cls, settings, resolve: Resolver | None = None) -> Options:
        return cls(
            max_attempts=settings.webhook_max_attempts,
            backoff_seconds=settings.webhook_backoff_seconds,
            timeout_seconds=settings.webhook_timeout_seconds,
            per_subscription=settings.webhook_subscription_concurrency,
            allow_private=settings.webhook_allow_private_targets,
            resolve=resolve,
        )


async def claim(engine: AsyncEngine, *, limit: int, per_subscription: int, lease: dt.timedelta) -> list:
    """Lease up to `limit` due deliveries, at most `per_subscription` in flight per subscription
    (counting those already leased by any worker), oldest due first; committed at once. Each
    row has what posting needs, and `leased_until`, the lease to record the outcome under."""
    delivery, event = model_table(WebhookDelivery), model_table(OutboxEvent)
    subscription = model_table(WebhookSubscription)
    now = func.now()
    # Every pending delivery that is in flight (leased) or due, numbered per subscription with
    # those in flight first: a due one numbered n has n - 1 in flight or ahead of it.
    every = delivery.alias("every")
    in_flight = func.coalesce(every.c.leased_until > now, false())
    ranked = (
        select(
            every.c.id,
            in_flight.label("in_flight"),
            func.row_number()
            .over(
                partition_by=every.c.subscription_id, order_by=(in_flight.desc(), every.c.next_attempt_at, every.c.id)
            )
            .label("place"),
        )
        .where(every.c.status == DeliveryStatus.PENDING, or_(in_flight, every.c.next_attempt_at <= now))
        .subquery("ranked")
    )
    candidate = delivery.alias("candidate")
    chosen = (
        select(candidate.c.id)
        .join(ranked, ranked.c.id == candidate.c.id)
        # The conditions on `candidate` itself are checked again on the row as locked, so a
        # delivery another worker leased after this statement began is not taken twice.
        .where(
            ~ranked.c.in_flight,
            ranked.c.place <= per_subscription,
            candidate.c.status == DeliveryStatus.PENDING,
            candidate.c.next_attempt_at <= now,
            or_(candidate.c.leased_until.is_(None), candidate.c.leased_until <= now),
        )
        .order_by(candidate.c.next_attempt_at, candidate.c.id)
        .limit(limit)
        .with_for_update(of=candidate, skip_locked=True)
    )
    statement = (
        update(delivery)
        .where(
            delivery.c.id.in_(chosen),
            delivery.c.event_id == event.c.id,
            delivery.c.subscription_id == subscription.c.id,
        )
        .values(leased_until=now + lease)
        .returning(
            delivery.c.id,
            delivery.c.attempts,
            delivery.c.leased_until,
            delivery.c.subscription_id,
            event.c.id.label("event_id"),
            event.c.type,
            event.c.payload,
            event.c.created_at.label("event_created_at"),
            subscription.c.url,
            subscription.c.secret,
            # The secret before a rotation, while it is still to be signed with.
            case((subscription.c.previous_secret_valid_until > now, subscription.c.previous_secret)).label(
                "previous_secret"
            ),
        )
    )
    async with engine.begin() as connection:
        return list((await connection.execute(statement)).all())


async def record(engine: AsyncEngine, row, outcome: dict, options: Options) -> bool:
    """Write the outcome of one try of a claimed delivery, if its lease is still ours (False:
    it ran out and the delivery may have been claimed again; nothing is written)."""
    delivery = model_table(WebhookDelivery)
    attempts = row.attempts + 1
    now = func.now()
    values = {"attempts": attempts, "last_attempt_at": now, "leased_until": None, **outcome}
    if outcome.get("last_error") is None:
        values.update(status=DeliveryStatus.DELIVERED, delivered_at=now)
    elif attempts >= options.max_attempts:
        values["status"] = DeliveryStatus.DEAD
    else:
        values["next_attempt_at"] = now + backoff(attempts, options.backoff_seconds)
    async with engine.begin() as connection:
        result = await connection.execute(
            update(delivery)
            .where(
                delivery.c.id == row.id,
                delivery.c.status == DeliveryStatus.PENDING,
                delivery.c.leased_until == row.leased_until,
            )
            .values(**values)
        )
    if result.rowcount != 1:
        log.warning("webhook.lease_lost", delivery=str(row.id), url=shown_url(row.url))
        metrics.DELIVERIES.labels("lease_lost").inc()
        return False
    dead = values.get("status") == DeliveryStatus.DEAD
    metrics.DELIVERIES.labels("delivered" if outcome.get("last_error") is None else "dead" if dead else "retry").inc()
    if values.get("status") == DeliveryStatus.DEAD:
        log.warning("webhook.dead_letter", delivery=str(row.id), url=shown_url(row.url), attempts=attempts)
    return True


def shown_url(url: str) -> str:
    """A receiver's URL as logs and traces show it: without a password or query string, which
    may hold the receiver's own credentials."""
    try:
        return str(httpx.URL(url).copy_with(userinfo=b"", query=None, fragment=None))
    except (httpx.InvalidURL, ValueError, TypeError):
        return "(not a URL)"


async def attempt(engine: AsyncEngine, client: httpx.AsyncClient, row, options: Options) -> bool:
    """Post one claimed delivery and record the outcome (see `record`)."""
    with tracing.span(
        "webhook POST", "client", **{"url.full": shown_url(row.url), "kvalitet.event_type": row.type}
    ) as traced:
        outcome = await _post(client, row, options)
        tracing.annotate(
            traced, **{"http.response.status_code": outcome["last_status_code"], "error.type": outcome["last_error"]}
        )
    return await record(engine, row, outcome, options)


async def deliver_due(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    *,
    max_attempts: int,
    backoff_seconds: float,
    batch: int = 10,
    per_subscription: int = 2,
    timeout_seconds: float = 10.0,
    allow_private: bool = False,
    resolve: Resolver | None = None,
) -> int:
    """Claim up to `batch` due deliveries, post them at once and record each outcome; returns
    how many were tried. One round of what `run` does continuously."""
    options = Options(max_attempts, backoff_seconds, timeout_seconds, per_subscription, allow_private, resolve)
    rows = await claim(engine, limit=batch, per_subscription=per_subscription, lease=options.lease)
    results = await asyncio.gather(*(attempt(engine, client, row, options) for row in rows), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return len(rows)


async def _post(client: httpx.AsyncClient, row, options: Options) -> dict:
    body = json.dumps(
        {"id": str(row.event_id), "type": row.type, "createdAt": row.event_created_at.isoformat(), "data": row.payload},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    in_use = [row.secret, *([row.previous_secret] if row.previous_secret else [])]
    headers = {
        "Content-Type": "application/json",
        **standard_headers(in_use, str(row.event_id), body),
        HEADER: sign(row.secret, body),  # deprecated: Standard Webhooks' headers replace it
        "Kvalitet-Event-Id": str(row.event_id),
        "Kvalitet-Event-Type": row.type,
        "Kvalitet-Delivery-Id": str(row.id),
        # One connection per post: a connection opened to one host's address (and TLS name)
        # is never reused for another host that resolves to the same address.
        "Connection": "close",
    }
    try:
        async with asyncio.timeout(options.timeout_seconds):
            targets = await pin(row.url, allow_private=options.allow_private, resolve=options.resolve)
            for number, target in enumerate(targets, 1):
                request = client.build_request(
                    "POST",
                    target.url,
                    content=body,
                    headers={**headers, **target.headers},
                    extensions=target.extensions,
                )
                try:
                    # Only the status is read, never the body; redirects are not followed.
                    response = await client.send(request, stream=True, follow_redirects=False)
                except httpx.ConnectError:
                    if number == len(targets):
                        raise
                    continue  # nothing was sent: try the host's next (checked) address
                await response.aclose()
                break
    except Refused as refusal:
        log.warning("webhook.refused", delivery=str(row.id), reason=str(refusal))
        return {"last_status_code": None, "last_error": f"refused: {refusal}"[:1000]}
    except TimeoutError:
        return {"last_status_code": None, "last_error": f"Timeout: no answer within {options.timeout_seconds:g} s"}
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:
        return {"last_status_code": None, "last_error": f"{type(error).__name__}: {error}"[:1000]}
    if 200 <= response.status_code < 300:
        return {"last_status_code": response.status_code, "last_error": None}
    return {"last_status_code": response.status_code, "last_error": f"HTTP {response.status_code}"}


def client_for(settings) -> httpx.AsyncClient:
    """The worker's HTTP client: no redirects, no proxies from the environment (through an
    HTTPS proxy, TLS would check the certificate against the checked address instead of the
    host name), and no cookies kept from one receiver for another. SSL_CERT_FILE and
    SSL_CERT_DIR still name the certificate authorities to trust."""
    return httpx.AsyncClient(
        timeout=settings.webhook_timeout_seconds,
        follow_redirects=False,
        trust_env=False,
        verify=httpx.create_ssl_context(trust_env=True),
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),  # keeps none
    )


async def run(engine: AsyncEngine, settings, stop: asyncio.Event, *, resolve: Resolver | None = None) -> None:
    """Deliver until `stop` is set. Claims whenever a place is free (`webhook_concurrency`
    posts at once), a post has finished, or `webhook_poll_seconds` have passed; posts run as
    tasks, so a slow receiver holds up only its own deliveries. At `stop`, posts in flight are
    finished (each within the timeout); if cancelled, they are cancelled too, and their leases
    run out before the deliveries are tried again."""
    options = Options.from_settings(settings, resolve)
    in_flight: set[asyncio.Task] = set()
    stopping = asyncio.ensure_future(stop.wait())
    async with client_for(settings) as client:
        try:
            while not stop.is_set():
                free = settings.webhook_concurrency - len(in_flight)
                if free > 0:
                    try:
                        rows = await claim(
                            engine, limit=free, per_subscription=options.per_subscription, lease=options.lease
                        )
                    except Exception:  # the loop must survive a bad moment of the database
                        log.exception("webhook.worker_error")
                        rows = []
                    in_flight.update(asyncio.create_task(_attempt_logged(engine, client, row, options)) for row in rows)
                full = len(in_flight) >= settings.webhook_concurrency
                done, _ = await asyncio.wait(
                    {stopping, *in_flight},
                    timeout=None if full else settings.webhook_poll_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                in_flight -= done
            if in_flight:
                await asyncio.wait(in_flight)
        finally:
            for task in (stopping, *in_flight):
                task.cancel()
            await asyncio.gather(stopping, *in_flight, return_exceptions=True)


async def _attempt_logged(engine: AsyncEngine, client: httpx.AsyncClient, row, options: Options) -> None:
    try:
        await attempt(engine, client, row, options)
    except Exception:  # the outcome could not be recorded: the lease runs out, the delivery is tried again
        log.exception("webhook.worker_error", delivery=str(row.id))
