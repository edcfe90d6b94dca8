"""Tokens from an OIDC provider (Feide, ID-porten, a municipality's Entra ID …).

Configured by issuer and JWKS URL; which claims hold the subject and the roles is
configurable, so a provider works without code. The JWKS is fetched with httpx and kept for
`KVALITET_OIDC_JWKS_TTL` seconds; an unknown key id triggers an early refresh (key rotation),
at most once per `KVALITET_OIDC_JWKS_COOLDOWN` seconds, so tokens with made-up key ids cannot
make the service fetch the JWKS again and again.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import jwt


class OidcVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        jwks_url: str,
        audience: str | None,
        algorithms: list[str],
        ttl: float = 3600,
        cooldown: float = 60,
    ):
        self.issuer = issuer
        self.jwks_url = jwks_url
        self.audience = audience
        self.algorithms = algorithms
        self.ttl = ttl
        self.cooldown = cooldown
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # how many times the JWKS was fetched (for the metrics and tests)

    async def _refresh(self, *, force: bool = False) -> None:
        async with self._lock:  # callers waiting here find the keys the first one fetched
            age = None if self._fetched is None else time.monotonic() - self._fetched
            if age is not None and (age < self.cooldown or (not force and age < self.ttl and self._keys)):
                return
            self.fetches += 1
            # A failed fetch counts too: the cooldown bounds the tries while the provider is down.
            self._fetched = time.monotonic()
            try:
                async with httpx.AsyncClient(timeout=10) as client:
                    response = await client.get(self.jwks_url)
                    response.raise_for_status()
                published = response.json().get("keys", [])
            except (httpx.HTTPError, ValueError, AttributeError) as error:
                raise jwt.InvalidTokenError(
                    f"the issuer's keys could not be fetched ({type(error).__name__})"
                ) from error
            keys = {}
            for data in published if isinstance(published, list) else []:
                if not isinstance(data, dict):
                    continue
                try:
                    key = jwt.PyJWK(data)
                except (jwt.PyJWKError, jwt.InvalidKeyError, TypeError, ValueError):
                    continue  # a key of a kind we do not use
                keys[str(data.get("kid", ""))] = key
            self._keys = keys

    async def verify(self, token: str) -> dict:
        """The claims of a valid token; raises jwt.InvalidTokenError otherwise."""
        header = jwt.get_unverified_header(token)
        kid = header.get("kid", "")
        if not isinstance(kid, str):
            raise jwt.InvalidTokenError("the token's key id is not a string")
        await self._refresh()
        if kid not in self._keys:
            await self._refresh(force=True)
        key = self._keys.get(kid)
        if key is None:
            raise jwt.InvalidTokenError("the token is signed with a key the issuer does not publish")
        return jwt.decode(
            token,
            key,
            algorithms=self.algorithms,
            issuer=self.issuer,
            audience=self.audience,
            options={"require": ["exp", "iss", "sub"], "verify_aud": self.audience is not None},
        )


def claim(claims: dict, path: str):
    """A claim by a dotted path (`realm_access.roles`); a JSON string value is decoded."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    if isinstance(value, str) and value.startswith("["):
        return json.loads(value)
    return value
