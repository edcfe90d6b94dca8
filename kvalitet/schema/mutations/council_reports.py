"""The yearly report to the council: make the year's draft, refresh its figures, write its
sections, and publish an edition."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.types import Info

from kvalitet.schema.council_report import CouncilReport, CouncilReportEdition, CouncilReportSection
from kvalitet.schema.enums import ReportLanguage
from kvalitet.schema.mutation_support import MutationInput, decode_id, payload_type, respond
from kvalitet.schema.mutations.common import VERSION
from kvalitet.services import council_reports


@payload_type(CouncilReport, "council_report")
class CouncilReportPayload: ...


@payload_type(CouncilReportSection, "section")
class CouncilReportSectionPayload: ...


@payload_type(CouncilReportEdition, "edition")
class CouncilReportEditionPayload: ...


@strawberry.input(
    description="Make a municipality's draft of the yearly report to the council, with its figures drawn from the "
    "data now and an empty text for each section of the profile's structure."
)
class CreateCouncilReportInput(MutationInput):
    municipality_id: strawberry.ID = strawberry.field(description="The municipality's global ID.")
    year: int = strawberry.field(description="The year the report is for (one draft per year).")
    period: str | None = strawberry.field(
        default=None,
        description="The reporting period whose unit reports the self-assessment part rolls up; the year's last "
        "period of the profile when left out.",
    )
    language: ReportLanguage | None = strawberry.field(
        default=None, description="Bokmål or nynorsk; the profile's written standard when left out."
    )


@strawberry.input(description="Draw a draft's figures again from the data as it is now.")
class RefreshCouncilReportFiguresInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The draft's global ID.")
    version: int = strawberry.field(description=VERSION)


@strawberry.input(description="Write one section of a draft: the sector office's text, and the measures ahead.")
class EditCouncilReportSectionInput(MutationInput):
    report_id: strawberry.ID = strawberry.field(description="The draft's global ID.")
    key: str = strawberry.field(description="The section's key (`CouncilReportSection.key`).")
    text: str = strawberry.field(description="The whole text, as it is to read; paragraphs parted by a blank line.")
    measure_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Global IDs of measures of the municipality's adopted (or archived) plans the section names as "
        "the measures ahead, in order; left out, they stay as they are.",
    )
    comment_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Global IDs of the units' assessments whose comments the section quotes (each with a comment, "
        "of a submitted or approved report of the municipality), in order; left out, they stay as they are.",
    )
    version: int = strawberry.field(description=f"The section's `version`. {VERSION}")


@strawberry.input(
    description="Publish a new edition of the draft: its figures, texts and charts frozen as they are now. The "
    "year's edition before it is superseded."
)
class PublishCouncilReportInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The draft's global ID.")
    version: int = strawberry.field(description=VERSION)


def _decoded(ids: list[strawberry.ID] | None, type_name: str, field: str) -> list[uuid.UUID] | None:
    """A list of global IDs as UUIDs (None: left out, so left as it is)."""
    if ids is None:
        return None
    return [found for found in (decode_id(i, type_name, field) for i in ids) if found is not None]


@strawberry.type
class CouncilReportMutations:
    @strawberry.mutation(description="Make the year's draft of the report to the council.")
    async def create_council_report(self, info: Info, input: CreateCouncilReportInput) -> CouncilReportPayload:
        async def work(service):
            return await council_reports.create(
                service,
                decode_id(input.municipality_id, "Municipality", "municipalityId"),
                input.year,
                input.period,
                input.language.value if input.language is not None else None,
            )

        return await respond(info, CouncilReportPayload, work, input)

    @strawberry.mutation(description="Draw the draft's figures again from the data.")
    async def refresh_council_report_figures(
        self, info: Info, input: RefreshCouncilReportFiguresInput
    ) -> CouncilReportPayload:
        async def work(service):
            return await council_reports.refresh(service, decode_id(input.id, "CouncilReport", "id"), input.version)

        return await respond(info, CouncilReportPayload, work, input)

    @strawberry.mutation(description="Write a section of the draft (its text and measures ahead).")
    async def edit_council_report_section(
        self, info: Info, input: EditCouncilReportSectionInput
    ) -> CouncilReportSectionPayload:
        async def work(service):
            return await council_reports.edit_section(
                service,
                decode_id(input.report_id, "CouncilReport", "reportId"),
                input.key,
                input.text,
                _decoded(input.measure_ids, "Measure", "measureIds"),
                input.version,
                _decoded(input.comment_ids, "Assessment", "commentIds"),
            )

        return await respond(info, CouncilReportSectionPayload, work, input)

    @strawberry.mutation(description="Publish an edition of the draft; the one before it is superseded.")
    async def publish_council_report(self, info: Info, input: PublishCouncilReportInput) -> CouncilReportEditionPayload:
        async def work(service):
            return await council_reports.publish(service, decode_id(input.id, "CouncilReport", "id"), input.version)

        return await respond(info, CouncilReportEditionPayload, work, input)
