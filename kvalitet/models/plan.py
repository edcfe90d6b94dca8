"""A municipality's plan and its structure: areas (a tree), goals, criteria and measures.

Order is data: every row has a `position`. Areas carry a plan-wide position in depth-first
order, so "every area of a kind, in plan order" is one indexed scan, not a tree walk.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ARRAY, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Entity, kinds_subset, one_of
from kvalitet.models.enums import PlanStatus


class Plan(Entity):
    __tablename__ = "plan"
    __table_args__ = (
        one_of("status", PlanStatus),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        kinds_subset(),
        kinds_subset("measures_assessed_by", may_be_empty=True),
        Index("ix_plan_municipality_period", "municipality_id", "period_start"),
    )

    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    period_start: Mapped[int] = mapped_column(Integer)
    period_end: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), server_default=PlanStatus.DRAFT.value)
    applies_to: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    adopted_on: Mapped[dt.date | None] = mapped_column(Date)
    adopted_by: Mapped[str | None] = mapped_column(String(500))
    # The profile whose content the plan was created from, if any.
    profile_code: Mapped[str | None] = mapped_column(String(80))
    # The kinds of unit whose reports assess the plan's measures (besides its criteria and the
    # units' local goals): from the profile when the plan is created, the municipality's to change.
    measures_assessed_by: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{}")


class Area(Entity):
    __tablename__ = "area"
    __table_args__ = (
        kinds_subset(),
        UniqueConstraint("plan_id", "key", name="uq_area_plan_key"),
        Index("ix_area_plan_position", "plan_id", "position"),
        Index("ix_area_parent", "parent_id"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    # A stable name within the plan (from the profile's data), used by rules and plan copies.
    key: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    applies_to: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    position: Mapped[int] = mapped_column(Integer)


class Goal(Entity):
    __tablename__ = "goal"
    __table_args__ = (Index("ix_goal_area_position", "area_id", "position"),)

    area_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    national_goal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("national_goal.id", ondelete="SET NULL"))


class Criterion(Entity):
    """A sign that a goal is reached. It belongs to a goal or directly to an area, never both."""

    __tablename__ = "criterion"
    __table_args__ = (
        CheckConstraint("num_nonnulls(area_id, goal_id) = 1", name="one_owner"),
        Index("ix_criterion_area_position", "area_id", "position"),
        Index("ix_criterion_goal_position", "goal_id", "position"),
    )

    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    goal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    perspective: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)


class Measure(Entity):
    __tablename__ = "measure"
    __table_args__ = (Index("ix_measure_area_position", "area_id", "position"),)

    area_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(500))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    partner: Mapped[str | None] = mapped_column(String(500))
    target_group: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer)
