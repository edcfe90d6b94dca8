"""A unit's report for a period: its assessments, what it must assess, and whether it is late."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from kvalitet import models
from kvalitet.db import Database
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.local_plan import LocalGoal, LocalPlan, ReviewStatus
from kvalitet.schema.plan import Area, Criterion, Plan
from kvalitet.schema.profile import Label
from kvalitet.schema.reading.relations import Children, Parent, computed, relation
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

    @strawberry.field(
        description="Everything the report must assess before it is submitted — the plan's criteria for the "
        "unit's kind, then the goals of its local plan — each with its assessment, if made."
    )
    async def items(self, info: Info) -> list[ReportItem]:
        key = _ReportKey(uuid.UUID(self.id), self.unit_id, self.plan_id, self.local_plan_id)
        loader = info.context.loaders.batched("report_items", lambda keys: _items_of(info.context.database, keys))
        items: list[ReportItem] = await loader.load(key)
        return items


class _ReportKey(NamedTuple):
    id: uuid.UUID
    unit_id: uuid.UUID
    plan_id: uuid.UUID
    local_plan_id: uuid.UUID | None


async def _items_of(database: Database, keys: list[_ReportKey]) -> list[list[ReportItem]]:
    """The items of every report of a request at once: the same few statements for a page of a
    hundred reports as for one (their plans' structure, local goals and assessments)."""
    from kvalitet.schema.mutation_support import to_node
    from kvalitet.services.report_items import required_items_of

    async with database.session() as session:
        items = await required_items_of(session, keys)
        table = models.Assessment.__table__
        rows = (
            (await session.execute(select(table).where(table.c.report_id.in_([k.id for k in keys])))).mappings().all()
        )
    assessed = {(row["report_id"], row["criterion_id"] or row["local_goal_id"]): row for row in rows}
    # The reports of a plan share its areas and criteria: one node each, not one per report.
    nodes: dict[int, Any] = {}

    def node(node_type: Any, row: Any) -> Any:
        if row is None:
            return None
        made = nodes.get(id(row))
        if made is None:
            made = nodes[id(row)] = to_node(node_type, row)
        return made

    return [
        [
            ReportItem(
                area=node(Area, item.area),
                criterion=node(Criterion, item.criterion),
                local_goal=node(LocalGoal, item.local_goal),
                assessment=Assessment.from_row(row) if (row := assessed.get((key.id, item.subject.id))) else None,
            )
            for item in items[key.id]
        ]
        for key in keys
    ]
