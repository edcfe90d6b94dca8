"""Follow-up of the units in GraphQL: meetings between the municipality and a unit, with an
agenda drawn from the data, the points agreed in them, and the rhythm the municipality sets."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from sqlalchemy import and_, select, tuple_
from strawberry import relay
from strawberry.types import Info

from kvalitet import models
from kvalitet.models.enums import ActionStatus
from kvalitet.models.enums import MeetingStatus as MeetingWords
from kvalitet.plugins.content import FollowUp
from kvalitet.schema import indicator
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.enums import FollowUpStatus, MeetingStatus, ParticipantRole
from kvalitet.schema.profile import Label
from kvalitet.schema.reading.relations import Children, Parent, computed, node_type, relation
from kvalitet.services.follow_ups import OPEN_POINT
from kvalitet.services.reports import today_sql

if TYPE_CHECKING:
    from kvalitet.schema.local_plan import LocalAction, LocalPlan
    from kvalitet.schema.municipality import Municipality
    from kvalitet.schema.report import Assessment, Report
    from kvalitet.schema.unit import Unit

# How many of a report's lowest-assessed items an agenda shows unless asked for more.
LOWEST_ITEMS = 5


async def declared_follow_up(info: Info, municipality_id: uuid.UUID) -> FollowUp | None:
    """What the municipality's profile says of follow-up and competence; None without a profile."""
    municipality = await info.context.loaders.by_id(models.Municipality).load(municipality_id)
    if municipality is None or not municipality["profile_code"]:
        return None
    return info.context.profiles.follow_up(municipality["profile_code"])


async def _kind_label(info: Info, municipality_id: uuid.UUID, kind: str) -> Label | None:
    declared = await declared_follow_up(info, municipality_id)
    found = next((k for k in declared.meeting_kinds if k.key == kind), None) if declared else None
    return Label.of(found.label) if found else None


@strawberry.type(description="Someone who takes part in a follow-up meeting, by role.")
class Participant:
    role: ParticipantRole = strawberry.field(description="Their role in the meeting.")
    title: str | None = strawberry.field(
        description="The role as the municipality says it («kommunalsjef», «rektor», «styrer»); null if not given."
    )


def _point_overdue(table):
    return and_(table.c.due_on < today_sql(), table.c.status.in_(OPEN_POINT))


def _meeting_overdue(table):
    return and_(table.c.status == MeetingWords.PLANNED.value, table.c.planned_on < today_sql())


@strawberry.type(
    description="A point agreed in a follow-up meeting: what is to be done, who follows it up, by when, and how far "
    "it has come. It stays open across meetings until it is done or dropped."
)
class FollowUpPoint(RowNode, Versioned):
    model = models.FollowUpPoint
    id: relay.NodeID[str]
    text: str = strawberry.field(description="What was agreed.")
    owner: str = strawberry.field(description="Who follows it up, as agreed (a role: «rektor», «kommunalsjef»).")
    due_on: dt.date | None = strawberry.field(description="By when; null if no day was agreed.")
    status: FollowUpStatus = strawberry.field(description="How far it has come.")
    status_note: str = strawberry.field(description="What the unit (or the sector office) says of its progress.")
    closed_on: dt.date | None = strawberry.field(description="When it was done or dropped; null while it is open.")
    position: int = strawberry.field(description="Order among the meeting's points.")
    meeting_id: strawberry.Private[uuid.UUID]
    unit_id: strawberry.Private[uuid.UUID]

    @computed(_point_overdue, "boolean", description="Past its day and neither done nor dropped.")
    def is_overdue(self) -> bool:
        return (
            self.due_on is not None and self.due_on < dt.datetime.now(dt.UTC).date() and self.status.value in OPEN_POINT
        )

    @relation(Parent(models.FollowUpMeeting, "meeting_id"), description="The meeting it was agreed in.")
    async def meeting(self, info: Info) -> FollowUpMeeting | None: ...

    @relation(Parent(models.Unit, "unit_id"), description="The unit it is about.")
    async def unit(self, info: Info) -> Annotated[Unit, strawberry.lazy("kvalitet.schema.unit")] | None: ...


@dataclass(frozen=True)
class _Meeting:
    """What an agenda's reads need of its meeting (a loader key: every agenda of a request is
    read together, one statement per part, however many meetings are asked for)."""

    id: uuid.UUID
    unit_id: uuid.UUID
    year: int
    period_key: str | None
    planned_on: dt.date
    created_at: dt.datetime  # with the day, what orders two meetings planned for the same day


