"""A published sector report: the frozen roll-up of a municipality's unit reports for a period."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Entity


class SectorReport(Entity):
    """The snapshot holds plain values (names, titles, counts), not references, so later edits
    of units, plans or reports never change what was published."""

    __tablename__ = "sector_report"
    __table_args__ = (Index("ix_sector_report_period", "municipality_id", "year", "period_key"),)

    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    period_key: Mapped[str] = mapped_column(String(40))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[dict] = mapped_column(JSONB)
