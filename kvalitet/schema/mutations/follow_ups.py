"""Follow-up meetings: plan one with a unit, record it (held, its minutes and participants, or
cancelled), agree points, tell how far a point has come, and set the municipality's rhythm."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from kvalitet.schema.enums import FollowUpStatus, MeetingStatus, ParticipantRole
from kvalitet.schema.follow_up import FollowUpMeeting, FollowUpPoint, FollowUpRhythm
from kvalitet.schema.mutation_support import MutationInput, decode_id, payload_type, respond
from kvalitet.schema.mutations.common import VERSION, given, given_enum_or_kept, given_or_kept, given_text
from kvalitet.services import follow_ups
from kvalitet.services.units import UNSET


@payload_type(FollowUpMeeting, "meeting")
class FollowUpMeetingPayload: ...


@payload_type(FollowUpPoint, "point")
class FollowUpPointPayload: ...


@payload_type(FollowUpRhythm, "rhythm")
class FollowUpRhythmPayload: ...


@strawberry.input(description="Someone who takes part in a follow-up meeting, by role.")
class ParticipantInput:
    role: ParticipantRole = strawberry.field(description="Their role in the meeting.")
    title: str | None = strawberry.field(
        default=None, description="The role as the municipality says it («kommunalsjef», «rektor»), if wanted."
    )


def _participants(given_list: list[ParticipantInput]) -> list[follow_ups.Participant]:
    return [follow_ups.Participant(role=p.role.value, title=p.title) for p in given_list]


@strawberry.input(description="Plan a follow-up meeting between the municipality and a unit.")
class PlanFollowUpMeetingInput(MutationInput):
    unit_id: strawberry.ID = strawberry.field(description="The unit's global ID.")
    kind: str = strawberry.field(description="Which kind of meeting: a key of `Profile.followUp.meetingKinds`.")
    year: int = strawberry.field(description="The year it follows up.")
    period: str | None = strawberry.field(
        default=None,
        description="The reporting period whose report the agenda draws on (a key of the profile's periods); left "
        "out: the year's last.",
    )
    planned_on: dt.date = strawberry.field(description="The day it is planned for.")
    participants: list[ParticipantInput] = strawberry.field(
        default_factory=list, description="Who is to take part, by role."
    )


@strawberry.input(
    description="Record a follow-up meeting: the day it was held (which makes it held), its minutes and "
    "participants, or that it was cancelled or moved. Left-out fields stay as they are."
)
class UpdateFollowUpMeetingInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The meeting's global ID.")
    version: int = strawberry.field(description=VERSION)
    planned_on: dt.date | None = strawberry.field(default=strawberry.UNSET, description="Move it to another day.")
    held_on: dt.date | None = strawberry.field(
        default=strawberry.UNSET, description="The day it was held (not in the future); null: not held after all."
    )
    status: MeetingStatus | None = strawberry.field(
        default=strawberry.UNSET, description="Planned, held (needs `heldOn`) or cancelled."
    )
    minutes: str | None = strawberry.field(default=strawberry.UNSET, description="The minutes, whole.")
    participants: list[ParticipantInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Who took part, by role (the whole list)."
    )
    period: str | None = strawberry.field(
        default=strawberry.UNSET, description="The reporting period the agenda draws on; null: the year's last."
    )


@strawberry.input(description="Agree a point in a follow-up meeting: what, who follows it up, and by when.")
class AgreeFollowUpPointInput(MutationInput):
    meeting_id: strawberry.ID = strawberry.field(description="The meeting's global ID.")
    text: str = strawberry.field(description="What was agreed.")
    owner: str = strawberry.field(description="Who follows it up (a role: «rektor», «kommunalsjef» …).")
    due_on: dt.date | None = strawberry.field(default=None, description="By when; null if no day was agreed.")


@strawberry.input(
    description="Change a point: what was agreed (text, owner, day; for those who hold the meetings), or how far it "
    "has come (status and a note; the unit's leader too). Left-out fields stay as they are."
)
class UpdateFollowUpPointInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The point's global ID.")
    version: int = strawberry.field(description=VERSION)
    text: str | None = strawberry.field(default=strawberry.UNSET, description="What was agreed.")
    owner: str | None = strawberry.field(default=strawberry.UNSET, description="Who follows it up.")
    due_on: dt.date | None = strawberry.field(default=strawberry.UNSET, description="By when; null: no day.")
    status: FollowUpStatus | None = strawberry.field(default=strawberry.UNSET, description="How far it has come.")
    status_note: str | None = strawberry.field(default=strawberry.UNSET, description="What is to say of its progress.")


@strawberry.input(
    description="Set how often the municipality meets each unit in one kind of meeting; `everyMonths: null` removes "
    "the rhythm. A unit not met within it shows in `Municipality.overdueFollowUps`."
)
class SetFollowUpRhythmInput(MutationInput):
    municipality_id: strawberry.ID = strawberry.field(description="The municipality's global ID.")
    kind: str = strawberry.field(description="The kind of meeting: a key of `Profile.followUp.meetingKinds`.")
    every_months: int | None = strawberry.field(description="Months between meetings (1–60); null: no rhythm.")


@strawberry.type
class FollowUpMutations:
    @strawberry.mutation(description="Plan a follow-up meeting with a unit.")
    async def plan_follow_up_meeting(self, info: Info, input: PlanFollowUpMeetingInput) -> FollowUpMeetingPayload:
        async def work(service):
            return await follow_ups.plan_meeting(
                service,
                decode_id(input.unit_id, "Unit", "unitId"),
                input.kind,
                input.year,
                input.period,
                input.planned_on,
                _participants(input.participants),
            )

        return await respond(info, FollowUpMeetingPayload, work, input)

    @strawberry.mutation(description="Record a follow-up meeting: held, its minutes and participants, or cancelled.")
    async def update_follow_up_meeting(self, info: Info, input: UpdateFollowUpMeetingInput) -> FollowUpMeetingPayload:
        async def work(service):
            changes = follow_ups.MeetingChanges(
                planned_on=given_or_kept(input.planned_on),
                held_on=given(input.held_on),
                status=given_enum_or_kept(input.status),
                minutes=given(input.minutes),
                participants=UNSET
                if input.participants in (None, strawberry.UNSET)
                else _participants(input.participants),
                period=given(input.period),
            )
            return await follow_ups.update_meeting(
                service, decode_id(input.id, "FollowUpMeeting", "id"), input.version, changes
            )

        return await respond(info, FollowUpMeetingPayload, work, input)

    @strawberry.mutation(description="Agree a point in a follow-up meeting.")
    async def agree_follow_up_point(self, info: Info, input: AgreeFollowUpPointInput) -> FollowUpPointPayload:
        async def work(service):
            changes = follow_ups.PointChanges(text=input.text, owner=input.owner, due_on=input.due_on)
            return await follow_ups.agree_point(
                service, decode_id(input.meeting_id, "FollowUpMeeting", "meetingId"), changes
            )

        return await respond(info, FollowUpPointPayload, work, input)

    @strawberry.mutation(description="Change a point agreed in a follow-up meeting, or tell how far it has come.")
    async def update_follow_up_point(self, info: Info, input: UpdateFollowUpPointInput) -> FollowUpPointPayload:
        async def work(service):
            changes = follow_ups.PointChanges(
                text=given_text(input.text),
                owner=given_text(input.owner),
                due_on=given(input.due_on),
                status=given_enum_or_kept(input.status),
                status_note=given(input.status_note),
            )
            return await follow_ups.update_point(
                service, decode_id(input.id, "FollowUpPoint", "id"), input.version, changes
            )

        return await respond(info, FollowUpPointPayload, work, input)

    @strawberry.mutation(description="Set (or remove) the municipality's rhythm for a kind of follow-up meeting.")
    async def set_follow_up_rhythm(self, info: Info, input: SetFollowUpRhythmInput) -> FollowUpRhythmPayload:
        async def work(service):
            return await follow_ups.set_rhythm(
                service,
                decode_id(input.municipality_id, "Municipality", "municipalityId"),
                input.kind,
                input.every_months,
            )

        return await respond(info, FollowUpRhythmPayload, work, input)
