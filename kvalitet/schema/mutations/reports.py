"""Reports: open one for a unit and period, assess, submit, approve or return it; and publish
the sector report."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kvalitet.schema.local_plan import Finding
from kvalitet.schema.mutation_support import (
    MutationInput,
    UserError,
    decode_id,
    payload_type,
    respond,
    run_mutation,
    to_node,
)
from kvalitet.schema.mutations.common import VERSION
from kvalitet.schema.report import Assessment, Report, finding_of
from kvalitet.schema.sector_report import PublishedSectorReport
from kvalitet.services import reports, sector_reports


@payload_type(Report, "report")
class ReportPayload: ...


@payload_type(Assessment, "assessment")
class AssessmentPayload: ...


@payload_type(PublishedSectorReport, "sector_report")
class PublishSectorReportPayload: ...


@strawberry.input(description="Open a unit's report for a reporting period of a year (see `reportingCalendar`).")
class OpenReportInput(MutationInput):
    unit_id: strawberry.ID = strawberry.field(description="The unit's global ID.")
    year: int = strawberry.field(description="The year of the period.")
    period: str = strawberry.field(description="The key of a reporting period of the profile.")


@strawberry.input(
    description="Assess one criterion, measure or local goal (give one) on the profile's scale. Changing an "
    "existing assessment needs the `version` you read."
)
class SaveAssessmentInput(MutationInput):
    report_id: strawberry.ID = strawberry.field(description="The report's global ID (a draft or returned one).")
    level: str = strawberry.field(description="A level of the profile's scale (`Profile.assessmentScale`).")
    criterion_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global ID of a criterion of the report's plan, for the unit's kind."
    )
    local_goal_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global ID of a goal of the unit's local plan."
    )
    measure_id: strawberry.ID | None = strawberry.field(
        default=None, description="A measure of the plan, where the plan's reports assess measures."
    )
    comment: str | None = strawberry.field(
        default=None, description="A comment on the assessment; saving again replaces it (null: none)."
    )
    evidence: str | None = strawberry.field(
        default=None, description="What the assessment is based on; saving again replaces it (null: none)."
    )
    version: int | None = strawberry.field(
        default=None, description="The assessment's `version` as you read it, when it exists; null for a new one."
    )


@strawberry.type(description="What a report lacks before it is submitted; empty `findings` means it can be.")
class ValidateReportPayload:
    report: Report | None = strawberry.field(default=None, description="The report asked about; null on errors.")
    findings: list[Finding] = strawberry.field(
        default_factory=list, description="What it lacks before it can be submitted; empty when it can be."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Empty when the mutation succeeded.")


@strawberry.input(description="The report to ask about.")
class ValidateReportInput:
    id: strawberry.ID = strawberry.field(description="The report's global ID.")


@strawberry.input(description="Submit a report for review.")
class SubmitReportInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The report's global ID.")
    version: int = strawberry.field(description=VERSION)


@strawberry.input(description="Approve a submitted report, with a comment if you like.")
class ApproveReportInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The report's global ID.")
    version: int = strawberry.field(description=VERSION)
    comment: str | None = strawberry.field(default=None, description="A comment to the unit (`Report.comment`).")


@strawberry.input(description="Return a submitted (or approved) report to the unit, saying what to change.")
class ReturnReportInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The report's global ID.")
    version: int = strawberry.field(description=VERSION)
    comment: str = strawberry.field(description="What the unit should change.")


@strawberry.input(description="Publish a municipality's sector report for one reporting period of a year.")
class PublishSectorReportInput(MutationInput):
    municipality_id: strawberry.ID = strawberry.field(description="The municipality's global ID.")
    year: int = strawberry.field(description="The year of the period.")
    period: str = strawberry.field(description="The key of a reporting period of the profile.")


@strawberry.type
class ReportMutations:
    @strawberry.mutation(description="Open a unit's report for a period, on the adopted plan that covers the year.")
    async def open_report(self, info: Info, input: OpenReportInput) -> ReportPayload:
        async def work(service):
            return await reports.open_report(
                service, decode_id(input.unit_id, "Unit", "unitId"), input.year, input.period
            )

        return await respond(info, ReportPayload, work, input)

    @strawberry.mutation(description="Assess a criterion or a local goal in a draft or returned report.")
    async def save_assessment(self, info: Info, input: SaveAssessmentInput) -> AssessmentPayload:
        async def work(service):
            return await reports.save_assessment(
                service,
                decode_id(input.report_id, "Report", "reportId"),
                criterion_id=decode_id(input.criterion_id, "Criterion", "criterionId"),
                local_goal_id=decode_id(input.local_goal_id, "LocalGoal", "localGoalId"),
                measure_id=decode_id(input.measure_id, "Measure", "measureId"),
                level=input.level,
                comment=input.comment,
                evidence=input.evidence,
                version=input.version,
            )

        return await respond(info, AssessmentPayload, work, input)

    @strawberry.mutation(
        description="Ask what the report still lacks before it can be submitted (changes nothing); `Report.findings` "
        "gives the same."
    )
    async def validate_report(self, info: Info, input: ValidateReportInput) -> ValidateReportPayload:
        async def work(service):
            from kvalitet import models

            report = await service.load(models.Report, decode_id(input.id, "Report", "id"), "report")
            return report, (await reports.findings_of(service, [report]))[report.id]

        result, errors = await run_mutation(info, work)
        if result is None:
            return ValidateReportPayload(errors=errors)
        report, found = result
        return ValidateReportPayload(
            report=to_node(Report, report), findings=[finding_of(f, info.context.locale) for f in found]
        )

    @strawberry.mutation(description="Submit a report; refused while required assessments are missing.")
    async def submit_report(self, info: Info, input: SubmitReportInput) -> ReportPayload:
        async def work(service):
            return await reports.submit_report(service, decode_id(input.id, "Report", "id"), input.version)

        return await respond(info, ReportPayload, work, input)

    @strawberry.mutation(description="Approve a submitted report.")
    async def approve_report(self, info: Info, input: ApproveReportInput) -> ReportPayload:
        async def work(service):
            return await reports.decide_report(
                service, decode_id(input.id, "Report", "id"), input.version, approve=True, comment=input.comment
            )

        return await respond(info, ReportPayload, work, input)

    @strawberry.mutation(description="Return a report to the unit with a comment; it is a draft again.")
    async def return_report(self, info: Info, input: ReturnReportInput) -> ReportPayload:
        async def work(service):
            return await reports.decide_report(
                service, decode_id(input.id, "Report", "id"), input.version, approve=False, comment=input.comment
            )

        return await respond(info, ReportPayload, work, input)

    @strawberry.mutation(
        description="Publish the sector report for a period: a frozen snapshot of the roll-up.",
        deprecation_reason="Publish an edition of the report to the council (`publishCouncilReport`): its roll-up "
        "part is this same snapshot (`CouncilReportEdition.sectorReport`), published with the rest of the report.",
    )
    async def publish_sector_report(self, info: Info, input: PublishSectorReportInput) -> PublishSectorReportPayload:
        async def work(service):
            return await sector_reports.publish(
                service, decode_id(input.municipality_id, "Municipality", "municipalityId"), input.year, input.period
            )

        return await respond(info, PublishSectorReportPayload, work, input)