def _reports(info: Info):
    async def batch(keys: list[_Meeting]) -> list[Any]:
        table = models.Report.__table__
        rows = await info.context.loaders.fetch(
            models.Report,
            select(table)
            .where(tuple_(table.c.unit_id, table.c.year).in_({(k.unit_id, k.year) for k in keys}))
            .order_by(table.c.due_on.desc(), table.c.id),
        )

        def found(key: _Meeting):
            return next(
                (
                    r
                    for r in rows
                    if (r["unit_id"], r["year"]) == (key.unit_id, key.year)
                    and key.period_key in (None, r["period_key"])
                ),
                None,
            )

        return [found(key) for key in keys]

    return info.context.loaders.batched("agenda.report", batch)


def _local_plans(info: Info):
    async def batch(keys: list[_Meeting]) -> list[Any]:
        local_plan, plan = models.LocalPlan.__table__, models.Plan.__table__
        rows = await info.context.loaders.fetch(
            models.LocalPlan,
            select(local_plan, plan.c.period_start.label("_start"), plan.c.period_end.label("_end"))
            .join(plan, plan.c.id == local_plan.c.plan_id)
            .where(local_plan.c.unit_id.in_({k.unit_id for k in keys}))
            .order_by(local_plan.c.updated_at.desc(), local_plan.c.id),
        )
        return [
            next((r for r in rows if r["unit_id"] == k.unit_id and r["_start"] <= k.year <= r["_end"]), None)
            for k in keys
        ]

    return info.context.loaders.batched("agenda.local_plan", batch)


def _follow_ups(info: Info):
    async def batch(keys: list[_Meeting]) -> list[list[Any]]:
        point, held = models.FollowUpPoint.__table__, models.FollowUpMeeting.__table__
        units = {k.unit_id for k in keys}
        meetings = await info.context.loaders.fetch(
            models.FollowUpMeeting,
            select(held.c.id, held.c.unit_id, held.c.planned_on, held.c.created_at, held.c.status).where(
                held.c.unit_id.in_(units)
            ),
        )
        points = await info.context.loaders.fetch(
            models.FollowUpPoint,
            select(point, held.c.planned_on.label("_agreed_on"))
            .join(held, held.c.id == point.c.meeting_id)
            .where(point.c.unit_id.in_(units))
            .order_by(held.c.planned_on, point.c.position, point.c.id),
        )

        def of(key: _Meeting) -> list[Any]:
            earlier = [
                m
                for m in meetings
                if m["unit_id"] == key.unit_id and (m["planned_on"], m["created_at"]) < (key.planned_on, key.created_at)
            ]
            ids = {m["id"] for m in earlier}
            # Closed since the meeting before (a cancelled one followed nothing up).
            since = max((m["planned_on"] for m in earlier if m["status"] != MeetingWords.CANCELLED.value), default=None)
            return [
                p
                for p in points
                if p["meeting_id"] in ids
                and (
                    p["status"] in OPEN_POINT
                    or (since is not None and p["closed_on"] is not None and p["closed_on"] >= since)
                )
            ]

        return [of(key) for key in keys]

    return info.context.loaders.batched("agenda.follow_ups", batch)


