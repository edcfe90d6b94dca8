"""Development tokens: signed here with a key kept in the data directory.

`kvalitet token create --role sector_admin --municipality 5501` prints one. They are HS256
JWTs with issuer `kvalitet-local`. The service owns the key: `kvalitet serve` makes it in its
data directory at start (readable by its owner only), and `token create` signs with the key it
finds there, refusing when there is none (a key of its own would make tokens the service
refuses). Production sets `KVALITET_LOCAL_TOKENS=false` and uses an OIDC provider instead.
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
    """The key in `data_dir`; made there first when `create` (None when absent otherwise)."""
    path = key_path(data_dir)
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it just now: use that one
        return bytes.fromhex(path.read_text().strip())
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key.hex())
    return key


def create_token(data_dir: Path, *, subject: str, roles: list[dict], ttl: dt.timedelta, create_key: bool = True) -> str:
    """A token signed with the key in `data_dir`; without `create_key`, NoServiceKey when
    there is none."""
    key = signing_key(data_dir, create=create_key)
    if key is None:
        raise NoServiceKey(key_path(data_dir))
    now = dt.datetime.now(dt.UTC)
    claims = {"iss": ISSUER, "sub": subject, "iat": now, "exp": now + ttl, "roles": roles}
    return jwt.encode(claims, key, algorithm=ALGORITHM)


class NoServiceKey(LookupError):
    """The data directory holds no key of a service."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


def verify(token: str, key: bytes) -> dict:
    """The claims of a valid token; raises jwt.InvalidTokenError (expired, forged …)."""
    return jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "iss", "sub"]})
