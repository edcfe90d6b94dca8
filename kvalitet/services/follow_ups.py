"""Follow-up meetings between the municipality and its units (kvalitet.models.follow_up).

The sector office plans a meeting with a unit (a kind of meeting its profile names), records it
when held (date, participants by role, minutes) and agrees points with the unit (what, who, by
when). The unit tells how far each point has come; points stay open across meetings until done
or dropped, so the next meeting's agenda shows them. A municipality may set a rhythm per kind of
meeting: a unit not met within it is overdue.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, and_, cast, func, select

from kvalitet import messages
from kvalitet.models import FollowUpMeeting, FollowUpPoint, FollowUpRhythm, Municipality, Unit
from kvalitet.models.enums import FollowUpStatus, MeetingStatus, ParticipantRole
from kvalitet.plugins.content import MeetingKind
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import INVALID_STATE, INVALID_VALUE, NOT_APPLICABLE, fail
from kvalitet.services.events import emit
from kvalitet.services.reports import period_of
from kvalitet.services.units import UNSET, Unset
from kvalitet.services.validation import TEXT_MAX, TITLE_MAX, Checker, require_year

MINUTES_MAX = 50_000
MAX_PARTICIPANTS = 50
# Statuses of a point still to be followed up; the others close it.
OPEN_POINT = (FollowUpStatus.OPEN.value, FollowUpStatus.IN_PROGRESS.value)


@dataclass(frozen=True)
class Participant:
    role: str  # ParticipantRole
    title: str | None = None  # the role as the municipality says it («kommunalsjef», «rektor»)


def meeting_kinds(ctx: ServiceContext, profile_code: str | None) -> list[MeetingKind]:
    return ctx.profiles.follow_up(profile_code).meeting_kinds if profile_code else []


def _kind(ctx: ServiceContext, municipality: Municipality, kind: str, owner_field: str) -> MeetingKind:
    """The profile's kind of meeting `kind`; refused when the municipality (named by the input's
    `owner_field`) has no profile."""
    known = meeting_kinds(ctx, municipality.profile_code)
    if not known:
        fail(INVALID_STATE, messages.text("follow_up.no_profile"), owner_field)
    found = next((k for k in known if k.key == kind), None)
    if found is None:
        listed = ", ".join(k.key for k in known)
        fail(INVALID_VALUE, messages.text("follow_up.unknown_kind", kind=kind[:80], known=listed), "kind")
    return found


def _participants(checker: Checker, given: list[Participant]) -> list[dict[str, Any]]:
    if len(given) > MAX_PARTICIPANTS:
        checker.add(
            INVALID_VALUE, messages.text("follow_up.too_many_participants", max=MAX_PARTICIPANTS), "participants"
        )
    stored = []
    for i, participant in enumerate(given[:MAX_PARTICIPANTS]):
        role = checker.choice(participant.role, ParticipantRole, f"participants.{i}.role")
        title = (
            checker.text(participant.title, f"participants.{i}.title", max_length=TITLE_MAX, required=False)
            if participant.title is not None
            else None
        )
        stored.append({"role": role, "title": title})
    return stored


async def _unit_active(ctx: ServiceContext, unit_id: uuid.UUID, field_name: str) -> None:
    """Refuse a change of an archived unit's meetings: an archived unit is no longer changed."""
    unit = await ctx.session.get_one(Unit, unit_id)
    if unit.archived_at is not None:
        fail(INVALID_STATE, messages.text("follow_up.unit_archived"), field_name)


async def plan_meeting(
    ctx: ServiceContext,
    unit_id: uuid.UUID | None,
    kind: str,
    year: int,
    period: str | None,
    planned_on: dt.date,
    participants: list[Participant],
) -> FollowUpMeeting:
    unit = await ctx.load(Unit, unit_id, "unit", field_name="unitId")
    municipality = await ctx.session.get_one(Municipality, unit.municipality_id)
    await ctx.authorize("create", FollowUpMeeting, unit)
    if unit.archived_at is not None:
        fail(INVALID_STATE, messages.text("follow_up.unit_archived"), "unitId")
    spec = _kind(ctx, municipality, kind, "unitId")
    if spec.unit_kinds and unit.kind not in spec.unit_kinds:
        fail(NOT_APPLICABLE, messages.text("follow_up.kind_not_for_unit", kind=kind), "kind")
    require_year(year, "year")
    require_year(planned_on.year, "plannedOn")
    if period is not None:
        period_of(ctx.profiles, municipality.profile_code, year, period)
    checker = Checker()
    stored = _participants(checker, participants)
    checker.raise_if_any()
    meeting = FollowUpMeeting(
        municipality_id=unit.municipality_id,
        unit_id=unit.id,
        kind=kind,
        year=year,
        period_key=period,
        planned_on=planned_on,
        status=MeetingStatus.PLANNED.value,
        participants=stored,
        created_by=ctx.actor.name,
    )
    ctx.session.add(meeting)
    await emit(ctx, "follow_up_meeting.planned", unit.municipality_id, "FollowUpMeeting", meeting)
    return meeting


