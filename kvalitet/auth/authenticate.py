"""From the `Authorization` header to an `Actor`: anonymous, a person (local or OIDC token),
or an integrator (API key). A header that is there but wrong is refused, never ignored."""

from __future__ import annotations

import time
from typing import Any

import jwt
from sqlalchemy.ext.asyncio import AsyncEngine

from kvalitet.access.actor import ANONYMOUS, Actor
from kvalitet.auth import local_tokens
from kvalitet.auth.api_keys import PREFIX, actor_for_key
from kvalitet.auth.claims import ClaimError, parse_roles, resolve
from kvalitet.auth.oidc import OidcVerifier, claim
from kvalitet.db.outage import once_more_if_dead
from kvalitet.infra.caches import LRUCache, TimedCache
from kvalitet.infra.log import get_logger
from kvalitet.infra.settings import Settings

log = get_logger(__name__)


# OIDC allows subjects of 255 ASCII characters; the change log records them whole.
MAX_SUBJECT = 255


def _recordable(subject) -> bool:
    """Can the subject name a person in the change log? Text of printable characters (no
    control character, NUL or lone surrogate is printable)."""
    return isinstance(subject, str) and len(subject) <= MAX_SUBJECT and subject.isprintable()


# The code of a request whose credentials are not valid (401).
UNAUTHENTICATED = "UNAUTHENTICATED"


class AuthenticationError(Exception):
    """The credentials were given but are not valid; answered with 401."""


class Authenticator:
    def __init__(self, settings: Settings, engine: AsyncEngine):
        self.settings = settings
        self.engine = engine
        self._local_key: bytes | None = None
        self._verified: LRUCache[dict[str, Any]] = LRUCache(1024)
        # Municipality numbers in roles → ids; ids never change, so they are kept a minute.
        self._municipality_ids = TimedCache(seconds=60)
        # A token's caller, when all it says was found from those ids alone (no unit role, every
        # municipality known): the same answer the ids would give for that minute, without
        # parsing its roles again on every request.
        self._actors = TimedCache(seconds=60)
        self.oidc = (
            OidcVerifier(
                issuer=settings.oidc_issuer,
                jwks_url=settings.oidc_jwks_url,
                audience=settings.oidc_audience,
                algorithms=settings.oidc_algorithms,
                ttl=settings.oidc_jwks_ttl,
                cooldown=settings.oidc_jwks_cooldown,
            )
            if settings.oidc_issuer and settings.oidc_jwks_url
            else None
        )

    def _local(self) -> bytes | None:
        if self._local_key is None and self.settings.local_tokens:
            self._local_key = local_tokens.signing_key(self.settings.data_dir, create=False)
        return self._local_key

    async def authenticate(self, authorization: str | None) -> Actor:
        if not authorization:
            return ANONYMOUS
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError("Send credentials as `Authorization: Bearer <token or API key>`.")
        if token.startswith(PREFIX):
            actor = await once_more_if_dead(lambda: actor_for_key(self.engine, token))
            if actor is None:
                raise AuthenticationError("The API key is not valid (unknown or revoked).")
            return actor
        claims = await self._verify(token)
        known: Actor | None = self._actors.get(token)
        if known is not None:
            return known
        local = claims.get("iss") == local_tokens.ISSUER
        subject = claims["sub"] if local else claim(claims, self.settings.oidc_subject_claim)
        try:
            roles = parse_roles(claims.get("roles") if local else claim(claims, self.settings.oidc_roles_claim))
        except ClaimError as error:
            raise AuthenticationError(f"The token's roles are not understood: {error}.") from error
        if not subject:
            raise AuthenticationError("The token names no subject.")
        if not _recordable(subject):
            raise AuthenticationError(
                f"The token's subject is not a text of at most {MAX_SUBJECT} printable characters."
            )
        actor = Actor(
            id=f"user:{subject}",
            grants=await once_more_if_dead(lambda: resolve(self.engine, roles, self._municipality_ids)),
        )
        # A unit's roles are looked up on every request (they end when it is archived), and a
        # municipality not found may be made any moment: only a caller found whole is kept.
        if not any(role.unit for role in roles) and len(actor.grants) == len(roles):
            self._actors.put(token, actor)
        return actor

    async def _verify(self, token: str) -> dict:
        # A token verified before is not checked again until it expires: its signature and
        # claims cannot change. Tokens without an expiry are verified every time.
        known = self._verified.get(token)
        if known is not None and time.time() < known["exp"]:
            return known
        claims = await self._verify_signature(token)
        if isinstance(claims.get("exp"), (int, float)):
            self._verified.put(token, claims)
        return claims

    async def _verify_signature(self, token: str) -> dict:
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.InvalidTokenError as error:
            raise AuthenticationError("The token is neither a JWT nor an API key.") from error
        try:
            if issuer == local_tokens.ISSUER and (key := self._local()) is not None:
                return local_tokens.verify(token, key)
            if self.oidc is not None and issuer == self.oidc.issuer:
                return await self.oidc.verify(token)
        except jwt.ExpiredSignatureError as error:
            raise AuthenticationError("The token has expired.") from error
        except jwt.InvalidTokenError as error:
            raise AuthenticationError(f"The token is not valid: {error}.") from error
        raise AuthenticationError("The token's issuer is not trusted here.")