@strawberry.type(
    description="What a follow-up meeting goes through, drawn from the data when it is read: the unit's report for "
    "the period and its lowest-assessed items, its indicators beside the municipality's, its local plan's findings "
    "and open actions, and the points agreed before that are still open or were closed since."
)
class FollowUpAgenda:
    meeting: strawberry.Private[_Meeting]

    @strawberry.field(
        description="The unit's report for the meeting's year and period (the year's last, when the meeting names no "
        "period); null if the unit has none, or the caller may not read it."
    )
    async def report(self, info: Info) -> Annotated[Report, strawberry.lazy("kvalitet.schema.report")] | None:
        from kvalitet.schema.report import Report

        row = await _reports(info).load(self.meeting)
        return Report.from_row(row) if row is not None else None

    @strawberry.field(
        description="The report's lowest-assessed items, lowest first (by the profile's scale, lowest level first): "
        "what the meeting may want to talk about. Empty without a report."
    )
    async def lowest_items(
        self, info: Info, first: int = LOWEST_ITEMS
    ) -> list[Annotated[Assessment, strawberry.lazy("kvalitet.schema.report")]]:
        from kvalitet.schema.reading.connection import page_size
        from kvalitet.schema.report import Assessment

        report = await _reports(info).load(self.meeting)
        if report is None:
            return []
        municipality = await info.context.loaders.by_id(models.Municipality).load(report["municipality_id"])
        code = municipality["profile_code"] if municipality else None
        rank = {s.level: i for i, s in enumerate(info.context.profiles.assessment_scale(code))} if code else {}
        rows = await info.context.loaders.children(models.Assessment, "report_id", order=("id",)).load(report["id"])
        ranked = sorted((r for r in rows if r["level"] in rank), key=lambda r: rank[r["level"]])
        return Assessment.from_rows(ranked[: page_size(info.context.settings, first)])

    @strawberry.field(
        description="The unit's local plan on the plan that covers the meeting's year (its `findings` say what it "
        "lacks); null if there is none."
    )
    async def local_plan(
        self, info: Info
    ) -> Annotated[LocalPlan, strawberry.lazy("kvalitet.schema.local_plan")] | None:
        from kvalitet.schema.local_plan import LocalPlan

        row = await _local_plans(info).load(self.meeting)
        return LocalPlan.from_row(row) if row is not None else None

    @strawberry.field(description="The local plan's actions that are not done, in the plan's order.")
    async def open_actions(
        self, info: Info
    ) -> list[Annotated[LocalAction, strawberry.lazy("kvalitet.schema.local_plan")]]:
        from kvalitet.schema.local_plan import LocalAction

        local_plan = await _local_plans(info).load(self.meeting)
        if local_plan is None:
            return []
        rows = await info.context.loaders.children(models.LocalAction, "local_plan_id").load(local_plan["id"])
        return LocalAction.from_rows(r for r in rows if r["status"] != ActionStatus.DONE.value)

    @strawberry.field(
        description="The unit's indicators for the meeting's year and the four before it, beside its municipality's, "
        "county's and the nation's (as `Unit.indicators`)."
    )
    async def indicators(self, info: Info) -> list[indicator.IndicatorSeries]:
        from kvalitet.schema.enums import Gender

        row = await info.context.loaders.by_id(models.Unit).load(self.meeting.unit_id)
        if row is None:
            return []
        # What `of_unit` reads of a unit (the Unit type itself is not imported here: Unit imports this).
        unit = SimpleNamespace(
            id=str(row["id"]), municipality_id=row["municipality_id"], org_number=row["org_number"], kind=row["kind"]
        )
        year = self.meeting.year
        return await indicator.of_unit(info, unit, indicator.selection(None, None, Gender.ALL, year - 4, year))

    @strawberry.field(
        description="The points agreed in the unit's earlier meetings that are still open, and those closed since "
        "the meeting before this one: what this meeting follows up. Oldest first."
    )
    async def follow_ups(self, info: Info) -> list[FollowUpPoint]:
        return FollowUpPoint.from_rows(await _follow_ups(info).load(self.meeting))