@dataclass
class MeetingChanges:
    planned_on: dt.date | Unset = UNSET
    held_on: dt.date | None | Unset = UNSET
    status: str | Unset = UNSET
    minutes: str | None | Unset = UNSET
    participants: list[Participant] | Unset = UNSET
    period: str | None | Unset = UNSET


async def update_meeting(
    ctx: ServiceContext, meeting_id: uuid.UUID | None, version: int, changes: MeetingChanges
) -> FollowUpMeeting:
    """Record a meeting: held (on a day, with minutes), cancelled, moved, its participants."""
    meeting = await ctx.load_for_change(FollowUpMeeting, meeting_id, version, "follow up meeting")
    await _unit_active(ctx, meeting.unit_id, "id")
    was = meeting.status
    checker = Checker()
    if changes.planned_on is not UNSET:
        meeting.planned_on = changes.planned_on
    if changes.period is not UNSET:
        if changes.period is not None:
            municipality = await ctx.session.get_one(Municipality, meeting.municipality_id)
            period_of(ctx.profiles, municipality.profile_code, meeting.year, changes.period)
        meeting.period_key = changes.period
    if changes.minutes is not UNSET:
        meeting.minutes = checker.text(changes.minutes, "minutes", max_length=MINUTES_MAX, required=False) or ""
    if changes.participants is not UNSET:
        meeting.participants = _participants(checker, changes.participants)
    if changes.status is not UNSET:
        meeting.status = checker.choice(changes.status, MeetingStatus, "status") or meeting.status
    if changes.held_on is not UNSET:
        meeting.held_on = changes.held_on
        if changes.status is UNSET:
            # A meeting given the day it was held was held; one whose day is taken away was not.
            meeting.status = MeetingStatus.HELD.value if changes.held_on is not None else MeetingStatus.PLANNED.value
    checker.raise_if_any()
    if meeting.status == MeetingStatus.HELD.value and meeting.held_on is None:
        fail(INVALID_VALUE, messages.text("follow_up.held_without_day"), "heldOn")
    if meeting.status != MeetingStatus.HELD.value and meeting.held_on is not None:
        fail(INVALID_VALUE, messages.text("follow_up.day_without_held"), "heldOn")
    require_year(meeting.planned_on.year, "plannedOn")
    if meeting.held_on is not None:
        require_year(meeting.held_on.year, "heldOn")
    if meeting.held_on is not None and meeting.held_on > ctx.today:
        fail(INVALID_VALUE, messages.text("follow_up.held_in_future"), "heldOn")
    if meeting.status != was and meeting.status != MeetingStatus.PLANNED.value:
        event = (
            "follow_up_meeting.held" if meeting.status == MeetingStatus.HELD.value else "follow_up_meeting.cancelled"
        )
        await emit(ctx, event, meeting.municipality_id, "FollowUpMeeting", meeting)
    else:
        await ctx.session.flush()
    return meeting


@dataclass
class PointChanges:
    text: str | Unset = UNSET
    owner: str | Unset = UNSET
    due_on: dt.date | None | Unset = UNSET
    status: str | Unset = UNSET
    status_note: str | None | Unset = UNSET


def _point_text(checker: Checker, changes: PointChanges, point: FollowUpPoint) -> None:
    if changes.text is not UNSET:
        value = checker.text(changes.text, "text", max_length=TEXT_MAX)
        if value is not None:
            point.text = value
    if changes.owner is not UNSET:
        value = checker.text(changes.owner, "owner", max_length=TITLE_MAX)
        if value is not None:
            point.owner = value
    if changes.due_on is not UNSET:
        checker.year(changes.due_on.year if changes.due_on else None, "dueOn")
        point.due_on = changes.due_on


