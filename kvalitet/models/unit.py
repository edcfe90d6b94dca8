"""A unit: one kindergarten, school or SFO, keyed by its organisation number (NSR/NBR)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Entity, one_of
from kvalitet.models.enums import Ownership, UnitKind


class Unit(Entity):
    __tablename__ = "unit"
    __table_args__ = (
        one_of("kind", UnitKind),
        one_of("ownership", Ownership),
        CheckConstraint("org_number ~ '^[0-9]{9}$'", name="org_number_nine_digits"),
        Index("ix_unit_municipality_name", "municipality_id", "name"),
        Index("ix_unit_municipality_updated", "municipality_id", "updated_at", "id"),  # sync pages
    )

    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    org_number: Mapped[str | None] = mapped_column(String(9), unique=True)
    ownership: Mapped[str] = mapped_column(String(20), server_default=Ownership.MUNICIPAL.value)
    zone: Mapped[str | None] = mapped_column(String(200))
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The unit leader lets staff edit the unit's draft local plan and reports.
    staff_may_edit: Mapped[bool] = mapped_column(Boolean, server_default=false())
