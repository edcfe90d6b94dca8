"""An integrator's API key: shown once, stored as a hash, with scopes, for one municipality."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ARRAY, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Entity


class ApiKey(Entity):
    __tablename__ = "api_key"

    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    # The key is `kv_<prefix>_<secret>`: the prefix finds the row, the secret's SHA-256 proves it.
    # The secret is 256 random bits, so a plain hash is safe (no password stretching needed).
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    created_by: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