async def agree_point(ctx: ServiceContext, meeting_id: uuid.UUID | None, changes: PointChanges) -> FollowUpPoint:
    # FOR SHARE: a cancellation at the same moment waits for this point, or this for it.
    meeting = await ctx.load(FollowUpMeeting, meeting_id, "follow up meeting", field_name="meetingId", share_lock=True)
    await ctx.authorize("create", FollowUpPoint, meeting)
    if meeting.status == MeetingStatus.CANCELLED.value:
        fail(INVALID_STATE, messages.text("follow_up.meeting_cancelled"), "meetingId")
    await _unit_active(ctx, meeting.unit_id, "meetingId")
    position = await ctx.session.scalar(
        select(func.coalesce(func.max(FollowUpPoint.position) + 1, 0)).where(FollowUpPoint.meeting_id == meeting.id)
    )
    point = FollowUpPoint(
        municipality_id=meeting.municipality_id,
        unit_id=meeting.unit_id,
        meeting_id=meeting.id,
        position=position,
        status=FollowUpStatus.OPEN.value,
        text="",
        owner="",
    )
    checker = Checker()
    if changes.text is UNSET:
        changes.text = ""
    if changes.owner is UNSET:
        changes.owner = ""
    _point_text(checker, changes, point)
    checker.raise_if_any()
    ctx.session.add(point)
    await emit(ctx, "follow_up_point.agreed", meeting.municipality_id, "FollowUpPoint", point)
    return point


async def update_point(
    ctx: ServiceContext, point_id: uuid.UUID | None, version: int, changes: PointChanges
) -> FollowUpPoint:
    """What was agreed (text, owner, deadline) is changed by those who hold the meetings; how far
    it has come (status and a note) by the unit as well."""
    agreed = any(v is not UNSET for v in (changes.text, changes.owner, changes.due_on))
    action = "update" if agreed else "respond"
    point = await ctx.load_for_change(FollowUpPoint, point_id, version, "follow up point", action=action)
    was = point.status
    checker = Checker()
    _point_text(checker, changes, point)
    if changes.status is not UNSET:
        point.status = checker.choice(changes.status, FollowUpStatus, "status") or point.status
    if changes.status_note is not UNSET:
        point.status_note = checker.text(changes.status_note, "statusNote", max_length=TEXT_MAX, required=False) or ""
    checker.raise_if_any()
    if point.status != was:
        point.closed_on = None if point.status in OPEN_POINT else ctx.today
        await emit(ctx, "follow_up_point.status_changed", point.municipality_id, "FollowUpPoint", point)
    else:
        await ctx.session.flush()
    return point


async def set_rhythm(
    ctx: ServiceContext, municipality_id: uuid.UUID | None, kind: str, every_months: int | None
) -> FollowUpRhythm | None:
    """How often the municipality meets each unit in `kind` of meeting; None: no rhythm."""
    municipality = await ctx.load(
        Municipality, municipality_id, "municipality", action="read", field_name="municipalityId"
    )
    await ctx.authorize("create", FollowUpRhythm, municipality)
    _kind(ctx, municipality, kind, "municipalityId")
    if every_months is not None and not 1 <= every_months <= 60:
        fail(INVALID_VALUE, messages.text("follow_up.rhythm_range", low=1, high=60), "everyMonths")
    rhythm = await ctx.session.scalar(
        select(FollowUpRhythm)
        .where(FollowUpRhythm.municipality_id == municipality.id, FollowUpRhythm.kind == kind)
        .with_for_update()
    )
    if every_months is None:
        if rhythm is not None:
            await ctx.session.delete(rhythm)
            await ctx.session.flush()
        return None
    if rhythm is None:
        rhythm = FollowUpRhythm(
            municipality_id=municipality.id, kind=kind, every_months=every_months, starts_on=ctx.today
        )
        ctx.session.add(rhythm)
    else:
        rhythm.every_months = every_months
    await ctx.session.flush()
    return rhythm


# -- Reads (set-based: one statement for many meetings or units) ---------------------------------


def overdue_sql(municipality_ids: list[uuid.UUID], today: dt.date):
    """Per municipality, rhythm and active unit: the day its last held meeting of that kind was
    (None: never), and when the next is due (the last, or the day the rhythm was set, plus the
    rhythm); only the units past due. One statement for many municipalities."""
    meeting = FollowUpMeeting.__table__
    last_held = (
        select(func.max(meeting.c.held_on))
        .where(
            meeting.c.unit_id == Unit.id,
            meeting.c.kind == FollowUpRhythm.kind,
            meeting.c.status == MeetingStatus.HELD.value,
        )
        .scalar_subquery()
    )
    due = cast(
        func.coalesce(last_held, FollowUpRhythm.starts_on) + func.make_interval(0, FollowUpRhythm.every_months),
        Date,
    )
    return (
        select(
            FollowUpRhythm.municipality_id,
            FollowUpRhythm.kind,
            FollowUpRhythm.every_months,
            Unit.id.label("unit_id"),
            Unit.kind.label("unit_kind"),
            last_held.label("last_held_on"),
            due.label("due_on"),
        )
        .join(
            Unit,
            and_(Unit.municipality_id == FollowUpRhythm.municipality_id, Unit.archived_at.is_(None)),
        )
        .where(FollowUpRhythm.municipality_id.in_(municipality_ids), due < today)
        .order_by(FollowUpRhythm.municipality_id, due, Unit.name, Unit.id)
    )
