"""The signatures on every delivery, and how a receiver checks them (docs/webhooks.md).

Standard Webhooks (https://www.standardwebhooks.com/): `webhook-id` (the event's id, the same on
every retry), `webhook-timestamp` (unix seconds of the attempt) and `webhook-signature`
(`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one for each secret in use, separated by
spaces), made by the `standardwebhooks` library, so any of its implementations verifies them.
A secret is `whsec_<base64 of 32 random bytes>`. A subscription made before these secrets has a
secret of another form: its key is the secret's own bytes (a receiver gives the library
`whsec_` + base64 of the secret), until it is rotated.

Deprecated, still sent: `Kvalitet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
"<t>.<raw body>")>`, signed with the current secret.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable

from standardwebhooks import Webhook

HEADER = "Kvalitet-Signature"
PREFIX = "whsec_"


def new_secret() -> str:
    """A Standard Webhooks secret: 32 random bytes."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> str | bytes:
    # An older secret is no base64: its bytes are the key.
    return secret if secret.startswith(PREFIX) else secret.encode()


def standard_headers(
    secrets_in_use: Iterable[str], message_id: str, body: bytes, timestamp: dt.datetime | None = None
) -> dict[str, str]:
    """The Standard Webhooks headers of a delivery, signed with each of `secrets_in_use`."""
    at = dt.datetime.now(dt.UTC) if timestamp is None else timestamp
    text = body.decode()
    signatures = [Webhook(_key(secret)).sign(message_id, at, text) for secret in secrets_in_use]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The deprecated `Kvalitet-Signature` header's value."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = 300, now: float | None = None) -> bool:
    """True when `header` (`Kvalitet-Signature`) signs `body` with `secret` and is at most
    `tolerance` seconds old."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split(",", 1)[1].removeprefix("v1=")
    return hmac.compare_digest(expected, parts.get("v1", ""))
