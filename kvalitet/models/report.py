"""A unit's report for one reporting period, and its assessments."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Entity, one_of
from kvalitet.models.enums import ReviewStatus


class Report(Entity):
    __tablename__ = "report"
    __table_args__ = (
        one_of("status", ReviewStatus),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        UniqueConstraint("unit_id", "plan_id", "year", "period_key", name="uq_report_unit_period"),
        Index("ix_report_plan_period", "plan_id", "year", "period_key"),
        Index("ix_report_updated", "updated_at", "id"),  # keyset pages and updatedSince
        Index("ix_report_municipality_updated", "municipality_id", "updated_at", "id"),
        Index("ix_report_municipality_period", "municipality_id", "year", "period_key"),
        Index("ix_report_unit_updated", "unit_id", "updated_at", "id"),
    )

    # The unit's municipality, kept on the row so lists and access scoping need no join.
    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    local_plan_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("local_plan.id", ondelete="SET NULL"))
    # The profile's period key (e.g. "year", "h1", "h2") and the year it falls in.
    year: Mapped[int] = mapped_column(Integer)
    period_key: Mapped[str] = mapped_column(String(40))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), server_default=ReviewStatus.DRAFT.value)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)


class Assessment(Entity):
    """An assessment of one criterion, measure or local goal, on the profile's scale."""

    __tablename__ = "assessment"
    __table_args__ = (
        CheckConstraint("num_nonnulls(criterion_id, local_goal_id, measure_id) = 1", name="one_subject"),
        UniqueConstraint("report_id", "criterion_id", name="uq_assessment_report_criterion"),
        UniqueConstraint("report_id", "local_goal_id", name="uq_assessment_report_local_goal"),
        UniqueConstraint("report_id", "measure_id", name="uq_assessment_report_measure"),
    )

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    criterion_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("criterion.id", ondelete="RESTRICT"))
    local_goal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("local_goal.id", ondelete="RESTRICT"))
    measure_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("measure.id", ondelete="RESTRICT"))
    level: Mapped[str] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
