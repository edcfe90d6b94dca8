"""Municipalities: the owners of units and plans."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from kvalitet import models
from kvalitet.messages import text
from kvalitet.schema import follow_up_lists, indicator, review_lists
from kvalitet.schema.api_key import ApiKey
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.competence import CompetencePlan, CompetenceRollup
from kvalitet.schema.council_report import CouncilReport, CouncilReportEdition
from kvalitet.schema.enums import FollowUpStatus, Gender, MeetingStatus, UnitKind
from kvalitet.schema.errors import BadInput, instant
from kvalitet.schema.follow_up import FollowUpMeeting, FollowUpPoint, FollowUpRhythm, OverdueFollowUp, overdue_of
from kvalitet.schema.local_plan import LocalPlan, ReviewStatus
from kvalitet.schema.plan import Plan
from kvalitet.schema.profile import Profile
from kvalitet.schema.reading.connection import Connection
from kvalitet.schema.reading.loaders import AtLeast
from kvalitet.schema.reading.relations import Children, Filters, Page, Rollup, compiled_as, relation
from kvalitet.schema.register_sync import RegisterSyncState
from kvalitet.schema.report import Report, ReportingPeriodOfYear
from kvalitet.schema.sector_report import PublishedSectorReport, SectorReportData
from kvalitet.schema.unit import Unit
from kvalitet.schema.webhook import WebhookSubscription
from kvalitet.services import sector_report_sql
from kvalitet.services.validation import YEARS

UNIT_ORDERS = {"NAME": ("name", "id"), "UPDATED_AT": ("updated_at", "id")}


def unit_filters(kind, include_archived: bool, updated_since: dt.datetime | None) -> tuple[dict, tuple]:
    """`Municipality.units`' filters as (column = value, further clauses), for its resolver and
    the compiled path alike. `kind` may be a `UnitKind` or its stored value."""
    equals = {} if kind is None else {"kind": getattr(kind, "value", kind)}
    if not include_archived:
        equals["archived_at"] = None
    updated_since = instant(updated_since, "updatedSince")
    return equals, () if updated_since is None else (AtLeast("updated_at", updated_since),)


def _unit_filters(arguments: dict) -> Filters:
    return Filters(
        *unit_filters(arguments.get("kind"), arguments.get("include_archived", False), arguments.get("updated_since"))
    )


def _unit_order(arguments: dict) -> tuple[str, ...]:
    order_by = arguments.get("order_by", "NAME")
    return UNIT_ORDERS[getattr(order_by, "value", order_by)]


@strawberry.enum(description="How to order units: by name, or by last change (for syncing).")
class UnitOrder(Enum):
    NAME = "NAME"
    UPDATED_AT = "UPDATED_AT"


@strawberry.type(description="A municipality (kommune), identified by its 4-digit number.")
class Municipality(RowNode, Versioned):
    model = models.Municipality
    id: relay.NodeID[str]
    number: str = strawberry.field(description="The kommunenummer, e.g. 5501.")
    name: str = strawberry.field(description="The municipality's name, e.g. Tromsø.")
    profile_code: strawberry.Private[str | None]

    @strawberry.field(description="The profile the municipality uses.")
    def profile(self, info: Info) -> Profile | None:
        found = info.context.profiles.get(self.profile_code) if self.profile_code else None
        return Profile.of(found) if found else None

    @strawberry.field(
        description="The municipality's figures of national indicators (and its own) by school year, beside its "
        "county's and the nation's; public. A `unitKind` keeps the indicators of that kind of unit. "
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
        unit_kind: UnitKind | None = None,
    ) -> list[indicator.IndicatorSeries]:
        chosen = indicator.selection(codes, grade, gender, from_year, to_year, unit_kind)
        return await indicator.of_municipality(info, self.id, self.number, self.profile_code, chosen)

    @relation(
        Children(models.Plan, "municipality_id", order=("period_start", "created_at", "id")),
        description="The municipality's plans, oldest period first.",
    )
    async def plans(self, info: Info) -> list[Plan]: ...

    @relation(
        Page(models.Unit, "municipality_id", _unit_order, _unit_filters),
        description="The municipality's units, a page at a time: by name, or by last change with `updatedSince` "
        "(inclusive) for syncing.",
    )
    async def units(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kind: UnitKind | None = None,
        include_archived: bool = False,
        updated_since: dt.datetime | None = None,
        order_by: UnitOrder = UnitOrder.NAME,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Unit]: ...

    @relation(
        review_lists.local_plans("municipality_id"),
        description="The local plans of the municipality's units, least recently changed first.",
    )
    async def local_plans(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        unit_kind: UnitKind | None = None,
        status: ReviewStatus | None = None,
        updated_since: dt.datetime | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[LocalPlan]: ...

    @relation(
        review_lists.reports("municipality_id"),
        description="The reports of the municipality's units, least recently changed first.",
    )
    async def reports(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        unit_kind: UnitKind | None = None,
        status: ReviewStatus | None = None,
        year: int | None = None,
        period: str | None = None,
        updated_since: dt.datetime | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Report]: ...

    @relation(
        follow_up_lists.meetings("municipality_id"),
        description="The follow-up meetings with the municipality's units, earliest first.",
    )
    async def follow_up_meetings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kind: str | None = None,
        year: int | None = None,
        status: MeetingStatus | None = None,
        unit_kind: UnitKind | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[FollowUpMeeting]: ...

    @relation(
        follow_up_lists.points("municipality_id"),
        description="The points agreed with the municipality's units, in the order they were agreed: with "
        "`status: OPEN` (or `IN_PROGRESS`), what is still to be followed up.",
    )
    async def follow_up_points(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: FollowUpStatus | None = None,
        unit_kind: UnitKind | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[FollowUpPoint]: ...

    @relation(
        Children(models.FollowUpRhythm, "municipality_id", order=("kind", "id")),
        description="How often the municipality meets each unit, per kind of follow-up meeting.",
    )
    async def follow_up_rhythms(self, info: Info) -> list[FollowUpRhythm]: ...

    @strawberry.field(
        description="The units not met within the municipality's rhythm, per kind of meeting, most overdue first "
        "(like overdue reports). Empty where no rhythm is set."
    )
    async def overdue_follow_ups(self, info: Info) -> list[OverdueFollowUp]:
        return await overdue_of(info, uuid.UUID(self.id))

    @relation(
        follow_up_lists.competence_plans("municipality_id"),
        description="The competence plans of the municipality's units, and its own, oldest first.",
    )
    async def competence_plans(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        unit_kind: UnitKind | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[CompetencePlan]: ...

    @strawberry.field(
        description="The competence needs and measures of every plan covering `year`, rolled up across units: what "
        "the municipality brings to the regional collaboration forum (with `csv` to export)."
    )
    async def competence_rollup(self, info: Info, year: int) -> CompetenceRollup:
        from kvalitet.schema.competence import rollup

        if year not in YEARS:
            raise BadInput(text("period.implausible_year", year=year), argument="year")
        return await rollup(info, uuid.UUID(self.id), year)

    @strawberry.field(description="The profile's reporting periods of `year`, with their dates and due dates.")
    def reporting_calendar(self, info: Info, year: int) -> list[ReportingPeriodOfYear]:
        from kvalitet.services.reports import calendar

        if year not in YEARS:
            raise BadInput(text("input.implausible_year", year=year), argument="year")
        return [ReportingPeriodOfYear.of(p) for p in calendar(info.context.profiles, self.profile_code, year)]

    @compiled_as(
        Rollup(sector_report_sql.report_row, "read_sector_report"),
        description="The units' reports for one period, rolled up (live); `period` is a reporting period key. "
        "Null for callers who may not read the municipality's reports.",
    )
    async def sector_report(self, info: Info, year: int, period: str) -> SectorReportData | None:
        from kvalitet.schema.mutation_support import read_service
        from kvalitet.services import sector_reports
        from kvalitet.services.errors import FORBIDDEN, NOT_FOUND, UserInputError

        async with read_service(info) as service:
            try:
                municipality = await service.load(
                    models.Municipality, uuid.UUID(self.id), "municipality", action="read_sector_report"
                )
                data = await sector_reports.compute(service, municipality, year, period)
            except UserInputError as error:
                problem = error.problems[0]
                if problem.code in (NOT_FOUND, FORBIDDEN):
                    return None
                raise BadInput(problem.message, argument=problem.field) from error
        return SectorReportData.of(data, live=True)

    @strawberry.field(description="The municipality's webhook subscriptions (for those who manage them).")
    async def webhook_subscriptions(self, info: Info) -> list[WebhookSubscription]:
        loader = info.context.loaders.children(
            models.WebhookSubscription, "municipality_id", order=("created_at", "id")
        )
        return WebhookSubscription.from_rows(await loader.load(uuid.UUID(self.id)))

    @strawberry.field(
        description="Where the sync of the municipality's units with each national register stands (for those who "
        "manage its units)."
    )
    async def register_syncs(self, info: Info) -> list[RegisterSyncState]:
        loader = info.context.loaders.children(models.RegisterSync, "municipality_id", order=("register",))
        return [RegisterSyncState.from_row(row) for row in await loader.load(uuid.UUID(self.id))]

    @strawberry.field(description="The municipality's API keys (for its sector admins).")
    async def api_keys(self, info: Info) -> list[ApiKey]:
        loader = info.context.loaders.children(models.ApiKey, "municipality_id", order=("created_at", "id"))
        return ApiKey.from_rows(await loader.load(uuid.UUID(self.id)))

    @strawberry.field(
        description="The year's draft of the report to the council, for those who may read sector reports; null when "
        "there is none (or the caller may not see it)."
    )
    async def council_report(self, info: Info, year: int) -> CouncilReport | None:
        table = models.CouncilReport.__table__
        rows = await info.context.loaders.fetch(
            models.CouncilReport,
            select(table).where(table.c.municipality_id == uuid.UUID(self.id), table.c.year == year),
        )
        return CouncilReport.from_row(rows[0]) if rows else None

    @strawberry.field(
        description="The published editions of the report to the council (open to everyone), newest year first and, "
        "within a year, the current edition first; `year` narrows them to one year."
    )
    async def council_report_editions(self, info: Info, year: int | None = None) -> list[CouncilReportEdition]:
        table = models.CouncilReportEdition.__table__
        statement = select(*(c for c in table.c if c.name != "content")).where(
            table.c.municipality_id == uuid.UUID(self.id)
        )
        if year is not None:
            statement = statement.where(table.c.year == year)
        rows = await info.context.loaders.fetch(
            models.CouncilReportEdition, statement.order_by(table.c.year.desc(), table.c.number.desc())
        )
        return CouncilReportEdition.from_rows(rows)

    @strawberry.field(description="The sector reports published so far, newest first.")
    async def published_sector_reports(self, info: Info) -> list[PublishedSectorReport]:
        loader = info.context.loaders.children(models.SectorReport, "municipality_id", order=("published_at", "id"))
        rows = await loader.load(uuid.UUID(self.id))
        return PublishedSectorReport.from_rows(reversed(rows))
