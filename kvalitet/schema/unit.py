"""Units: kindergartens, schools and SFOs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from kvalitet import models
from kvalitet.schema import follow_up_lists, indicator, labels, review_lists
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.competence import CompetencePlan
from kvalitet.schema.enums import FollowUpStatus, Gender, MeetingStatus, Ownership, UnitKind
from kvalitet.schema.follow_up import FollowUpMeeting, FollowUpPoint
from kvalitet.schema.local_plan import LocalPlan, ReviewStatus
from kvalitet.schema.reading.connection import Connection
from kvalitet.schema.reading.relations import Parent, relation
from kvalitet.schema.report import Report

if TYPE_CHECKING:
    from kvalitet.schema.municipality import Municipality


@strawberry.type(description="One kindergarten, school or SFO.")
class Unit(RowNode, Versioned):
    model = models.Unit
    id: relay.NodeID[str]
    name: str = strawberry.field(description="The unit's name.")
    kind: UnitKind = strawberry.field(description="Kindergarten, school or SFO.")
    org_number: str | None = strawberry.field(description="The 9-digit organisation number (NSR/NBR).")
    ownership: Ownership = strawberry.field(description="Whether the municipality owns it, or a private owner.")
    zone: str | None = strawberry.field(description="The zone or network the unit belongs to, if any.")
    archived_at: dt.datetime | None = strawberry.field(
        description="When it was archived (`archiveUnit`); null while it is active. An archived unit is kept, but "
        "can no longer be changed, and no local plan or report is started for it."
    )
    staff_may_edit: bool = strawberry.field(description="The unit leader lets staff edit the unit's drafts.")
    municipality_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description=labels.described("The kind of unit", "kind"))
    def kind_label(self, info: Info) -> str:
        return labels.kind_label(self.kind, info)

    @relation(Parent(models.Municipality, "municipality_id"), description="The municipality the unit belongs to.")
    async def municipality(
        self, info: Info
    ) -> Annotated[Municipality, strawberry.lazy("kvalitet.schema.municipality")] | None: ...

    @relation(review_lists.local_plans("unit_id"), description="The unit's local plans, least recently changed first.")
    async def local_plans(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: ReviewStatus | None = None,
        updated_since: dt.datetime | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[LocalPlan]: ...

    @relation(review_lists.reports("unit_id"), description="The unit's reports, least recently changed first.")
    async def reports(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: ReviewStatus | None = None,
        year: int | None = None,
        period: str | None = None,
        updated_since: dt.datetime | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Report]: ...

    @relation(follow_up_lists.meetings("unit_id"), description="The unit's follow-up meetings, earliest first.")
    async def follow_up_meetings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kind: str | None = None,
        year: int | None = None,
        status: MeetingStatus | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[FollowUpMeeting]: ...

    @relation(
        follow_up_lists.points("unit_id"),
        description="The points agreed with the unit, in the order they were agreed (`status: OPEN` for those still "
        "to be followed up).",
    )
    async def follow_up_points(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: FollowUpStatus | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[FollowUpPoint]: ...

    @relation(follow_up_lists.competence_plans("unit_id"), description="The unit's competence plans, oldest first.")
    async def competence_plans(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[CompetencePlan]: ...

    @strawberry.field(
        description="The unit's figures of national and local indicators (for its kind) by school year, beside its "
        "municipality's, county's and the nation's; for those who may read the unit's reports. "
        + indicator.arguments_description()
    )
    async def indicators(
        self,
        info: Info,
        codes: list[str] | None = None,
        grade: str | None = None,
        gender: Gender = Gender.ALL,
        from_year: int | None = None,
        to_year: int | None = None,
    ) -> list[indicator.IndicatorSeries]:
        return await indicator.of_unit(info, self, indicator.selection(codes, grade, gender, from_year, to_year))


UnitConnection = Connection[Unit]
