"""Tokens from an OIDC provider (Feide, ID-porten, a municipality's Entra ID …).

Configured by issuer and JWKS URL; which claims hold the subject and the roles is
configurable, so a provider works without code. The JWKS is fetched with httpx and kept for
`KVALITET_OIDC_JWKS_TTL` seconds; an unknown key id triggers one early refresh (key rotation).
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import jwt


class OidcVerifier:
    def __init__(self, *, issuer: str, jwks_url: str, audience: str | None, algorithms: list[str], ttl: float = 3600):
        self.issuer = issuer
        self.jwks_url = jwks_url
        self.audience = audience
        self.algorithms = algorithms
        self.ttl = ttl
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched = 0.0
        self._lock = asyncio.Lock()

    async def _refresh(self, *, force: bool = False) -> None:
        async with self._lock:
            if not force and time.monotonic() - self._fetched < self.ttl and self._keys:
                return
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.get(self.jwks_url)
                response.raise_for_status()
            keys = {}
            for data in response.json().get("keys", []):
                try:
                    key = jwt.PyJWK(data)
                except jwt.PyJWKError:
                    continue  # a key of a kind we do not use
                keys[data.get("kid", "")] = key
            self._keys, self._fetched = keys, time.monotonic()

    async def verify(self, token: str) -> dict:
        """The claims of a valid token; raises jwt.InvalidTokenError otherwise."""
        header = jwt.get_unverified_header(token)
        kid = header.get("kid", "")
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
    value = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    if isinstance(value, str) and value.startswith("["):
        return json.loads(value)
    return value
