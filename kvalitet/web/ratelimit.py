"""Fair limits: each caller, and each municipality (the tenant) over all its callers, may spend so
many query-cost units a minute, as GitHub's and Shopify's GraphQL APIs count theirs. A request
costs what the query cost extension counts (objects asked for; at least 1). The cost is charged
when the answer is written; a caller or tenant whose budget is spent is refused (429,
`RATE_LIMITED`, with `Retry-After`) until enough has come back. Every answer says where the
caller stands in the `RateLimit-Policy` and `RateLimit` header fields (IETF httpapi draft).

The budgets are token buckets in each process's memory (no round trip to the database on the
fast path): with several workers each holds its share of the limit, and the kernel spreads
connections over the workers. Written here rather than taken from a library because the few
lines of a token bucket are less than a library's adapter to the cost of a GraphQL request."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kvalitet.access.actor import Actor
from kvalitet.auth.api_keys import CALLER_PREFIX
from kvalitet.infra.caches import LRUCache
from kvalitet.infra.observed import Exchange
from kvalitet.infra.settings import Settings
from kvalitet.messages import Text, text

RATE_LIMITED = "RATE_LIMITED"
WINDOW_SECONDS = 60


class Bucket:
    """`capacity` units, refilled at `capacity` per window; may go below zero by one request's cost
    (the cost is known only once the request ran), and refuses until it is above zero again."""

    def __init__(self, capacity: float, now: float):
        self.capacity = capacity
        self.level = capacity
        self.at = now

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.at) * self.capacity / WINDOW_SECONDS)
        self.at = now

    def seconds_until(self, level: float) -> float:
        """How long until the bucket holds `level` again."""
        return max(0.0, (level - self.level) * WINDOW_SECONDS / self.capacity)


@dataclass
class Standing:
    """A request's buckets: the caller's and its tenant's (None when it has none or no limit)."""

    caller: Bucket | None
    tenant: Bucket | None

    def buckets(self) -> list[tuple[str, Bucket]]:
        return [(name, b) for name, b in (("caller", self.caller), ("tenant", self.tenant)) if b is not None]

    def refused_for(self, cost: int = 1) -> float | None:
        """Seconds until a request of `cost` may run, or None: it may run now. A bucket smaller
        than the cost (a worker's share of a small limit) needs only to be full."""
        needs = [(bucket, min(max(1, cost), bucket.capacity)) for _, bucket in self.buckets()]
        waits = [bucket.seconds_until(need) for bucket, need in needs if bucket.level < need]
        return max(waits) if waits else None

    def charge(self, cost: int) -> None:
        for _, bucket in self.buckets():
            bucket.level -= max(1, cost)

    def admit(self, cost: int) -> float | None:
        """Charge `cost` now if every bucket can afford it (None); else the seconds until it could.
        Charged when the cost is known, before the operation runs, so requests sent at once
        cannot all pass on one budget."""
        wait = self.refused_for(cost)
        if wait is None:
            self.charge(cost)
        return wait

    def headers(self) -> list[tuple[bytes, bytes]]:
        """`RateLimit-Policy` and `RateLimit` for each of the request's buckets (the draft's
        structured fields: quota `q` per window `w`; remaining `r` and seconds `t` until full)."""
        policies = ", ".join(f'"{name}";q={int(b.capacity)};w={WINDOW_SECONDS}' for name, b in self.buckets())
        standing = ", ".join(
            f'"{name}";r={max(0, math.floor(b.level))};t={math.ceil(b.seconds_until(b.capacity))}'
            for name, b in self.buckets()
        )
        return [(b"ratelimit-policy", policies.encode()), (b"ratelimit", standing.encode())]


class RateLimits:
    """The buckets of one process, by caller and by tenant (least recently used ones forgotten:
    a forgotten bucket is a full one, which is what an idle caller's would be by then)."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic):
        share = 1 / settings.workers  # each worker holds its share of the limit
        self.caller_limit = settings.rate_limit_cost_per_minute * share
        self.role_limits = {role: limit * share for role, limit in settings.rate_limit_roles.items()}
        self.key_limits = {key: limit * share for key, limit in settings.rate_limit_api_keys.items()}
        self.tenant_limit = settings.rate_limit_tenant_cost_per_minute * share
        self.clock = clock
        self.callers: LRUCache[Bucket] = LRUCache(10_000)
        self.tenants: LRUCache[Bucket] = LRUCache(2_000)

    @classmethod
    def of(cls, settings: Settings) -> RateLimits | None:
        """The limits the settings ask for; None when there are none."""
        limited = (
            settings.rate_limit_cost_per_minute
            or settings.rate_limit_tenant_cost_per_minute
            or settings.rate_limit_roles
            or settings.rate_limit_api_keys
        )
        return cls(settings) if limited else None

    def limit_of(self, actor: Actor) -> float:
        """The caller's units a minute: its API key's, else the most generous of its roles', else
        the default (0: no limit of its own)."""
        key = actor.id.removeprefix(CALLER_PREFIX) if actor.id and actor.id.startswith(CALLER_PREFIX) else None
        if key is not None and key in self.key_limits:
            return self.key_limits[key]
        by_role = [self.role_limits[g.role] for g in actor.grants if g.role in self.role_limits]
        return max(by_role) if by_role else self.caller_limit

    def standing(self, actor: Actor, client: str | None) -> Standing:
        now = self.clock()
        caller_key = actor.identity if not actor.anonymous else f"client:{client}"
        limit = self.limit_of(actor)
        caller = self._bucket(self.callers, caller_key, limit, now) if limit > 0 and not actor.system else None
        tenant = None
        municipalities = {str(g.municipality_id) for g in actor.grants if g.municipality_id is not None}
        if self.tenant_limit > 0 and len(municipalities) == 1:
            tenant = self._bucket(self.tenants, municipalities.pop(), self.tenant_limit, now)
        return Standing(caller, tenant)

    def _bucket(self, buckets: LRUCache[Bucket], key: str, capacity: float, now: float) -> Bucket:
        bucket = buckets.get(key)
        if bucket is None or bucket.capacity != capacity:
            bucket = Bucket(capacity, now)
            buckets.put(key, bucket)
        bucket.refill(now)
        return bucket


def refusal(seconds: float) -> tuple[Text, dict[str, object]]:
    """What a refused caller reads, and the error's extensions besides its code."""
    wait = max(1, math.ceil(seconds))
    return text("limit.rate_limited", seconds=wait), {"code": RATE_LIMITED, "retryAfter": wait}


def watching(standing: Standing, exchange: Exchange | None, send) -> Callable[[dict], Awaitable[None]]:
    """The request's budget on its record (`observed.admit` charges an operation when its cost is
    known), and `send` that charges a request not charged that way (a repeated request, a learnt
    write, a refused one: their cost as recorded, or 1) when its answer starts, and adds the
    headers."""
    if exchange is not None:

        def admit(cost: int) -> float | None:
            exchange.charged = True  # charged now, or refused (a refused operation costs nothing)
            return standing.admit(cost)

        exchange.admit = admit

    async def sending(message: dict) -> None:
        if message["type"] == "http.response.start":
            if exchange is None or not exchange.charged:
                standing.charge((exchange.cost if exchange else None) or 1)
            message = {**message, "headers": [*message.get("headers", []), *standing.headers()]}
        await send(message)

    return sending
