"""A unit's local plan: create it, write its goals, actions and sections, validate, submit,
approve or return it."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from kvalitet.schema.local_plan import ActionStatus, Finding, LocalAction, LocalGoal, LocalPlan, LocalPlanSection
from kvalitet.schema.mutation_support import (
    MutationInput,
    UserError,
    decode_id,
    payload_type,
    respond,
    run_mutation,
    to_node,
)
from kvalitet.schema.mutations.common import VERSION, given, given_enum
from kvalitet.services import local_plans


@payload_type(LocalPlan, "local_plan")
class LocalPlanPayload: ...


@payload_type(LocalGoal, "local_goal")
class LocalGoalPayload: ...


@payload_type(LocalAction, "local_action")
class LocalActionPayload: ...


@payload_type(LocalPlanSection, "section")
class LocalPlanSectionPayload: ...


@strawberry.type(description="The profile's findings on a local plan; empty `findings` means it can be submitted.")
class ValidateLocalPlanPayload:
    local_plan: LocalPlan | None = strawberry.field(
        default=None, description="The local plan asked about; null on errors."
    )
    findings: list[Finding] = strawberry.field(
        default_factory=list, description="What the profile's rules find missing; empty when it can be submitted."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Empty when the mutation succeeded.")


@strawberry.input(description="A local plan for a unit, on its municipality's adopted plan (one per unit and plan).")
class CreateLocalPlanInput(MutationInput):
    unit_id: strawberry.ID = strawberry.field(description="The unit's global ID.")
    plan_id: strawberry.ID = strawberry.field(description="The global ID of the adopted plan to build it on.")


@strawberry.input(description="A local goal for an area of the plan (and a perspective, where the profile has them).")
class AddLocalGoalInput(MutationInput):
    local_plan_id: strawberry.ID = strawberry.field(description="The local plan's global ID (a draft or returned one).")
    area_id: strawberry.ID = strawberry.field(description="The global ID of the plan's area, one for the unit's kind.")
    text: str = strawberry.field(description="The goal, in the unit's words.")
    perspective: str | None = strawberry.field(
        default=None, description="The key of one of the profile's perspectives, if any."
    )


@strawberry.input(description="Changes to a goal of a local plan; leave out what stays.")
class UpdateLocalGoalInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The local goal's global ID.")
    version: int = strawberry.field(description=VERSION)
    text: str | None = strawberry.field(default=strawberry.UNSET, description="The new text.")
    perspective: str | None = strawberry.field(
        default=strawberry.UNSET, description="A perspective's key; null removes it."
    )


@strawberry.input(description="An action of a local plan: what, for which area or goal, who, by when.")
class AddLocalActionInput(MutationInput):
    local_plan_id: strawberry.ID = strawberry.field(description="The local plan's global ID (a draft or returned one).")
    text: str = strawberry.field(description="What will be done.")
    area_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The global ID of the plan's area it is for (one for the unit's kind), if any.",
    )
    local_goal_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global ID of the local goal it serves, if any."
    )
    owner: str | None = strawberry.field(default=None, description="Who is responsible for it.")
    deadline: dt.date | None = strawberry.field(default=None, description="When it should be done by.")
    status: ActionStatus = strawberry.field(
        default=ActionStatus.PLANNED, description="How far it has come; default: planned."
    )


@strawberry.input(
    description="Changes to an action of a local plan (its status too); leave out what stays, null removes an "
    "optional value."
)
class UpdateLocalActionInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The action's global ID.")
    version: int = strawberry.field(description=VERSION)
    text: str | None = strawberry.field(default=strawberry.UNSET, description="The new text.")
    area_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The global ID of the plan's area it is for. Left out with a new `localGoalId`: the goal's area.",
    )
    local_goal_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The global ID of the local goal it serves."
    )
    owner: str | None = strawberry.field(default=strawberry.UNSET, description="Who is responsible for it.")
    deadline: dt.date | None = strawberry.field(default=strawberry.UNSET, description="When it should be done by.")
    status: ActionStatus | None = strawberry.field(default=strawberry.UNSET, description="How far it has come.")


@strawberry.input(
    description="Write a section (e.g. «kartlegging», or Tromsø's `tegn_pa_god_praksis` for an area); empty "
    "text removes it. Changing an existing section needs the `version` you read."
)
class SaveLocalPlanSectionInput(MutationInput):
    local_plan_id: strawberry.ID = strawberry.field(description="The local plan's global ID (a draft or returned one).")
    key: str = strawberry.field(
        description="Which section: a key of `Profile.localPlanSections` (any key when the profile declares none)."
    )
    text: str | None = strawberry.field(description="What the unit writes; null or empty removes the section.")
    area_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global ID of the area, for a section written per area; null for the whole plan."
    )
    version: int | None = strawberry.field(
        default=None, description="The section's `version` as you read it, when it exists; null for a new one."
    )


@strawberry.input(description="The local plan to ask about.")
class ValidateLocalPlanInput:
    id: strawberry.ID = strawberry.field(description="The local plan's global ID.")


@strawberry.input(description="Submit a local plan for review.")
class SubmitLocalPlanInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The local plan's global ID.")
    version: int = strawberry.field(description=VERSION)


# The removals take the submit's fields; each says whose global ID its `id` is.
@strawberry.input(
    description="Remove a goal from a local plan (refused while a submitted or approved report assesses it)."
)
class RemoveLocalGoalInput(SubmitLocalPlanInput):
    id: strawberry.ID = strawberry.field(description="The local goal's global ID.")


@strawberry.input(description="Remove an action from a local plan.")
class RemoveLocalActionInput(SubmitLocalPlanInput):
    id: strawberry.ID = strawberry.field(description="The action's global ID.")


@strawberry.input(description="Approve a submitted local plan, with a comment if you like.")
class ApproveLocalPlanInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The local plan's global ID.")
    version: int = strawberry.field(description=VERSION)
    comment: str | None = strawberry.field(default=None, description="A comment to the unit (`LocalPlan.comment`).")


@strawberry.input(description="Return a submitted (or approved) local plan to the unit, saying what to change.")
class ReturnLocalPlanInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The local plan's global ID.")
    version: int = strawberry.field(description=VERSION)
    comment: str = strawberry.field(description="What the unit should change.")


def _id(value, type_name, field):
    return None if value is strawberry.UNSET else decode_id(value, type_name, field)


@strawberry.type
class LocalPlanMutations:
    @strawberry.mutation(description="Start a unit's local plan on an adopted plan.")
    async def create_local_plan(self, info: Info, input: CreateLocalPlanInput) -> LocalPlanPayload:
        async def work(service):
            return await local_plans.create_local_plan(
                service, decode_id(input.unit_id, "Unit", "unitId"), decode_id(input.plan_id, "Plan", "planId")
            )

        return await respond(info, LocalPlanPayload, work, input)

    @strawberry.mutation(description="Add a goal to a local plan.")
    async def add_local_goal(self, info: Info, input: AddLocalGoalInput) -> LocalGoalPayload:
        async def work(service):
            return await local_plans.add_local_goal(
                service,
                decode_id(input.local_plan_id, "LocalPlan", "localPlanId"),
                decode_id(input.area_id, "Area", "areaId"),
                local_plans.LocalGoalChanges(text=input.text, perspective=input.perspective),
            )

        return await respond(info, LocalGoalPayload, work, input)

    @strawberry.mutation(description="Change a goal of a local plan.")
    async def update_local_goal(self, info: Info, input: UpdateLocalGoalInput) -> LocalGoalPayload:
        async def work(service):
            changes = local_plans.LocalGoalChanges(text=given(input.text), perspective=given(input.perspective))
            return await local_plans.update_local_goal(
                service, decode_id(input.id, "LocalGoal", "id"), input.version, changes
            )

        return await respond(info, LocalGoalPayload, work, input)

    @strawberry.mutation(description="Remove a goal from a local plan.")
    async def remove_local_goal(self, info: Info, input: RemoveLocalGoalInput) -> LocalGoalPayload:
        async def work(service):
            return await local_plans.remove_local_goal(service, decode_id(input.id, "LocalGoal", "id"), input.version)

        return await respond(info, LocalGoalPayload, work, input)

    @strawberry.mutation(description="Add an action to a local plan.")
    async def add_local_action(self, info: Info, input: AddLocalActionInput) -> LocalActionPayload:
        async def work(service):
            changes = local_plans.LocalActionChanges(
                text=input.text,
                area_id=decode_id(input.area_id, "Area", "areaId"),
                local_goal_id=decode_id(input.local_goal_id, "LocalGoal", "localGoalId"),
                owner=input.owner,
                deadline=input.deadline,
                status=input.status.value,
            )
            return await local_plans.add_local_action(
                service, decode_id(input.local_plan_id, "LocalPlan", "localPlanId"), changes
            )

        return await respond(info, LocalActionPayload, work, input)

    @strawberry.mutation(description="Change an action of a local plan (its status too).")
    async def update_local_action(self, info: Info, input: UpdateLocalActionInput) -> LocalActionPayload:
        async def work(service):
            changes = local_plans.LocalActionChanges(
                text=given(input.text),
                area_id=given(input.area_id)
                if input.area_id in (None, strawberry.UNSET)
                else _id(input.area_id, "Area", "areaId"),
                local_goal_id=given(input.local_goal_id)
                if input.local_goal_id in (None, strawberry.UNSET)
                else _id(input.local_goal_id, "LocalGoal", "localGoalId"),
                owner=given(input.owner),
                deadline=given(input.deadline),
                status=given_enum(input.status),
            )
            return await local_plans.update_local_action(
                service, decode_id(input.id, "LocalAction", "id"), input.version, changes
            )

        return await respond(info, LocalActionPayload, work, input)

    @strawberry.mutation(description="Remove an action from a local plan.")
    async def remove_local_action(self, info: Info, input: RemoveLocalActionInput) -> LocalActionPayload:
        async def work(service):
            return await local_plans.remove_local_action(
                service, decode_id(input.id, "LocalAction", "id"), input.version
            )

        return await respond(info, LocalActionPayload, work, input)

    @strawberry.mutation(description="Write, change or remove a section of a local plan.")
    async def save_local_plan_section(self, info: Info, input: SaveLocalPlanSectionInput) -> LocalPlanSectionPayload:
        async def work(service):
            return await local_plans.save_section(
                service,
                decode_id(input.local_plan_id, "LocalPlan", "localPlanId"),
                input.key,
                decode_id(input.area_id, "Area", "areaId"),
                input.text,
                input.version,
            )

        return await respond(info, LocalPlanSectionPayload, work, input)

    @strawberry.mutation(description="Ask the profile's rules what the local plan still lacks (changes nothing).")
    async def validate_local_plan(self, info: Info, input: ValidateLocalPlanInput) -> ValidateLocalPlanPayload:
        async def work(service):
            from kvalitet import models

            local_plan = await service.load(models.LocalPlan, decode_id(input.id, "LocalPlan", "id"), "local plan")
            return local_plan, await local_plans.findings(service, local_plan)

        result, errors = await run_mutation(info, work)
        if result is None:
            return ValidateLocalPlanPayload(errors=errors)
        local_plan, (found, targets) = result
        return ValidateLocalPlanPayload(
            local_plan=to_node(LocalPlan, local_plan),
            findings=[Finding.of_local_plan(f, targets, info.context.locale) for f in found],
        )

    @strawberry.mutation(description="Submit a local plan for review; refused with the findings while incomplete.")
    async def submit_local_plan(self, info: Info, input: SubmitLocalPlanInput) -> LocalPlanPayload:
        async def work(service):
            return await local_plans.submit_local_plan(service, decode_id(input.id, "LocalPlan", "id"), input.version)

        return await respond(info, LocalPlanPayload, work, input)

    @strawberry.mutation(description="Approve a submitted local plan.")
    async def approve_local_plan(self, info: Info, input: ApproveLocalPlanInput) -> LocalPlanPayload:
        async def work(service):
            return await local_plans.decide_local_plan(
                service, decode_id(input.id, "LocalPlan", "id"), input.version, approve=True, comment=input.comment
            )

        return await respond(info, LocalPlanPayload, work, input)

    @strawberry.mutation(description="Return a local plan to the unit with a comment; it can be edited again.")
    async def return_local_plan(self, info: Info, input: ReturnLocalPlanInput) -> LocalPlanPayload:
        async def work(service):
            return await local_plans.decide_local_plan(
                service, decode_id(input.id, "LocalPlan", "id"), input.version, approve=False, comment=input.comment
            )

        return await respond(info, LocalPlanPayload, work, input)
