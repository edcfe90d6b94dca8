"""A unit's report for a period: its assessments, what it must assess, and whether it is late."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from kvalitet import models
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.local_plan import LocalGoal, LocalPlan, ReviewStatus
from kvalitet.schema.plan import Area, Criterion, Measure, Plan
from kvalitet.schema.profile import Label
from kvalitet.schema.reading.relations import Children, Derived, Parent, computed, relation
from kvalitet.services.report_items import ITEM_ORDER, items_sql
from kvalitet.services.reports import is_overdue, overdue_sql

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


@strawberry.type(description="An assessment of a criterion, a measure or a local goal, on the profile's scale.")
class Assessment(RowNode, Versioned):
    model = models.Assessment
    id: relay.NodeID[str]
    level: str
    comment: str | None
    evidence: str | None
    report_id: strawberry.Private[uuid.UUID]
    criterion_id: strawberry.Private[uuid.UUID | None]
    local_goal_id: strawberry.Private[uuid.UUID | None]
    measure_id: strawberry.Private[uuid.UUID | None]

    @relation(Parent(models.Criterion, "criterion_id"))
    async def criterion(self, info: Info) -> Criterion | None: ...

    @relation(Parent(models.LocalGoal, "local_goal_id"))
    async def local_goal(self, info: Info) -> LocalGoal | None: ...

    @relation(Parent(models.Measure, "measure_id"), description="The measure assessed, where it is one.")
    async def measure(self, info: Info) -> Measure | None: ...


@strawberry.type(description="Something the report must assess, and its assessment so far.")
class ReportItem:
    area_id: strawberry.Private[uuid.UUID]
    criterion_id: strawberry.Private[uuid.UUID | None]
    local_goal_id: strawberry.Private[uuid.UUID | None]
    measure_id: strawberry.Private[uuid.UUID | None]
    assessment_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: Any) -> ReportItem:
        return cls(
            area_id=row["area_id"],
            criterion_id=row["criterion_id"],
            local_goal_id=row["local_goal_id"],
            measure_id=row["measure_id"],
            assessment_id=row["assessment_id"],
        )

    @relation(Parent(models.Area, "area_id"))
    async def area(self, info: Info) -> Area: ...

    @relation(Parent(models.Criterion, "criterion_id"))
    async def criterion(self, info: Info) -> Criterion | None: ...

    @relation(Parent(models.LocalGoal, "local_goal_id"))
    async def local_goal(self, info: Info) -> LocalGoal | None: ...

    @relation(
        Parent(models.Measure, "measure_id"),
        description="The plan's measure to assess, where the plan's reports assess measures (`Plan.measuresAssessedBy`).",
    )
    async def measure(self, info: Info) -> Measure | None: ...

    @relation(Parent(models.Assessment, "assessment_id"))
    async def assessment(self, info: Info) -> Assessment | None: ...


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

    @computed(overdue_sql, "boolean", description="Past its due date and not submitted.")
    def is_overdue(self) -> bool:
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

    @relation(
        Derived(items_sql, ITEM_ORDER, item=lambda: ReportItem),
        description="Everything the report must assess before it is submitted — the plan's criteria for the "
        "unit's kind, then the goals of its local plan — each with its assessment, if made.",
    )
    async def items(self, info: Info) -> list[ReportItem]: ...
