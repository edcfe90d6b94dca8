"""A unit's local plan on the municipal plan: sections, local goals and actions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Entity, one_of
from kvalitet.models.enums import ActionStatus, ReviewStatus


class LocalPlan(Entity):
    __tablename__ = "local_plan"
    __table_args__ = (
        one_of("status", ReviewStatus),
        UniqueConstraint("unit_id", "plan_id", name="uq_local_plan_unit_plan"),
        Index("ix_local_plan_plan", "plan_id"),
        Index("ix_local_plan_updated", "updated_at", "id"),  # keyset pages and updatedSince
        Index("ix_local_plan_municipality_updated", "municipality_id", "updated_at", "id"),
        Index("ix_local_plan_unit_updated", "unit_id", "updated_at", "id"),
    )

    # The unit's municipality, kept on the row so lists and access scoping need no join.
    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), server_default=ReviewStatus.DRAFT.value)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)


class LocalPlanSection(Entity):
    """A free-text part of a local plan that a profile asks for (e.g. Vestvågøy's
    «kartlegging» and «analyse»), optionally for one area."""

    __tablename__ = "local_plan_section"
    __table_args__ = (Index("ix_local_plan_section_plan", "local_plan_id", "position"),)

    local_plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("local_plan.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class LocalGoal(Entity):
    __tablename__ = "local_goal"
    __table_args__ = (Index("ix_local_goal_plan", "local_plan_id", "position"),)

    local_plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("local_plan.id", ondelete="CASCADE"))
    area_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    perspective: Mapped[str | None] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class LocalAction(Entity):
    __tablename__ = "local_action"
    __table_args__ = (
        one_of("status", ActionStatus),
        Index("ix_local_action_plan", "local_plan_id", "position"),
    )

    local_plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("local_plan.id", ondelete="CASCADE"))
    local_goal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("local_goal.id", ondelete="SET NULL"))
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(500))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), server_default=ActionStatus.PLANNED.value)
    position: Mapped[int] = mapped_column(Integer)
