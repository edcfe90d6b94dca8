"""The yearly report to the council in GraphQL: the year's draft with its sections, and the
editions published from it, with the addresses of their web page and PDF."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from kvalitet import models
from kvalitet.council.paths import draft_path, edition_path
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.enums import ReportLanguage
from kvalitet.schema.sector_report import PublishedSectorReport
from kvalitet.services import council_reports

if TYPE_CHECKING:
    from kvalitet.schema.plan import Measure
    from kvalitet.schema.report import Assessment


async def _structure(info: Info, municipality_id: uuid.UUID):
    municipality = await info.context.loaders.by_id(models.Municipality).load(municipality_id)
    if municipality is None or not municipality["profile_code"]:
        return None, None
    return municipality, info.context.profiles.council_report(municipality["profile_code"])


@strawberry.type(
    description="One section of a council report's draft: the sector office's text, and the measures ahead."
)
class CouncilReportSection(RowNode, Versioned):
    model = models.CouncilReportSection
    id: relay.NodeID[str]
    key: str = strawberry.field(description="The section's key in the profile's structure (`laeringsmiljo` …).")
    text: str = strawberry.field(
        description="The sector office's own assessment, as written: paragraphs parted by a blank line."
    )
    council_report_id: strawberry.Private[uuid.UUID]
    measure_ids: strawberry.Private[list[uuid.UUID]]
    comment_ids: strawberry.Private[list[uuid.UUID]]

    @strawberry.field(description="The section's title, in the report's language.")
    async def title(self, info: Info) -> str:
        report = await info.context.loaders.by_id(models.CouncilReport).load(self.council_report_id)
        if report is None:
            return self.key
        _, structure = await _structure(info, report["municipality_id"])
        spec = next((s for s in structure.sections if s.key == self.key), None) if structure else None
        return getattr(spec.title, report["locale"]) if spec else self.key

    @strawberry.field(description="The plan's measures the section names as the measures ahead, in the order given.")
    async def measures(self, info: Info) -> list[Annotated[Measure, strawberry.lazy("kvalitet.schema.plan")]]:
        from kvalitet.schema.plan import Measure

        rows = await self._chosen(info, models.Measure, council_reports.own_measures, self.measure_ids)
        return Measure.from_rows(rows)

    @strawberry.field(
        description="The units' assessments whose comments the section quotes, in the order given (those the "
        "caller may read)."
    )
    async def comments(self, info: Info) -> list[Annotated[Assessment, strawberry.lazy("kvalitet.schema.report")]]:
        from kvalitet.schema.report import Assessment

        rows = await self._chosen(info, models.Assessment, council_reports.own_comments, self.comment_ids)
        return Assessment.from_rows(rows)

    async def _chosen(self, info: Info, model, own, ids: list[uuid.UUID]) -> list:
        """The rows of `ids` the section may name (`own`: council_reports.own_measures or
        own_comments, by the report's municipality) that the caller may read, in the order given."""
        report = await info.context.loaders.by_id(models.CouncilReport).load(self.council_report_id)
        if report is None or not ids:
            return []
        found = {row["id"]: row for row in await info.context.loaders.fetch(model, own(report["municipality_id"], ids))}
        return [found[i] for i in ids if i in found]


@strawberry.type(
    description="A published edition of a council report: frozen figures, texts and charts, as a web page and a PDF."
)
class CouncilReportEdition(RowNode, Versioned):
    model = models.CouncilReportEdition
    id: relay.NodeID[str]
    year: int = strawberry.field(description="The year the report is for.")
    number: int = strawberry.field(description="1 for the year's first edition, then 2 …")
    published_at: dt.datetime = strawberry.field(description="When it was published.")
    published_by: str | None = strawberry.field(
        description="Who published it, as the change log names callers (`user:<subject>`); null if not recorded."
    )
    superseded_at: dt.datetime | None = strawberry.field(
        description="When a newer edition of the year replaced it; null while it is the current one."
    )
    locale: strawberry.Private[str]
    municipality_id: strawberry.Private[uuid.UUID]
    council_report_id: strawberry.Private[uuid.UUID]
    sector_report_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The language it is written in.")
    def language(self) -> ReportLanguage:
        return ReportLanguage(self.locale)

    @strawberry.field(description="True when a newer edition of the year replaced it.")
    def superseded(self) -> bool:
        return self.superseded_at is not None

    async def _content(self, info: Info) -> dict:
        loader = info.context.loaders.batched(("edition_content",), _contents(info))
        return await loader.load(uuid.UUID(self.id))

    @strawberry.field(description="Its title, as the page and the PDF give it.")
    async def title(self, info: Info) -> str:
        content = await self._content(info)
        return f"{content['title']} {content['year']}"

    @strawberry.field(description="The web page's path on this service (stable; open to everyone).")
    async def page_url(self, info: Info) -> str:
        municipality = await info.context.loaders.by_id(models.Municipality).load(self.municipality_id)
        return edition_path(municipality["number"] if municipality else "", self.year, self.number)

    @strawberry.field(description="The archivable PDF's path (PDF/A-2a, tagged; open to everyone).")
    async def pdf_url(self, info: Info) -> str:
        return await self.page_url(info) + ".pdf"

    @strawberry.field(
        name="content",
        description="Everything the page and the PDF show, as published: the title, the sections with their text, "
        "measures ahead, indicator figures (the municipality, county and nation per school year, a suppressed one "
        "with its reason) and the self-assessment counts. The unit-by-unit roll-up is `sectorReport`.",
    )
    async def frozen(self, info: Info) -> JSON:  # (not `content`: a column's name, which from_row fills)
        return cast(JSON, await self._content(info))

    @strawberry.field(
        description="Its roll-up part: the sector report of the period, unit by unit, published with it (it is "
        "in `publishedSectorReports` too); null for callers who may not read sector reports, or when no adopted "
        "plan covered the year."
    )
    async def sector_report(self, info: Info) -> PublishedSectorReport | None:
        return await PublishedSectorReport.load(info, self.sector_report_id)


def _contents(info: Info):
    async def batch(ids: list[uuid.UUID]) -> list[dict]:
        table = models.CouncilReportEdition.__table__
        rows = await info.context.loaders.fetch(
            models.CouncilReportEdition, select(table.c.id, table.c.content).where(table.c.id.in_(ids))
        )
        found = {row["id"]: row["content"] for row in rows}
        return [found.get(i, {}) for i in ids]

    return batch


@strawberry.type(
    description="A council report's draft for a year: the figures drawn from the data, and each section's text."
)
class CouncilReport(RowNode, Versioned):
    model = models.CouncilReport
    id: relay.NodeID[str]
    year: int = strawberry.field(description="The year the report is for.")
    period_key: str = strawberry.field(
        description="The reporting period whose unit reports the self-assessment part rolls up."
    )
    figures_drawn_at: dt.datetime = strawberry.field(
        description="When the figures were drawn from the data (`refreshCouncilReportFigures` draws them again)."
    )
    created_by: str | None = strawberry.field(description="Who made the draft; null if not recorded.")
    figures: JSON = strawberry.field(
        description="The figures as drawn: `indicators` (by code: the municipality, county and nation per school "
        "year) and `rollup` (the sector report for the period)."
    )
    locale: strawberry.Private[str]
    municipality_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The language it is written and shown in.")
    def language(self) -> ReportLanguage:
        return ReportLanguage(self.locale)

    @strawberry.field(description="Its sections, in the order of the profile's structure.")
    async def sections(self, info: Info) -> list[CouncilReportSection]:
        loader = info.context.loaders.children(models.CouncilReportSection, "council_report_id", order=("key",))
        rows = await loader.load(uuid.UUID(self.id))
        _, structure = await _structure(info, self.municipality_id)
        order = {s.key: i for i, s in enumerate(structure.sections)} if structure else {}
        return CouncilReportSection.from_rows(sorted(rows, key=lambda r: order.get(r["key"], len(order))))

    @strawberry.field(description="The editions published from it, oldest first.")
    async def editions(self, info: Info) -> list[CouncilReportEdition]:
        loader = info.context.loaders.children(models.CouncilReportEdition, "council_report_id", order=("number",))
        return CouncilReportEdition.from_rows(await loader.load(uuid.UUID(self.id)))

    @strawberry.field(
        description="The path of the draft's preview page on this service (for callers who may read the draft, with "
        "their `Authorization` header)."
    )
    async def preview_url(self, info: Info) -> str:
        municipality = await info.context.loaders.by_id(models.Municipality).load(self.municipality_id)
        return draft_path(municipality["number"] if municipality else "", self.year)
