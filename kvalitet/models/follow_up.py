"""Follow-up of the units: meetings between the municipality and a unit (the profile names their
kinds: Tromsø's «kvalitetsmøte» and «ledersamtale», Drammen's «fagsamtale»), the points agreed
in them, and the rhythm a municipality sets for each kind.

A meeting's agenda is not stored: it is drawn from the data when it is read (the unit's report
for the period, its local plan, its indicators, and the points still open). Points belong to the
unit: they stay open across meetings until they are done or dropped, so the next meeting shows
them.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Entity, one_of
from kvalitet.models.enums import FollowUpStatus, MeetingStatus, ParticipantRole


def participants_check() -> CheckConstraint:
    """The participants are a JSON array of objects whose `role` is a word of ParticipantRole: the
    database checks it, as `one_of` does for a column (a JSON path, since a CHECK takes no subquery)."""
    roles = " || ".join(f'@.role == "{role}"' for role in ParticipantRole.values())
    return CheckConstraint(
        f"jsonb_typeof(participants) = 'array' AND NOT jsonb_path_exists(participants, '$[*] ? (!({roles}))')",
        name="participants_valid",
    )


class FollowUpMeeting(Entity):
    __tablename__ = "follow_up_meeting"
    __table_args__ = (one_of("status", MeetingStatus), participants_check())

    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(80))  # a meeting kind of the profile (FollowUp.meeting_kinds)
    year: Mapped[int] = mapped_column(Integer)
    # The reporting period whose report the agenda draws on (None: the year's last).
    period_key: Mapped[str | None] = mapped_column(String(40))
    planned_on: Mapped[dt.date] = mapped_column(Date)
    held_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=MeetingStatus.PLANNED.value)
    minutes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Who takes part, by role: [{"role": ParticipantRole, "title": text or null}], in order.
    participants: Mapped[list] = mapped_column(JSONB, default=list, server_default="[]")
    created_by: Mapped[str | None] = mapped_column(Text)


class FollowUpPoint(Entity):
    """A point agreed in a meeting: what is to be done, who follows it up, by when, and how far
    it has come (the unit reports its progress; the next meeting sees it)."""

    __tablename__ = "follow_up_point"
    __table_args__ = (one_of("status", FollowUpStatus),)

    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("follow_up_meeting.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(Text)  # who follows it up, as the meeting agreed (a role)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=FollowUpStatus.OPEN.value)
    status_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    closed_on: Mapped[dt.date | None] = mapped_column(Date)  # when it was done or dropped


class FollowUpRhythm(Entity):
    """How often a municipality meets each unit in one kind of meeting: a unit whose last such
    meeting was held longer ago (or never, counting from when the rhythm was set) is overdue."""

    __tablename__ = "follow_up_rhythm"
    __table_args__ = (UniqueConstraint("municipality_id", "kind"),)

    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(80))
    every_months: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[dt.date] = mapped_column(Date)  # a unit never met is due this long after it
