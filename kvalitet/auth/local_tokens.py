"""Development tokens: signed here with a key kept in the data directory.

`kvalitet token create --role sector_admin --municipality 5501` prints one. They are HS256
JWTs with issuer `kvalitet-local`; the key is made on first use, readable by its owner only.
Production sets `KVALITET_LOCAL_TOKENS=false` and uses an OIDC provider instead.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import jwt

ISSUER = "kvalitet-local"
ALGORITHM = "HS256"


def key_path(data_dir: Path) -> Path:
    return Path(data_dir) / "auth" / "local-token.key"


def signing_key(data_dir: Path, *, create: bool = True) -> bytes | None:
    path = key_path(data_dir)
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key.hex())
    return key


def create_token(data_dir: Path, *, subject: str, roles: list[dict], ttl: dt.timedelta) -> str:
    now = dt.datetime.now(dt.timezone.utc)
    claims = {"iss": ISSUER, "sub": subject, "iat": now, "exp": now + ttl, "roles": roles}
    return jwt.encode(claims, signing_key(data_dir), algorithm=ALGORITHM)


def verify(token: str, key: bytes) -> dict:
    """The claims of a valid token; raises jwt.InvalidTokenError (expired, forged …)."""
    return jwt.decode(
        token, key, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "iss", "sub"]}
    )
