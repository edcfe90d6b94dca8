"""API keys for integrators: made here, shown once, stored as a SHA-256 of their secret."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from kvalitet.access.actor import Actor, Grant
from kvalitet.access.roles import API_KEY_SCOPES
from kvalitet.messages import text
from kvalitet.models import ApiKey, Municipality
from kvalitet.models.base import model_table
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import INVALID_STATE, fail
from kvalitet.services.validation import NAME_MAX, Checker

# An API key calls as `apikey:<its prefix>` (the rate limits take a key's own limit by it).
CALLER_PREFIX = "apikey:"

PREFIX = "kv_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key() -> tuple[str, str, str]:
    """A new key: (the whole key to show once, its prefix, the hash to store)."""
    prefix, secret = secrets.token_hex(5), secrets.token_urlsafe(32)
    return f"{PREFIX}{prefix}_{secret}", prefix, _hash(secret)


async def create_api_key(
    ctx: ServiceContext, municipality_id: uuid.UUID, name: str, scopes: list[str]
) -> tuple[ApiKey, str]:
    municipality = await ctx.load(
        Municipality, municipality_id, "municipality", action="manage_api_keys", field_name="municipalityId"
    )
    checker = Checker()
    checked_name = checker.text(name, "name", max_length=NAME_MAX)
    checker.among(scopes, API_KEY_SCOPES, "scopes")
    checker.raise_if_any()
    assert checked_name is not None  # required: refused above when empty
    key, prefix, secret_hash = new_key()
    row = ApiKey(
        municipality_id=municipality.id,
        name=checked_name,
        prefix=prefix,
        secret_hash=secret_hash,
        scopes=sorted(set(scopes)),
        created_by=ctx.actor.name,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    return row, key


async def revoke_api_key(ctx: ServiceContext, key_id: uuid.UUID, version: int) -> ApiKey:
    row = await ctx.load_for_change(ApiKey, key_id, version, "API key", action="revoke")
    if row.revoked_at is not None:
        fail(INVALID_STATE, text("api_key.revoked_already"), "id")
    row.revoked_at = dt.datetime.now(dt.UTC)
    await ctx.session.flush()
    return row


async def actor_for_key(engine: AsyncEngine, key: str) -> Actor | None:
    """The integrator a key belongs to; None for an unknown, wrong or revoked key."""
    body = key[len(PREFIX) :]
    prefix, _, secret = body.partition("_")
    if not prefix or not secret:
        return None
    async with engine.begin() as connection:
        row = (
            await connection.execute(
                select(ApiKey.id, ApiKey.secret_hash, ApiKey.scopes, ApiKey.municipality_id, ApiKey.last_used_at).where(
                    ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None)
                )
            )
        ).first()
        if row is None or not hmac.compare_digest(row.secret_hash, _hash(secret)):
            return None
        now = dt.datetime.now(dt.UTC)
        if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
            # Bookkeeping, not a change of the key: written directly, not logged, at most every 5 minutes.
            await connection.execute(update(model_table(ApiKey)).where(ApiKey.id == row.id).values(last_used_at=now))
    return Actor(
        id=f"{CALLER_PREFIX}{prefix}",
        grants=(Grant("integrator", municipality_id=row.municipality_id),),
        scopes=frozenset(row.scopes),
    )
