"""A unit's report for a period: its assessments, what it must assess, and whether it is late."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from kvalitet import models
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.local_plan import LocalGoal, LocalPlan, ReviewStatus
from kvalitet.schema.plan import Area, Criterion, Plan
from kvalitet.schema.profile import Label
from kvalitet.schema.reading.relations import Children, Parent, relation

if TYPE_CHECKING:
    from kvalitet.schema.unit import Unit


@strawberry.type(description="A reporting period of one year, with its dates.")
class ReportingPeriodOfYear:
    key: str
    label: Label
    year: int
    starts_on: dt.date
    ends_on: dt.date
    due_on: dt.date

    @staticmethod
    def of(period) -> ReportingPeriodOfYear:
        return ReportingPeriodOfYear(
            key=period.key,
            label=Label.of(period.label),
            year=period.year,
            starts_on=period.starts_on,
            ends_on=period.ends_on,
            due_on=period.due_on,
        )


@strawberry.type(description="An assessment of a criterion or a local goal, on the profile's scale.")
class Assessment(RowNode, Versioned):
    model = models.Assessment
    id: relay.NodeID[str]
    level: str
    comment: str | None
    evidence: str | None
    report_id: strawberry.Private[uuid.UUID]
    criterion_id: strawberry.Private[uuid.UUID | None]
    local_goal_id: strawberry.Private[uuid.UUID | None]

    @relation(Parent(models.Criterion, "criterion_id"))
    async def criterion(self, info: Info) -> Criterion | None: ...

    @relation(Parent(models.LocalGoal, "local_goal_id"))
    async def local_goal(self, info: Info) -> LocalGoal | None: ...


@strawberry.type(description="Something the report must assess, and its assessment so far.")
class ReportItem:
    area: Area
    criterion: Criterion | None
    local_goal: LocalGoal | None
    assessment: Assessment | None


@strawberry.type(description="A unit's report for one reporting period.")
class Report(RowNode, Versioned):
    model = models.Report
    id: relay.NodeID[str]
    year: int
    period_key: str
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date
    status: ReviewStatus
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    comment: str | None = strawberry.field(description="The reviewer's comment when it was returned or approved.")
    unit_id: strawberry.Private[uuid.UUID]
    plan_id: strawberry.Private[uuid.UUID]
    local_plan_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="Past its due date and not submitted.")
    def is_overdue(self) -> bool:
        from kvalitet.services.reports import is_overdue

        return is_overdue(self.status.value, self.due_on, dt.datetime.now(dt.UTC).date())

    @relation(Parent(models.Unit, "unit_id"))
    async def unit(self, info: Info) -> Annotated[Unit, strawberry.lazy("kvalitet.schema.unit")] | None: ...

    @relation(Parent(models.Plan, "plan_id"))
    async def plan(self, info: Info) -> Plan | None: ...

    @relation(Parent(models.LocalPlan, "local_plan_id"))
    async def local_plan(self, info: Info) -> LocalPlan | None: ...

    @relation(
        Children(models.Assessment, "report_id", order=("created_at", "id"), limit_argument="first"),
        description="The report's assessments in the order they were made; `first` keeps only the first ones.",
    )
    async def assessments(self, info: Info, first: int | None = None) -> list[Assessment]: ...

    @strawberry.field(
        description="Everything the report must assess before it is submitted — the plan's criteria for the "
        "unit's kind, then the goals of its local plan — each with its assessment, if made."
    )
    async def items(self, info: Info) -> list[ReportItem]:
        from kvalitet.schema.mutation_support import read_service, to_node
        from kvalitet.services import reports

        async with read_service(info) as service:
            report = await service.session.get_one(models.Report, uuid.UUID(self.id))
            items = await reports.required_items(service, report)
            table = models.Assessment.__table__
            assessments = (
                (await service.session.execute(select(table).where(table.c.report_id == report.id))).mappings().all()
            )
        by_subject = {row["criterion_id"] or row["local_goal_id"]: row for row in assessments}
        result = []
        for item in items:
            subject = item.subject.id
            assessment = by_subject.get(subject)
            result.append(
                ReportItem(
                    area=to_node(Area, item.area),
                    criterion=to_node(Criterion, item.criterion),
                    local_goal=to_node(LocalGoal, item.local_goal),
                    assessment=Assessment.from_row(assessment) if assessment is not None else None,
                )
            )
        return result
