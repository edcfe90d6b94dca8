"""The sector report: live for a period, or as published (a frozen snapshot).

Both are the same plain shape (names, titles, counts), so a front end shows them alike; a
published one never changes when units, plans or reports change later.
"""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry import relay

from kvalitet import models
from kvalitet.schema.base import RowNode, Versioned


@strawberry.type(description="How many assessments (of submitted and approved reports) are at a level of the scale.")
class LevelCount:
    level: str
    count: int


@strawberry.type(description="How many units' reports are in a status (`not_opened`: no report yet).")
class StatusCount:
    status: str
    count: int


@strawberry.type(description="A unit in the sector report.")
class SectorReportUnit:
    unit_id: relay.GlobalID
    name: str
    kind: str
    status: str = strawberry.field(description="`not_opened`, `draft`, `submitted`, `returned` or `approved`.")
    overdue: bool


@strawberry.type(description="The distribution of levels for one criterion.")
class SectorReportCriterion:
    criterion_id: relay.GlobalID
    text: str
    levels: list[LevelCount]


@strawberry.type(description="The distribution of levels for one area: its criteria and the units' local goals in it.")
class SectorReportArea:
    area_id: relay.GlobalID
    key: str | None
    kind: str
    title: str
    assessments: int
    levels: list[LevelCount]
    criteria: list[SectorReportCriterion]


@strawberry.type(description="A municipality's unit reports for one period, rolled up.")
class SectorReportData:
    municipality_number: str
    plan_title: str
    year: int
    period_key: str
    due_on: dt.date
    units: list[SectorReportUnit]
    units_by_status: list[StatusCount]
    areas: list[SectorReportArea]

    @strawberry.field(description="Units whose report is past due and not submitted (or not opened).")
    def overdue_units(self) -> list[SectorReportUnit]:
        return [u for u in self.units if u.overdue]

    @staticmethod
    def of(data: dict) -> SectorReportData:
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
                )
                for a in data["areas"]
            ],
        )


@strawberry.type(description="A published sector report: a snapshot that later edits do not change.")
class PublishedSectorReport(RowNode, Versioned):
    model = models.SectorReport
    id: relay.NodeID[str]
    year: int
    period_key: str
    published_at: dt.datetime
    published_by: str | None
    snapshot: strawberry.Private[dict]
    municipality_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The report as it was when published.")
    def report(self) -> SectorReportData:
        return SectorReportData.of(self.snapshot)
