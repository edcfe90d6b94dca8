"""A unit's report for a period: its assessments, what it must assess, and whether it is late."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import strawberry
from strawberry import relay
from strawberry.types import Info

from kvalitet import models
from kvalitet.schema import labels, review_events
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.local_plan import Finding, LocalGoal, LocalPlan, ReviewStatus
from kvalitet.schema.plan import Area, Criterion, Measure, Plan
from kvalitet.schema.profile import Label
from kvalitet.schema.reading.relations import Children, Derived, Parent, computed, relation
from kvalitet.services.report_items import ITEM_ORDER, items_sql
from kvalitet.services.reports import ReportFinding, is_overdue, overdue_sql

if TYPE_CHECKING:
    from kvalitet.schema.unit import Unit


@strawberry.type(description="A reporting period of one year, with its dates.")
class ReportingPeriodOfYear:
    key: str = strawberry.field(description="The period's key (`ReportingPeriod.key`).")
    label: Label = strawberry.field(description="Its name in each language.")
    year: int = strawberry.field(description="The year it is of.")
    starts_on: dt.date = strawberry.field(description="Its first day.")
    ends_on: dt.date = strawberry.field(description="Its last day.")
    due_on: dt.date = strawberry.field(description="When its reports are due.")

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
    level: str = strawberry.field(description="A level of the profile's scale (`ScaleLevel.level`).")
    comment: str | None = strawberry.field(description="The unit's comment on it; null if none.")
    evidence: str | None = strawberry.field(description="What the unit bases it on; null if not given.")
    report_id: strawberry.Private[uuid.UUID]
    criterion_id: strawberry.Private[uuid.UUID | None]
    local_goal_id: strawberry.Private[uuid.UUID | None]
    measure_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description=labels.described("The level as the profile's scale names it", "level"))
    async def level_label(self, info: Info) -> str:
        return await labels.level_label(info, models.Assessment, self.id, self.level)

    @relation(Parent(models.Criterion, "criterion_id"), description="The criterion assessed, where it is one.")
    async def criterion(self, info: Info) -> Criterion | None: ...

    @relation(Parent(models.LocalGoal, "local_goal_id"), description="The local goal assessed, where it is one.")
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

    @relation(Parent(models.Area, "area_id"), description="The area of the plan the item is in.")
    async def area(self, info: Info) -> Area: ...

    @relation(Parent(models.Criterion, "criterion_id"), description="The plan's criterion to assess, where it is one.")
    async def criterion(self, info: Info) -> Criterion | None: ...

    @relation(
        Parent(models.LocalGoal, "local_goal_id"), description="The local plan's goal to assess, where it is one."
    )
    async def local_goal(self, info: Info) -> LocalGoal | None: ...

    @relation(
        Parent(models.Measure, "measure_id"),
        description="The plan's measure to assess, where the plan's reports assess measures (`Plan.measuresAssessedBy`).",
    )
    async def measure(self, info: Info) -> Measure | None: ...

    @relation(Parent(models.Assessment, "assessment_id"), description="Its assessment in this report; null until made.")
    async def assessment(self, info: Info) -> Assessment | None: ...


# What a report must assess, as rows of `items_sql` (its items, and its progress).
ITEMS = Derived(items_sql, ITEM_ORDER, item=lambda: ReportItem)


@strawberry.type(description="A unit's report for one reporting period.")
class Report(RowNode, Versioned):
    model = models.Report
    id: relay.NodeID[str]
    year: int = strawberry.field(description="The year of its reporting period.")
    period_key: str = strawberry.field(description="The profile's key of its reporting period (`ReportingPeriod.key`).")
    period_start: dt.date = strawberry.field(description="The first day of the period.")
    period_end: dt.date = strawberry.field(description="The last day of the period.")
    due_on: dt.date = strawberry.field(description="When it is due.")
    status: ReviewStatus = strawberry.field(
        description="Where it is in its review: a draft, submitted, returned or approved."
    )
    submitted_at: dt.datetime | None = strawberry.field(description="When it was last submitted; null until it is.")
    decided_at: dt.datetime | None = strawberry.field(
        description="When it was last approved or returned; null until it is."
    )
    comment: str | None = strawberry.field(description="The reviewer's comment when it was returned or approved.")
    unit_id: strawberry.Private[uuid.UUID]
    plan_id: strawberry.Private[uuid.UUID]
    local_plan_id: strawberry.Private[uuid.UUID | None]
    review_events, submitted_by, decided_by = review_events.fields(models.Report)

    @strawberry.field(description=labels.described("The status", "status"))
    def status_label(self, info: Info) -> str:
        return labels.status_label(self.status, info)

    @computed(overdue_sql, "boolean", description="Past its due date and not submitted.")
    def is_overdue(self) -> bool:
        return is_overdue(self.status.value, self.due_on, dt.datetime.now(dt.UTC).date())

    @relation(Parent(models.Unit, "unit_id"), description="The unit whose report it is.")
    async def unit(self, info: Info) -> Annotated[Unit, strawberry.lazy("kvalitet.schema.unit")] | None: ...

    @relation(
        Parent(models.Plan, "plan_id"),
        description="The municipality's plan it reports on: the adopted plan that covered its year when it was opened.",
    )
    async def plan(self, info: Info) -> Plan | None: ...

    @relation(
        Parent(models.LocalPlan, "local_plan_id"),
        description="The unit's local plan on the same plan; null while the unit has none.",
    )
    async def local_plan(self, info: Info) -> LocalPlan | None: ...

    @relation(
        Children(models.Assessment, "report_id", order=("created_at", "id"), limit_argument="first"),
        description="The report's assessments in the order they were made; `first` keeps only the first ones.",
    )
    async def assessments(self, info: Info, first: int | None = None) -> list[Assessment]: ...

    @relation(
        ITEMS,
        description="Everything the report must assess before it is submitted — the plan's criteria for the "
        "unit's kind, its measures where the plan's reports assess them, then the goals of its local plan — each "
        "with its assessment, if made.",
    )
    async def items(self, info: Info) -> list[ReportItem]: ...

    @strawberry.field(description="How far the report has come: its items, how many are assessed, which are not.")
    async def progress(self, info: Info) -> ReportProgress:
        items: list[ReportItem] = await ITEMS.read(info, self, {})
        missing = [i for i in items if i.assessment_id is None]
        return ReportProgress(item_count=len(items), assessed_count=len(items) - len(missing), missing=missing)

    @strawberry.field(
        description="What the report lacks before it can be submitted (items not assessed, nothing to assess, the "
        "profile's rules); empty when it can be. The same findings `submitReport` refuses with."
    )
    async def findings(self, info: Info) -> list[Finding]:
        context = info.context
        loader = context.loaders.batched("report_findings", lambda keys: _findings_of(info, keys))
        found: list[Finding] = await loader.load(
            _ReportKey(uuid.UUID(self.id), self.unit_id, self.plan_id, self.period_key, self.year)
        )
        return found


@strawberry.type(description="How far a report has come.")
class ReportProgress:
    item_count: int = strawberry.field(description="How many items the report must assess.")
    assessed_count: int = strawberry.field(description="How many of them are assessed.")
    missing: list[ReportItem] = strawberry.field(description="The items not assessed yet, in order.")


class _ReportKey(NamedTuple):
    """What the findings of a report are worked out from (`reports.findings_of`)."""

    id: uuid.UUID
    unit_id: uuid.UUID
    plan_id: uuid.UUID
    period_key: str
    year: int


async def _findings_of(info: Info, keys: list[_ReportKey]) -> list[list[Finding]]:
    """The findings of every report of a request at once, in the same few statements for a page
    of reports as for one."""
    from kvalitet.schema.mutation_support import read_service
    from kvalitet.services.reports import findings_of

    async with read_service(info) as service:
        found = await findings_of(service, keys)
    return [[finding_of(f, info.context.locale) for f in found[key.id]] for key in keys]


def finding_of(found: ReportFinding, locale: str) -> Finding:
    """A report's finding for the API: its code, message and field, and the item it is about."""
    problem, item = found.problem, found.item

    def gid(type_name: str, row) -> relay.GlobalID | None:
        return relay.GlobalID(type_name, str(row.id)) if row is not None else None

    return Finding.said(
        problem.code,
        problem.message,
        problem.field or "",
        locale,
        area_id=gid("Area", item.area) if item else None,
        criterion_id=gid("Criterion", item.criterion) if item else None,
        measure_id=gid("Measure", item.measure) if item else None,
        local_goal_id=gid("LocalGoal", item.local_goal) if item else None,
    )
