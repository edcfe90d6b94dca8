"""Managing webhook subscriptions (a sector admin's, or an integrator's with `webhooks:manage`)."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import SplitResult, urlsplit

import httpx

from kvalitet.messages import text
from kvalitet.models import Municipality, WebhookSubscription
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import INVALID_VALUE
from kvalitet.services.events import EVENT_TYPES
from kvalitet.services.units import UNSET
from kvalitet.services.validation import Checker
from kvalitet.webhooks.signing import new_secret
from kvalitet.webhooks.targets import host_refusal


def _check_url(checker: Checker, url: str | None, allow_http: bool, allow_private: bool) -> str | None:
    url = checker.text(url, "url", max_length=2000)
    if url is None:
        return None
    schemes = ("https", "http") if allow_http else ("https",)
    parts: SplitResult | None
    posted: httpx.URL | None
    try:
        parts, posted = urlsplit(url), httpx.URL(url)  # posted: as the worker will read it
        _ = parts.port  # a port out of range raises
    except (ValueError, httpx.InvalidURL):
        parts = posted = None
    valid = (
        parts is not None
        and posted is not None
        and parts.scheme in schemes
        and bool(parts.hostname)
        and bool(posted.host)
    )
    shown = " / ".join(f"{scheme}://" for scheme in schemes)
    checker.check(valid, INVALID_VALUE, text("webhook.url_form", schemes=shown), "url")
    if valid and not allow_private:
        assert parts is not None and posted is not None and parts.hostname is not None  # (valid)
        # Only a host that is not public by its very spelling; where a name leads is checked
        # at every delivery (targets.pin).
        refusal = host_refusal(posted.host) or host_refusal(parts.hostname)
        checker.check(refusal is None, INVALID_VALUE, text("webhook.not_public", reason=refusal), "url")
    return url


def _check_events(checker: Checker, event_types: list[str]) -> list[str]:
    return checker.among(event_types, EVENT_TYPES, "eventTypes")


async def create_subscription(
    ctx: ServiceContext,
    municipality_id: uuid.UUID,
    url: str,
    event_types: list[str],
    description: str | None,
    *,
    allow_http: bool,
    allow_private: bool = False,
) -> tuple[WebhookSubscription, str]:
    municipality = await ctx.load(
        Municipality, municipality_id, "municipality", action="manage_webhooks", field_name="municipalityId"
    )
    checker = Checker()
    checked_url = _check_url(checker, url, allow_http, allow_private)
    event_types = _check_events(checker, event_types)
    description = checker.text(description, "description", max_length=500, required=False)
    checker.raise_if_any()
    assert checked_url is not None  # required: refused above when empty
    secret = new_secret()
    subscription = WebhookSubscription(
        municipality_id=municipality.id,
        url=checked_url,
        event_types=event_types,
        secret=secret,
        description=description,
    )
    ctx.session.add(subscription)
    await ctx.session.flush()
    return subscription, secret


async def update_subscription(
    ctx: ServiceContext,
    subscription_id: uuid.UUID,
    version: int,
    *,
    url=UNSET,
    event_types=UNSET,
    active=UNSET,
    allow_http: bool,
    allow_private: bool = False,
) -> WebhookSubscription:
    subscription = await ctx.load_for_change(WebhookSubscription, subscription_id, version, "webhook subscription")
    checker = Checker()
    if url is not UNSET:
        checked_url = _check_url(checker, url, allow_http, allow_private)
        if checked_url is not None:  # else REQUIRED, refused below
            subscription.url = checked_url
    if event_types is not UNSET:
        subscription.event_types = _check_events(checker, event_types or [])
    if active is not UNSET:
        subscription.active = bool(active)
    checker.raise_if_any()
    await ctx.session.flush()
    return subscription


# How long a rotated secret may stay valid beside the new one: a week, at most.
MAX_OVERLAP_HOURS = 168


async def rotate_secret(
    ctx: ServiceContext, subscription_id: uuid.UUID, version: int, overlap_hours: int
) -> tuple[WebhookSubscription, str]:
    """Give the subscription a new secret; deliveries are signed with the old one too for
    `overlap_hours` (0: from now on with the new one alone). Returns the new secret, shown once."""
    subscription = await ctx.load_for_change(WebhookSubscription, subscription_id, version, "webhook subscription")
    checker = Checker()
    checker.check(
        0 <= overlap_hours <= MAX_OVERLAP_HOURS,
        INVALID_VALUE,
        text("input.between", argument="overlapHours", low=0, high=MAX_OVERLAP_HOURS),
        "overlapHours",
    )
    checker.raise_if_any()
    secret = new_secret()
    subscription.previous_secret = subscription.secret if overlap_hours else None
    subscription.previous_secret_valid_until = (
        dt.datetime.now(dt.UTC) + dt.timedelta(hours=overlap_hours) if overlap_hours else None
    )
    subscription.secret = secret
    await ctx.session.flush()
    return subscription, secret


async def delete_subscription(ctx: ServiceContext, subscription_id: uuid.UUID, version: int) -> WebhookSubscription:
    subscription = await ctx.load_for_change(
        WebhookSubscription, subscription_id, version, "webhook subscription", action="delete"
    )
    await ctx.session.delete(subscription)
    await ctx.session.flush()
    return subscription
