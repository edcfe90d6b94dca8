"""The change log: who changed what, and when, for every domain row."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Base, one_of
from kvalitet.models.enums import ChangeAction


class ChangeLog(Base):
    """One row per created, updated or deleted domain row.

    Append-only: rows are never updated, so it carries no `updated_at` or `version`. The
    serial id orders changes exactly (timestamps can tie within a transaction), which makes
    it a cursor for incremental sync.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        one_of("action", ChangeAction),
        Index("ix_change_log_entity", "entity_type", "entity_id", "id"),
        Index("ix_change_log_municipality", "municipality_id", "id"),
        Index("ix_change_log_feed", "tx_id", "id"),
        # The feed of one municipality or unit, without walking past other tenants' changes.
        Index("ix_change_log_municipality_feed", "municipality_id", "tx_id", "id"),
        Index("ix_change_log_unit_feed", "unit_id", "tx_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # The writing transaction's id. The change feed orders by (tx_id, id) and shows only
    # transactions older than every running one, so a change committed late is never skipped.
    tx_id: Mapped[int] = mapped_column(BigInteger, server_default=text("pg_current_xact_id()::text::bigint"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str | None] = mapped_column(Text)
    # Whose change it is, for access: integrators and units see only their own changes.
    municipality_id: Mapped[uuid.UUID | None] = mapped_column()
    unit_id: Mapped[uuid.UUID | None] = mapped_column()
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[uuid.UUID] = mapped_column()
    action: Mapped[str] = mapped_column(String(10))
    changes: Mapped[dict] = mapped_column(JSONB, server_default="{}")
