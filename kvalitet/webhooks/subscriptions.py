"""Managing webhook subscriptions (a sector admin's, or an integrator's with `webhooks:manage`)."""

from __future__ import annotations

import secrets
import uuid
from urllib.parse import urlsplit

from ..models import Municipality, WebhookSubscription
from ..services.context import ServiceContext
from ..services.errors import INVALID_VALUE
from ..services.events import EVENT_TYPES
from ..services.units import UNSET
from ..services.validation import Checker


def _check_url(checker: Checker, url: str | None, allow_http: bool) -> str | None:
    url = checker.text(url, "url", max_length=2000)
    if url is None:
        return None
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    checker.check(
        parts.scheme in schemes and bool(parts.hostname),
        INVALID_VALUE,
        f"The URL must be {' or '.join(schemes)}:// with a host.",
        "url",
    )
    return url


def _check_events(checker: Checker, event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    shown = ", ".join(e[:40] for e in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
    checker.check(not unknown, INVALID_VALUE, f"Unknown event types: {shown} (known: {', '.join(EVENT_TYPES)}).", "eventTypes")
    checker.check(bool(event_types), INVALID_VALUE, "Subscribe to at least one event type.", "eventTypes")
    return sorted(set(event_types))


async def create_subscription(
    ctx: ServiceContext, municipality_id: uuid.UUID, url: str, event_types: list[str], description: str | None,
    *, allow_http: bool,
) -> tuple[WebhookSubscription, str]:
    municipality = await ctx.load(Municipality, municipality_id, "municipality", action="manage_webhooks", field_name="municipalityId")
    checker = Checker()
    url = _check_url(checker, url, allow_http)
    event_types = _check_events(checker, event_types)
    description = checker.text(description, "description", max_length=500, required=False)
    checker.raise_if_any()
    secret = secrets.token_urlsafe(32)
    subscription = WebhookSubscription(
        municipality_id=municipality.id, url=url, event_types=event_types, secret=secret, description=description
    )
    ctx.session.add(subscription)
    await ctx.session.flush()
    return subscription, secret


async def update_subscription(
    ctx: ServiceContext, subscription_id: uuid.UUID, version: int, *, url=UNSET, event_types=UNSET, active=UNSET,
    allow_http: bool,
) -> WebhookSubscription:
    subscription = await ctx.load_for_change(WebhookSubscription, subscription_id, version, "webhook subscription")
    checker = Checker()
    if url is not UNSET:
        subscription.url = _check_url(checker, url, allow_http)
    if event_types is not UNSET:
        subscription.event_types = _check_events(checker, event_types or [])
    if active is not UNSET:
        subscription.active = bool(active)
    checker.raise_if_any()
    await ctx.session.flush()
    return subscription


async def delete_subscription(ctx: ServiceContext, subscription_id: uuid.UUID, version: int) -> WebhookSubscription:
    subscription = await ctx.load_for_change(WebhookSubscription, subscription_id, version, "webhook subscription", action="delete")
    await ctx.session.delete(subscription)
    await ctx.session.flush()
    return subscription