@strawberry.type(
    description="A follow-up meeting between the municipality and a unit (a kind the profile names: "
    "«kvalitetsmøte», «ledersamtale», «fagsamtale» …): planned, then held with its minutes and participants, with "
    "the points agreed in it."
)
class FollowUpMeeting(RowNode, Versioned):
    model = models.FollowUpMeeting
    id: relay.NodeID[str]
    kind: str = strawberry.field(description="Which kind of meeting: a key of `Profile.followUp.meetingKinds`.")
    year: int = strawberry.field(description="The year it follows up.")
    period_key: str | None = strawberry.field(
        description="The reporting period (`ReportingPeriod.key`) whose report the agenda draws on; null for the "
        "year's last."
    )
    planned_on: dt.date = strawberry.field(description="The day it is (or was) planned for.")
    held_on: dt.date | None = strawberry.field(description="The day it was held; null until then.")
    status: MeetingStatus = strawberry.field(description="Planned, held or cancelled.")
    minutes: str = strawberry.field(description="The minutes, as written: paragraphs parted by a blank line.")
    unit_id: strawberry.Private[uuid.UUID]
    municipality_id: strawberry.Private[uuid.UUID]
    participant_rows: strawberry.Private[list]

    @classmethod
    def from_row(cls, row):
        values = dict(row)
        values["participant_rows"] = values.pop("participants", None) or []
        return super().from_row(values)

    @strawberry.field(description="The kind of meeting in the profile's words; null for a kind it no longer has.")
    async def kind_label(self, info: Info) -> Label | None:
        return await _kind_label(info, self.municipality_id, self.kind)

    @strawberry.field(description="Who takes part, by role, in the order given.")
    def participants(self) -> list[Participant]:
        return [Participant(role=ParticipantRole(p["role"]), title=p.get("title")) for p in self.participant_rows]

    @computed(
        _meeting_overdue,
        "boolean",
        description="Planned for a day that has passed, and neither held nor cancelled.",
    )
    def is_overdue(self) -> bool:
        return self.status is MeetingStatus.PLANNED and self.planned_on < dt.datetime.now(dt.UTC).date()

    @relation(Parent(models.Unit, "unit_id"), description="The unit it is held with.")
    async def unit(self, info: Info) -> Annotated[Unit, strawberry.lazy("kvalitet.schema.unit")] | None: ...

    @relation(Parent(models.Municipality, "municipality_id"), description="The municipality.")
    async def municipality(
        self, info: Info
    ) -> Annotated[Municipality, strawberry.lazy("kvalitet.schema.municipality")] | None: ...

    @relation(Children(models.FollowUpPoint, "meeting_id"), description="The points agreed in it, in order.")
    async def points(self, info: Info) -> list[FollowUpPoint]: ...

    @strawberry.field(description="What it goes through, drawn from the data now.")
    def agenda(self) -> FollowUpAgenda:
        return FollowUpAgenda(
            meeting=_Meeting(
                uuid.UUID(self.id), self.unit_id, self.year, self.period_key, self.planned_on, self.created_at
            )
        )


@strawberry.type(description="How often the municipality meets each unit in one kind of follow-up meeting.")
class FollowUpRhythm(RowNode, Versioned):
    model = models.FollowUpRhythm
    id: relay.NodeID[str]
    kind: str = strawberry.field(description="The kind of meeting: a key of `Profile.followUp.meetingKinds`.")
    every_months: int = strawberry.field(description="Months between meetings with each unit.")
    starts_on: dt.date = strawberry.field(
        description="When the rhythm was set: a unit never met in this kind of meeting is due this long after it."
    )


@strawberry.type(description="A unit not met in a kind of follow-up meeting within the municipality's rhythm.")
class OverdueFollowUp:
    kind: str = strawberry.field(description="The kind of meeting.")
    every_months: int = strawberry.field(description="The rhythm: months between meetings.")
    last_held_on: dt.date | None = strawberry.field(description="When the last one was held; null: never.")
    due_on: dt.date = strawberry.field(description="When the next was due.")
    unit_id: strawberry.Private[uuid.UUID]

    # A resolver, not a relation: the list is worked out by a resolver of its own, which the
    # compiled path does not walk into.
    @strawberry.field(description="The unit.")
    async def unit(self, info: Info) -> Annotated[Unit, strawberry.lazy("kvalitet.schema.unit")] | None:
        return cast("Unit | None", await node_type(models.Unit).load(info, self.unit_id))


async def overdue_of(info: Info, municipality_id: uuid.UUID) -> list[OverdueFollowUp]:
    """The units past their rhythm, in one statement for every municipality of the request; a
    kind for some units only (the profile's `unit_kinds`) leaves the others out."""
    from kvalitet.services.follow_ups import overdue_sql

    today = dt.datetime.now(dt.UTC).date()

    async def batch(keys: list[uuid.UUID]) -> list[list[Any]]:
        found = await info.context.loaders.fetch(models.FollowUpRhythm, overdue_sql(keys, today))
        return [[row for row in found if row["municipality_id"] == key] for key in keys]

    rows = await info.context.loaders.batched(("overdue_follow_ups", today), batch).load(municipality_id)
    declared = await declared_follow_up(info, municipality_id)
    kinds = {k.key: k for k in declared.meeting_kinds} if declared else {}
    return [
        OverdueFollowUp(
            kind=row["kind"],
            every_months=row["every_months"],
            last_held_on=row["last_held_on"],
            due_on=row["due_on"],
            unit_id=row["unit_id"],
        )
        for row in rows
        if row["kind"] in kinds
        and (not kinds[row["kind"]].unit_kinds or row["unit_kind"] in kinds[row["kind"]].unit_kinds)
    ]


__all__ = ["FollowUpAgenda", "FollowUpMeeting", "FollowUpPoint", "FollowUpRhythm", "OverdueFollowUp", "Participant"]
