"""The sector report: live for a period, or as published (a frozen snapshot).

Both are the same plain shape (names, titles, counts), so a front end shows them alike; a
published one never changes when units, plans or reports change later.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum

import strawberry
from strawberry import relay
from strawberry.types import Info

from kvalitet import models
from kvalitet.models.enums import ReviewStatus
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.enums import UnitKind
from kvalitet.schema.reading.relations import READ, Derived, NodeIdOf, StatementRow, compiled_as, computed
from kvalitet.services import sector_report_sql as sql
from kvalitet.services.sector_reports import NOT_OPENED, STATUSES, local_plans_sql, progress_sql

# The live report's parts as the compiled path reads them (`kvalitet.services.sector_report_sql`);
# the default path reads the objects `SectorReportData.of` makes.


def _id_of(type_name: str, column: str) -> dict:
    return {READ: NodeIdOf(type_name, column)}


def _rows(rows, order: tuple[str, ...], item) -> dict:
    return {READ: Derived(rows, order, item=item)}


@strawberry.type(description="How many assessments (of submitted and approved reports) are at a level of the scale.")
class LevelCount(StatementRow):
    level: str = strawberry.field(description="A level of the profile's scale (`ScaleLevel.level`).")
    count: int = strawberry.field(description="How many assessments are at it.")


@strawberry.enum(description="Where a unit's report for the period is: not opened yet, or its report's review status.")
class UnitReportStatus(Enum):
    NOT_OPENED = NOT_OPENED
    DRAFT = ReviewStatus.DRAFT.value
    SUBMITTED = ReviewStatus.SUBMITTED.value
    RETURNED = ReviewStatus.RETURNED.value
    APPROVED = ReviewStatus.APPROVED.value


assert tuple(s.value for s in UnitReportStatus) == STATUSES  # the roll-up's statuses, in its order
_STATUS_WORDS = "`not_opened`, `draft`, `submitted`, `returned` or `approved`"
_LEVELS = "Every level of the scale, lowest first, with how many assessments of it are at that level."


@strawberry.type(description="How many units' reports are in a status (`not_opened`: no report yet).")
class StatusCount(StatementRow):
    status: str = strawberry.field(
        description=f"{_STATUS_WORDS}.", deprecation_reason="Use `reportStatus`, an enum like the rest of the schema."
    )
    count: int = strawberry.field(description="How many units' reports are in it.")

    @computed(lambda row: row.c.status, "enum", description="The status, as an enum.")
    def report_status(self) -> UnitReportStatus:
        return UnitReportStatus(self.status)


@strawberry.type(
    description="A unit in the sector report, with its report for the period (if opened) and its progress."
)
class SectorReportUnit(StatementRow):
    unit_id: relay.GlobalID = strawberry.field(description="The unit's global ID.", metadata=_id_of("Unit", "unit_id"))
    name: str = strawberry.field(description="The unit's name (in a snapshot, as it was when published).")
    kind: str = strawberry.field(
        description="`kindergarten`, `school` or `sfo`.",
        deprecation_reason="Use `unitKind`, an enum like the rest of the schema.",
    )
    status: str = strawberry.field(
        description=f"{_STATUS_WORDS}.", deprecation_reason="Use `reportStatus`, an enum like the rest of the schema."
    )
    overdue: bool = strawberry.field(
        description="Past the due date without a submitted report (none opened, or a draft or returned one); in a "
        "snapshot, as it was when published."
    )
    report_id: relay.GlobalID | None = strawberry.field(
        description="The unit's report for the period, if opened.", metadata=_id_of("Report", "report_id")
    )
    # Kept in a published snapshot; read when asked for in the live report (`live`).
    items: strawberry.Private[int | None] = None
    assessed: strawberry.Private[int | None] = None
    live: strawberry.Private[bool] = False
    plan_id: strawberry.Private[uuid.UUID | None] = None
    # A published snapshot's: (id, status) of the unit's local plan, or None when it had none.
    kept_local_plan: strawberry.Private[tuple[str, str] | None] = None

    @strawberry.field(
        description="The unit's local plan on the report's plan; null when it has none (or in a snapshot published "
        "before local plans were kept)."
    )
    async def local_plan_id(self, info: Info) -> relay.GlobalID | None:
        found = await self._local_plan(info)
        return relay.GlobalID("LocalPlan", found[0]) if found else None

    @strawberry.field(description="Where that local plan is in its review; null when the unit has none.")
    async def local_plan_status(self, info: Info) -> ReviewStatus | None:
        found = await self._local_plan(info)
        return ReviewStatus(found[1]) if found else None

    async def _local_plan(self, info: Info) -> tuple[str, str] | None:
        if not self.live or self.plan_id is None:
            return self.kept_local_plan
        loaders, plan_id = info.context.loaders, self.plan_id

        async def batch(ids: list[uuid.UUID]) -> list[tuple[str, str] | None]:
            rows = await loaders.fetch(models.LocalPlan, local_plans_sql(plan_id, ids))
            found = {row["unit_id"]: (str(row["id"]), row["status"]) for row in rows}
            return [found.get(id_) for id_ in ids]

        local_plan: tuple[str, str] | None = await loaders.batched(("sector_report.local_plans", plan_id), batch).load(
            uuid.UUID(self.unit_id.node_id)
        )
        return local_plan

    @strawberry.field(
        description="How many items its report must assess (`Report.items`); null while no report is opened."
    )
    async def item_count(self, info: Info) -> int | None:
        return (await self._progress(info))[0]

    @strawberry.field(description="How many of them are assessed; null without a report.")
    async def assessed_count(self, info: Info) -> int | None:
        return (await self._progress(info))[1]

    async def _progress(self, info: Info) -> tuple[int | None, int | None]:
        if not self.live or self.report_id is None:
            return self.items, self.assessed
        loaders = info.context.loaders

        async def batch(ids: list[uuid.UUID]) -> list[tuple[int, int]]:
            rows = await loaders.fetch(models.Report, progress_sql(ids))
            found = {row["report_id"]: (row["items"], row["assessed"]) for row in rows}
            return [found.get(id_, (0, 0)) for id_ in ids]

        counts: tuple[int, int] = await loaders.batched("sector_report.progress", batch).load(
            uuid.UUID(self.report_id.node_id)
        )
        return counts

    @computed(lambda row: row.c.kind, "enum", description="The unit's kind.")
    def unit_kind(self) -> UnitKind:
        return UnitKind(self.kind)

    @computed(lambda row: row.c.status, "enum", description="Where its report for the period is.")
    def report_status(self) -> UnitReportStatus:
        return UnitReportStatus(self.status)


@strawberry.type(description="The distribution of levels for one criterion.")
class SectorReportCriterion(StatementRow):
    criterion_id: relay.GlobalID = strawberry.field(
        description="The criterion's global ID.", metadata=_id_of("Criterion", "criterion_id")
    )
    text: str = strawberry.field(description="The criterion's text.")
    levels: list[LevelCount] = strawberry.field(
        description=_LEVELS, metadata=_rows(sql.level_rows, sql.LEVEL_ORDER, lambda: LevelCount)
    )


@strawberry.type(description="The distribution of levels for one measure of the plan (where reports assess measures).")
class SectorReportMeasure(StatementRow):
    measure_id: relay.GlobalID = strawberry.field(
        description="The measure's global ID.", metadata=_id_of("Measure", "measure_id")
    )
    text: str = strawberry.field(description="The measure's text.")
    levels: list[LevelCount] = strawberry.field(
        description=_LEVELS, metadata=_rows(sql.level_rows, sql.LEVEL_ORDER, lambda: LevelCount)
    )


@strawberry.type(
    description="The distribution of levels for one area: its criteria, its measures (where reports assess them) "
    "and the units' local goals in it. Areas come in plan order, depth first; `parentId` and `depth` give the tree."
)
class SectorReportArea(StatementRow):
    area_id: relay.GlobalID = strawberry.field(description="The area's global ID.", metadata=_id_of("Area", "area_id"))
    key: str | None = strawberry.field(description="The area's key in its plan; null if it has none.")
    kind: str = strawberry.field(description="The area's kind (a key of the profile's vocabulary).")
    title: str = strawberry.field(description="The area's title.")
    assessments: int = strawberry.field(
        description="How many assessments in submitted and approved reports are of its criteria (its goals' too), "
        "its measures and the units' local goals in it; not of the areas below it."
    )
    levels: list[LevelCount] = strawberry.field(
        description="Those assessments by level: every level of the scale, lowest first.",
        metadata=_rows(sql.level_rows, sql.LEVEL_ORDER, lambda: LevelCount),
    )
    criteria: list[SectorReportCriterion] = strawberry.field(
        description="Its own criteria, then its goals', in plan order.",
        metadata=_rows(sql.criterion_rows, sql.CRITERION_ORDER, lambda: SectorReportCriterion),
    )
    parent_id: relay.GlobalID | None = strawberry.field(
        description="The area it is part of; null at the top.", metadata=_id_of("Area", "parent_id")
    )
    depth: int = strawberry.field(description="0 for a top-level area, 1 for its children, and so on.")
    measures: list[SectorReportMeasure] = strawberry.field(
        description="Its measures, where the plan's reports assess measures (empty otherwise), in order.",
        metadata=_rows(sql.measure_rows, sql.MEASURE_ORDER, lambda: SectorReportMeasure),
    )


@strawberry.type(description="A municipality's unit reports for one period, rolled up.")
class SectorReportData(StatementRow):
    municipality_number: str = strawberry.field(description="The municipality's number (kommunenummer).")
    plan_title: str = strawberry.field(description="The title of the plan the reports are on.")
    year: int = strawberry.field(description="The year of the reporting period.")
    period_key: str = strawberry.field(description="The reporting period's key (`ReportingPeriod.key`).")
    due_on: dt.date = strawberry.field(description="When the period's reports are due.")
    units: list[SectorReportUnit] = strawberry.field(
        description="The units that owe a report for the period, by name: active units of the plan's kinds that "
        "existed before the period ended (or have a report for it).",
        metadata=_rows(sql.unit_rows, sql.UNIT_ORDER, lambda: SectorReportUnit),
    )
    units_by_status: list[StatusCount] = strawberry.field(
        description="How many of those units are in each status: not opened, draft, submitted, returned, approved.",
        metadata=_rows(sql.status_rows, ("n",), lambda: StatusCount),
    )
    areas: list[SectorReportArea] = strawberry.field(
        description="The plan's areas in plan order (depth first), each with its levels.",
        metadata=_rows(sql.area_rows, sql.AREA_ORDER, lambda: SectorReportArea),
    )

    @compiled_as(
        Derived(sql.overdue_unit_rows, sql.UNIT_ORDER, item=lambda: SectorReportUnit),
        description="Units whose report is past due and not submitted (or not opened).",
    )
    def overdue_units(self) -> list[SectorReportUnit]:
        return [u for u in self.units if u.overdue]

    @staticmethod
    def of(data: dict, *, live: bool = False) -> SectorReportData:
        """The report from `compute`'s data: live (progress read when asked), or published."""

        def levels(items):
            return [LevelCount(level=i["level"], count=i["count"]) for i in items]

        return SectorReportData(
            municipality_number=data["municipality_number"],
            plan_title=data["plan_title"],
            year=data["year"],
            period_key=data["period_key"],
            due_on=dt.date.fromisoformat(data["due_on"]),
            units=[
                SectorReportUnit(
                    unit_id=relay.GlobalID("Unit", u["unit_id"]),
                    name=u["name"],
                    kind=u["kind"],
                    status=u["status"],
                    overdue=u["overdue"],
                    # Snapshots published before these were kept have none of them.
                    report_id=relay.GlobalID("Report", u["report_id"]) if u.get("report_id") else None,
                    items=u.get("items"),
                    assessed=u.get("assessed"),
                    live=live,
                    plan_id=uuid.UUID(data["plan_id"]),
                    kept_local_plan=(u["local_plan_id"], u["local_plan_status"]) if u.get("local_plan_id") else None,
                )
                for u in data["units"]
            ],
            units_by_status=[StatusCount(status=s["status"], count=s["count"]) for s in data["units_by_status"]],
            areas=[
                SectorReportArea(
                    area_id=relay.GlobalID("Area", a["area_id"]),
                    key=a["key"],
                    kind=a["kind"],
                    title=a["title"],
                    assessments=a["assessments"],
                    levels=levels(a["levels"]),
                    criteria=[
                        SectorReportCriterion(
                            criterion_id=relay.GlobalID("Criterion", c["criterion_id"]),
                            text=c["text"],
                            levels=levels(c["levels"]),
                        )
                        for c in a["criteria"]
                    ],
                    parent_id=relay.GlobalID("Area", a["parent_id"]) if a.get("parent_id") else None,
                    depth=a.get("depth", 0),
                    measures=[
                        SectorReportMeasure(
                            measure_id=relay.GlobalID("Measure", m["measure_id"]),
                            text=m["text"],
                            levels=levels(m["levels"]),
                        )
                        for m in a.get("measures", [])
                    ],
                )
                for a in data["areas"]
            ],
        )


@strawberry.type(description="A published sector report: a snapshot that later edits do not change.")
class PublishedSectorReport(RowNode, Versioned):
    model = models.SectorReport
    id: relay.NodeID[str]
    year: int = strawberry.field(description="The year of the reporting period.")
    period_key: str = strawberry.field(description="The reporting period's key (`ReportingPeriod.key`).")
    published_at: dt.datetime = strawberry.field(description="When it was published.")
    published_by: str | None = strawberry.field(
        description="Who published it, as the change log names callers (`user:<subject>`, `apikey:<prefix>`); null "
        "if not recorded."
    )
    snapshot: strawberry.Private[dict]
    municipality_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The report as it was when published.")
    def report(self) -> SectorReportData:
        return SectorReportData.of(self.snapshot)
