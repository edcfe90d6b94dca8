"""Idempotency keys: the first result of a mutation, kept so a repeat returns it again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Base


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_record"

    # Scoped by the caller's whole identity (`Actor.identity`: subject, grants, scopes), so two
    # callers never meet, not even two with the same subject and other grants.
    caller: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    actor: Mapped[str] = mapped_column(Text)  # the caller's name, for people reading the table
    mutation: Mapped[str] = mapped_column(String(80))
    request_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict] = mapped_column(JSONB)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
