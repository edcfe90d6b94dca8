"""Competence plans: make one (a unit's, or the municipality's own), and add, change and remove
its needs, goals and measures."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry.types import Info

from kvalitet import models
from kvalitet.schema.competence import CompetenceGoal, CompetenceMeasure, CompetenceNeed, CompetencePlan
from kvalitet.schema.enums import CompetenceScope, TargetGroup
from kvalitet.schema.mutation_support import MutationInput, decode_id, payload_type, respond
from kvalitet.schema.mutations.common import VERSION, given, given_enum_or_kept, given_or_kept, given_text
from kvalitet.services import competence
from kvalitet.services.units import UNSET


@payload_type(CompetencePlan, "plan")
class CompetencePlanPayload: ...


@payload_type(CompetenceNeed, "need")
class CompetenceNeedPayload: ...


@payload_type(CompetenceGoal, "goal")
class CompetenceGoalPayload: ...


@payload_type(CompetenceMeasure, "measure")
class CompetenceMeasurePayload: ...


def _ids(values: list[strawberry.ID] | None, type_name: str, field: str):
    """Global IDs as UUIDs; left out (or null): UNSET, so they stay as they are."""
    if values is None or values is strawberry.UNSET:
        return UNSET
    return [found for found in (decode_id(v, type_name, field) for v in values) if found is not None]


def _id(value, type_name: str, field: str):
    """A global ID as its UUID; left out: UNSET; null: None."""
    if value is strawberry.UNSET:
        return UNSET
    return decode_id(value, type_name, field)


@strawberry.input(
    description="Make a competence plan for some years: a unit's (`unitId`), or the municipality's own "
    "(`municipalityId` alone)."
)
class CreateCompetencePlanInput(MutationInput):
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="The unit's global ID.")
    municipality_id: strawberry.ID | None = strawberry.field(
        default=None, description="The municipality's global ID, for its own plan (without `unitId`)."
    )
    start_year: int = strawberry.field(description="Its first year (one plan per unit and first year).")
    end_year: int = strawberry.field(description="Its last year (at most ten years in all).")
    title: str | None = strawberry.field(default=None, description="A title of its own, if wanted.")


@strawberry.input(description="Change a competence plan's title or last year.")
class UpdateCompetencePlanInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The plan's global ID.")
    version: int = strawberry.field(description=VERSION)
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Its title; null or empty: none.")
    end_year: int | None = strawberry.field(default=strawberry.UNSET, description="Its last year.")


@strawberry.input(description="A competence need, and what shows it (each link of the municipality's own plans).")
class AddCompetenceNeedInput(MutationInput):
    plan_id: strawberry.ID = strawberry.field(description="The competence plan's global ID.")
    text: str = strawberry.field(description="The need.")
    area_id: strawberry.ID | None = strawberry.field(default=None, description="The plan area that shows it.")
    goal_id: strawberry.ID | None = strawberry.field(default=None, description="The plan goal it serves.")
    criterion_id: strawberry.ID | None = strawberry.field(
        default=None, description="The criterion (report item) whose assessment shows it."
    )
    indicator_code: str | None = strawberry.field(default=None, description="The indicator that shows it.")


@strawberry.input(description="Change a competence need; left-out fields stay as they are, null removes a link.")
class UpdateCompetenceNeedInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The need's global ID.")
    version: int = strawberry.field(description=VERSION)
    text: str | None = strawberry.field(default=strawberry.UNSET, description="The need.")
    area_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The plan area.")
    goal_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The plan goal.")
    criterion_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The criterion.")
    indicator_code: str | None = strawberry.field(default=strawberry.UNSET, description="The indicator's code.")


@strawberry.input(description="A goal for the competence development.")
class AddCompetenceGoalInput(MutationInput):
    plan_id: strawberry.ID = strawberry.field(description="The competence plan's global ID.")
    text: str = strawberry.field(description="The goal.")
    scope: CompetenceScope = strawberry.field(description="Individual or collective.")
    need_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The needs (of the same plan) it answers."
    )


@strawberry.input(description="Change a competence goal; left-out fields stay as they are.")
class UpdateCompetenceGoalInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The goal's global ID.")
    version: int = strawberry.field(description=VERSION)
    text: str | None = strawberry.field(default=strawberry.UNSET, description="The goal.")
    scope: CompetenceScope | None = strawberry.field(default=strawberry.UNSET, description="Individual or collective.")
    need_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="The needs it answers (the whole list)."
    )


@strawberry.input(description="A competence measure.")
class AddCompetenceMeasureInput(MutationInput):
    plan_id: strawberry.ID = strawberry.field(description="The competence plan's global ID.")
    title: str = strawberry.field(description="What the measure is.")
    description: str | None = strawberry.field(default=None, description="More about it.")
    scope: CompetenceScope = strawberry.field(description="Individual or collective.")
    unit_based: bool = strawberry.field(default=True, description="Kindergarten- or school-based.")
    target_group: TargetGroup = strawberry.field(description="Whom it is for.")
    target_note: str | None = strawberry.field(default=None, description="Who exactly, for part of the staff.")
    partner: str | None = strawberry.field(default=None, description="A key of `Profile.followUp.partners`.")
    partner_note: str | None = strawberry.field(default=None, description="Another partner, or more about it.")
    funding: str | None = strawberry.field(default=None, description="A key of `Profile.followUp.fundingSchemes`.")
    starts_on: dt.date | None = strawberry.field(default=None, description="When it starts.")
    ends_on: dt.date | None = strawberry.field(default=None, description="When it ends.")
    evaluation: str | None = strawberry.field(default=None, description="How it is evaluated.")
    need_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="The needs it answers.")
    goal_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="The goals it serves.")


@strawberry.input(description="Change a competence measure; left-out fields stay as they are.")
class UpdateCompetenceMeasureInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The measure's global ID.")
    version: int = strawberry.field(description=VERSION)
    title: str | None = strawberry.field(default=strawberry.UNSET, description="What the measure is.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="More about it.")
    scope: CompetenceScope | None = strawberry.field(default=strawberry.UNSET, description="Individual or collective.")
    unit_based: bool | None = strawberry.field(default=strawberry.UNSET, description="Kindergarten- or school-based.")
    target_group: TargetGroup | None = strawberry.field(default=strawberry.UNSET, description="Whom it is for.")
    target_note: str | None = strawberry.field(default=strawberry.UNSET, description="Who exactly.")
    partner: str | None = strawberry.field(default=strawberry.UNSET, description="A partner's key; null: none.")
    partner_note: str | None = strawberry.field(default=strawberry.UNSET, description="Another partner, or more.")
    funding: str | None = strawberry.field(default=strawberry.UNSET, description="A scheme's key; null: none.")
    starts_on: dt.date | None = strawberry.field(default=strawberry.UNSET, description="When it starts.")
    ends_on: dt.date | None = strawberry.field(default=strawberry.UNSET, description="When it ends.")
    evaluation: str | None = strawberry.field(default=strawberry.UNSET, description="How it is evaluated.")
    need_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="The needs it answers (the whole list)."
    )
    goal_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="The goals it serves (the whole list)."
    )


@strawberry.input(description="Remove a need, goal or measure from a competence plan.")
class RemoveCompetenceItemInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="Its global ID.")
    version: int = strawberry.field(description=VERSION)


@strawberry.input(description="Remove a need from a competence plan.")
class RemoveCompetenceNeedInput(RemoveCompetenceItemInput): ...


@strawberry.input(description="Remove a goal from a competence plan.")
class RemoveCompetenceGoalInput(RemoveCompetenceItemInput): ...


@strawberry.input(description="Remove a measure from a competence plan.")
class RemoveCompetenceMeasureInput(RemoveCompetenceItemInput): ...


def _measure_changes(input: AddCompetenceMeasureInput | UpdateCompetenceMeasureInput) -> competence.MeasureChanges:
    return competence.MeasureChanges(
        title=given_text(input.title),
        description=given(input.description),
        scope=given_enum_or_kept(input.scope),
        unit_based=given_or_kept(input.unit_based),
        target_group=given_enum_or_kept(input.target_group),
        target_note=given(input.target_note),
        partner=given(input.partner),
        partner_note=given(input.partner_note),
        funding=given(input.funding),
        starts_on=given(input.starts_on),
        ends_on=given(input.ends_on),
        evaluation=given(input.evaluation),
        need_ids=_ids(input.need_ids, "CompetenceNeed", "needIds"),
        goal_ids=_ids(input.goal_ids, "CompetenceGoal", "goalIds"),
    )


def _need_changes(input: AddCompetenceNeedInput | UpdateCompetenceNeedInput) -> competence.NeedChanges:
    return competence.NeedChanges(
        text=given_text(input.text),
        area_id=_id(input.area_id, "Area", "areaId"),
        goal_id=_id(input.goal_id, "Goal", "goalId"),
        criterion_id=_id(input.criterion_id, "Criterion", "criterionId"),
        indicator_code=given(input.indicator_code),
    )


def _goal_changes(input: AddCompetenceGoalInput | UpdateCompetenceGoalInput) -> competence.GoalChanges:
    return competence.GoalChanges(
        text=given_text(input.text),
        scope=given_enum_or_kept(input.scope),
        need_ids=_ids(input.need_ids, "CompetenceNeed", "needIds"),
    )


async def _remove(info: Info, payload, model, type_name: str, what: str, input: RemoveCompetenceItemInput):
    async def work(service):
        item_id: uuid.UUID | None = decode_id(input.id, type_name, "id")
        return await competence.remove_item(service, model, item_id, input.version, what)

    return await respond(info, payload, work, input)


@strawberry.type
class CompetenceMutations:
    @strawberry.mutation(description="Make a competence plan for a unit, or the municipality's own.")
    async def create_competence_plan(self, info: Info, input: CreateCompetencePlanInput) -> CompetencePlanPayload:
        async def work(service):
            return await competence.create_plan(
                service,
                decode_id(input.municipality_id, "Municipality", "municipalityId"),
                decode_id(input.unit_id, "Unit", "unitId"),
                input.start_year,
                input.end_year,
                input.title,
            )

        return await respond(info, CompetencePlanPayload, work, input)

    @strawberry.mutation(description="Change a competence plan's title or last year.")
    async def update_competence_plan(self, info: Info, input: UpdateCompetencePlanInput) -> CompetencePlanPayload:
        async def work(service):
            return await competence.update_plan(
                service,
                decode_id(input.id, "CompetencePlan", "id"),
                input.version,
                given(input.title),
                given_or_kept(input.end_year),
            )

        return await respond(info, CompetencePlanPayload, work, input)

    @strawberry.mutation(description="Add a need to a competence plan.")
    async def add_competence_need(self, info: Info, input: AddCompetenceNeedInput) -> CompetenceNeedPayload:
        async def work(service):
            return await competence.add_need(
                service, decode_id(input.plan_id, "CompetencePlan", "planId"), _need_changes(input)
            )

        return await respond(info, CompetenceNeedPayload, work, input)

    @strawberry.mutation(description="Change a competence need.")
    async def update_competence_need(self, info: Info, input: UpdateCompetenceNeedInput) -> CompetenceNeedPayload:
        async def work(service):
            return await competence.update_need(
                service, decode_id(input.id, "CompetenceNeed", "id"), input.version, _need_changes(input)
            )

        return await respond(info, CompetenceNeedPayload, work, input)

    @strawberry.mutation(description="Remove a need; the goals and measures that named it no longer do.")
    async def remove_competence_need(self, info: Info, input: RemoveCompetenceNeedInput) -> CompetenceNeedPayload:
        return await _remove(
            info, CompetenceNeedPayload, models.CompetenceNeed, "CompetenceNeed", "competence need", input
        )

    @strawberry.mutation(description="Add a goal to a competence plan.")
    async def add_competence_goal(self, info: Info, input: AddCompetenceGoalInput) -> CompetenceGoalPayload:
        async def work(service):
            return await competence.add_goal(
                service, decode_id(input.plan_id, "CompetencePlan", "planId"), _goal_changes(input)
            )

        return await respond(info, CompetenceGoalPayload, work, input)

    @strawberry.mutation(description="Change a competence goal.")
    async def update_competence_goal(self, info: Info, input: UpdateCompetenceGoalInput) -> CompetenceGoalPayload:
        async def work(service):
            return await competence.update_goal(
                service, decode_id(input.id, "CompetenceGoal", "id"), input.version, _goal_changes(input)
            )

        return await respond(info, CompetenceGoalPayload, work, input)

    @strawberry.mutation(description="Remove a goal; the measures that named it no longer do.")
    async def remove_competence_goal(self, info: Info, input: RemoveCompetenceGoalInput) -> CompetenceGoalPayload:
        return await _remove(
            info, CompetenceGoalPayload, models.CompetenceGoal, "CompetenceGoal", "competence goal", input
        )

    @strawberry.mutation(description="Add a measure to a competence plan.")
    async def add_competence_measure(self, info: Info, input: AddCompetenceMeasureInput) -> CompetenceMeasurePayload:
        async def work(service):
            return await competence.add_measure(
                service, decode_id(input.plan_id, "CompetencePlan", "planId"), _measure_changes(input)
            )

        return await respond(info, CompetenceMeasurePayload, work, input)

    @strawberry.mutation(description="Change a competence measure.")
    async def update_competence_measure(
        self, info: Info, input: UpdateCompetenceMeasureInput
    ) -> CompetenceMeasurePayload:
        async def work(service):
            return await competence.update_measure(
                service, decode_id(input.id, "CompetenceMeasure", "id"), input.version, _measure_changes(input)
            )

        return await respond(info, CompetenceMeasurePayload, work, input)

    @strawberry.mutation(description="Remove a measure from a competence plan.")
    async def remove_competence_measure(
        self, info: Info, input: RemoveCompetenceMeasureInput
    ) -> CompetenceMeasurePayload:
        return await _remove(
            info, CompetenceMeasurePayload, models.CompetenceMeasure, "CompetenceMeasure", "competence measure", input
        )
