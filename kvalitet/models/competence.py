"""Competence development (Udir, «Vurdere behov, sette mål og planlegge tiltak»): a unit's
competence plan, and the municipality's own, for a span of years. Its needs name what shows
them (a plan area, goal or criterion, or an indicator); its goals are individual or collective;
its measures have a form, a target group, a partner, a funding scheme, a period and an
evaluation, and name the needs and goals they answer."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ARRAY, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Entity, one_of
from kvalitet.models.enums import CompetenceScope, TargetGroup


class CompetencePlan(Entity):
    __tablename__ = "competence_plan"
    __table_args__ = (
        # One plan per unit and first year, and one of the municipality's own (no unit) per first
        # year: two partial indexes (NULLS NOT DISTINCT would need PostgreSQL 15).
        Index(
            "uq_competence_plan_unit_start",
            "unit_id",
            "start_year",
            unique=True,
            postgresql_where=text("unit_id IS NOT NULL"),
        ),
        Index(
            "uq_competence_plan_own_start",
            "municipality_id",
            "start_year",
            unique=True,
            postgresql_where=text("unit_id IS NULL"),
        ),
        CheckConstraint("end_year >= start_year", name="years_in_order"),
    )

    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"), index=True)
    # None: the municipality's own plan (what the owner does for all its units).
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="", server_default="")


class CompetenceNeed(Entity):
    __tablename__ = "competence_need"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competence_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    # What shows the need: an area, goal or criterion of the municipality's plan, an indicator.
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"))
    goal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("goal.id", ondelete="SET NULL"))
    criterion_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("criterion.id", ondelete="SET NULL"))
    indicator_code: Mapped[str | None] = mapped_column(String(80))


class CompetenceGoal(Entity):
    __tablename__ = "competence_goal"
    __table_args__ = (one_of("scope", CompetenceScope),)

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competence_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(20))
    need_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list, server_default="{}")


class CompetenceMeasure(Entity):
    __tablename__ = "competence_measure"
    __table_args__ = (one_of("scope", CompetenceScope), one_of("target_group", TargetGroup))

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competence_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    scope: Mapped[str] = mapped_column(String(20))
    # Kindergarten- or school-based: the workplace is where it is learnt (Udir's criterion).
    unit_based: Mapped[bool] = mapped_column(Boolean, default=True)
    target_group: Mapped[str] = mapped_column(String(20))
    target_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    partner_key: Mapped[str | None] = mapped_column(String(80))  # a partner of the profile
    partner_note: Mapped[str] = mapped_column(Text, default="", server_default="")  # another, or details
    funding_key: Mapped[str | None] = mapped_column(String(80))  # a funding scheme of the profile
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    evaluation: Mapped[str] = mapped_column(Text, default="", server_default="")  # how, and what it showed
    need_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list, server_default="{}")
    goal_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list, server_default="{}")
