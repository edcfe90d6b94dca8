"""A plan's life (createPlan, adoptPlan, archivePlan) and, while a draft, its structure:
add, update, move/reorder and remove areas, goals, criteria and measures."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from kvalitet import models
from kvalitet.schema.enums import UnitKind
from kvalitet.schema.mutation_support import MutationInput, decode_id, payload_type, respond
from kvalitet.schema.mutations.common import VERSION, given
from kvalitet.schema.plan import Area, Criterion, Goal, Measure, Plan
from kvalitet.services import plan_structure, plans


@payload_type(Plan, "plan")
class PlanPayload: ...


@payload_type(Area, "area")
class AreaPayload: ...


@payload_type(Goal, "goal")
class GoalPayload: ...


@payload_type(Criterion, "criterion")
class CriterionPayload: ...


@payload_type(Measure, "measure")
class MeasurePayload: ...


@strawberry.input(
    description="A new draft plan for a period: a copy of `copyFrom` (typically the last period's plan) "
    "or, without it, the municipality's profile content. Without a period, a copy follows its source."
)
class CreatePlanInput(MutationInput):
    municipality_id: strawberry.ID = strawberry.field(description="The municipality's global ID.")
    period_start: int | None = strawberry.field(
        default=None,
        description="The first year of the period. Default: for a copy, the year after its source's period; "
        "otherwise the profile's plan's.",
    )
    period_end: int | None = strawberry.field(
        default=None,
        description="The last year of the period. Default: as long a period as the source's (or the profile's plan's).",
    )
    title: str | None = strawberry.field(
        default=None, description="The plan's title. Default: the source's (or the profile's plan's)."
    )
    copy_from: strawberry.ID | None = strawberry.field(
        default=None, description="The global ID of a plan of the same municipality to copy."
    )


@strawberry.input(description="Adopt a draft plan; its content is frozen from then on.")
class AdoptPlanInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The draft plan's global ID.")
    version: int = strawberry.field(description=VERSION)
    adopted_by: str = strawberry.field(description="The body that adopted it, e.g. «Oppvekst- og utdanningsutvalget».")
    adopted_on: dt.date | None = strawberry.field(default=None, description="Default: today.")


@strawberry.input(description="Archive a plan (a draft or an adopted one).")
class ArchivePlanInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The plan's global ID.")
    version: int = strawberry.field(description=VERSION)


# The removals take the archive's fields; each says whose global ID its `id` is.
@strawberry.input(
    description="Remove an area of a draft plan, with its goals, criteria, measures and the areas below it."
)
class RemoveAreaInput(ArchivePlanInput):
    id: strawberry.ID = strawberry.field(description="The area's global ID.")


@strawberry.input(description="Remove a goal of a draft plan, with its criteria.")
class RemoveGoalInput(ArchivePlanInput):
    id: strawberry.ID = strawberry.field(description="The goal's global ID.")


@strawberry.input(description="Remove a criterion of a draft plan.")
class RemoveCriterionInput(ArchivePlanInput):
    id: strawberry.ID = strawberry.field(description="The criterion's global ID.")


@strawberry.input(description="Remove a measure of a draft plan.")
class RemoveMeasureInput(ArchivePlanInput):
    id: strawberry.ID = strawberry.field(description="The measure's global ID.")


@strawberry.input(description="A new area in a draft plan; `position` among its siblings (default: last).")
class AddAreaInput(MutationInput):
    plan_id: strawberry.ID = strawberry.field(description="The draft plan's global ID.")
    kind: str = strawberry.field(description="The area's kind: a key of the profile's vocabulary of area kinds.")
    title: str = strawberry.field(description="The area's title.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global ID of the area to put it under; null: at the top level."
    )
    description: str | None = strawberry.field(default=None, description="Text that introduces the area.")
    applies_to: list[UnitKind] | None = strawberry.field(
        default=None, description="Default: the parent's or the plan's."
    )
    key: str | None = strawberry.field(default=None, description="Default: made from the title.")
    position: int | None = strawberry.field(
        default=None, description="Its place among its siblings, from 0; null: last."
    )


@strawberry.input(description="Changes to an area of a draft plan; leave out what stays.")
class UpdateAreaInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The area's global ID.")
    version: int = strawberry.field(description=VERSION)
    kind: str | None = strawberry.field(
        default=strawberry.UNSET, description="The new kind: a key of the profile's vocabulary of area kinds."
    )
    title: str | None = strawberry.field(default=strawberry.UNSET, description="The new title.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="The new introduction; null removes it."
    )
    applies_to: list[UnitKind] | None = strawberry.field(
        default=strawberry.UNSET, description="The kinds of unit it is for: at least one, and only the plan's."
    )
    key: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new key, unique in the plan; null keeps the one it has."
    )


@strawberry.input(description="Move an area under another parent (null: top level) and/or to a position.")
class MoveAreaInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The area's global ID.")
    version: int = strawberry.field(description=VERSION)
    parent_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The global ID of the area to put it under (not itself, nor one below it); null or left out: the "
        "top level.",
    )
    position: int | None = strawberry.field(
        default=None, description="Its place among its new siblings, from 0; null: last."
    )


@strawberry.input(
    description="A new goal in an area of a draft plan; `position` among the area's goals (default: last)."
)
class AddGoalInput(MutationInput):
    area_id: strawberry.ID = strawberry.field(description="The area's global ID.")
    kind: str = strawberry.field(description="The goal's kind: a key of the profile's vocabulary of goal kinds.")
    text: str = strawberry.field(description="The goal.")
    national_goal_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global ID of the national sector goal it serves, if any."
    )
    position: int | None = strawberry.field(
        default=None, description="Its place among the area's goals, from 0; null: last."
    )


@strawberry.input(description="Changes to a goal; `position` reorders it among the area's goals.")
class UpdateGoalInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The goal's global ID.")
    version: int = strawberry.field(description=VERSION)
    kind: str | None = strawberry.field(default=strawberry.UNSET, description="The new kind; leave out to keep it.")
    text: str | None = strawberry.field(default=strawberry.UNSET, description="The new text; leave out to keep it.")
    national_goal_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The national sector goal it serves; null unlinks it, leaving it out keeps it.",
    )
    position: int | None = strawberry.field(
        default=None, description="Its new place among the area's goals, from 0; null: where it is."
    )


@strawberry.input(description="A new criterion, of an area or of a goal (give one).")
class AddCriterionInput(MutationInput):
    text: str = strawberry.field(description="The criterion.")
    area_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global ID of the area it belongs to directly (or give `goalId`)."
    )
    goal_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global ID of the goal it belongs to (or give `areaId`)."
    )
    perspective: str | None = strawberry.field(
        default=None, description="The key of one of the profile's perspectives, if any."
    )
    position: int | None = strawberry.field(
        default=None, description="Its place among its goal's (or area's) criteria, from 0; null: last."
    )


@strawberry.input(
    description="Changes to a criterion of a draft plan; leave out what stays. `position` reorders it among its "
    "goal's (or area's) criteria."
)
class UpdateCriterionInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The criterion's global ID.")
    version: int = strawberry.field(description=VERSION)
    text: str | None = strawberry.field(default=strawberry.UNSET, description="The new text.")
    perspective: str | None = strawberry.field(
        default=strawberry.UNSET, description="A perspective's key; null removes it."
    )
    position: int | None = strawberry.field(default=None, description="Its new place, from 0; null: where it is.")


@strawberry.input(
    description="A new measure in an area of a draft plan; `position` among the area's measures (default: last)."
)
class AddMeasureInput(MutationInput):
    area_id: strawberry.ID = strawberry.field(description="The area's global ID.")
    text: str = strawberry.field(description="What will be done.")
    owner: str | None = strawberry.field(default=None, description="Who is responsible for it (ansvar).")
    deadline: dt.date | None = strawberry.field(default=None, description="When it should be done by.")
    partner: str | None = strawberry.field(
        default=None, description="Who it is done together with (samarbeidspartner)."
    )
    target_group: str | None = strawberry.field(default=None, description="Whom it is for (målgruppe).")
    position: int | None = strawberry.field(
        default=None, description="Its place among the area's measures, from 0; null: last."
    )


@strawberry.input(
    description="Changes to a measure of a draft plan; leave out what stays, null removes an optional value. "
    "`position` reorders it among the area's measures."
)
class UpdateMeasureInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The measure's global ID.")
    version: int = strawberry.field(description=VERSION)
    text: str | None = strawberry.field(default=strawberry.UNSET, description="The new text.")
    owner: str | None = strawberry.field(default=strawberry.UNSET, description="Who is responsible for it (ansvar).")
    deadline: dt.date | None = strawberry.field(default=strawberry.UNSET, description="When it should be done by.")
    partner: str | None = strawberry.field(
        default=strawberry.UNSET, description="Who it is done together with (samarbeidspartner)."
    )
    target_group: str | None = strawberry.field(default=strawberry.UNSET, description="Whom it is for (målgruppe).")
    position: int | None = strawberry.field(default=None, description="Its new place, from 0; null: where it is.")


def _kinds(values):
    if values is strawberry.UNSET:
        return plan_structure.UNSET
    return [] if values is None else [v.value for v in values]


def _national(value):
    if value is strawberry.UNSET:
        return plan_structure.UNSET
    return decode_id(value, "NationalGoal", "nationalGoalId")


@strawberry.type
class PlanMutations:
    @strawberry.mutation(description="Start a draft plan for a period, from the profile's content or as a copy.")
    async def create_plan(self, info: Info, input: CreatePlanInput) -> PlanPayload:
        async def work(service):
            return await plans.create_plan(
                service,
                decode_id(input.municipality_id, "Municipality", "municipalityId"),
                period_start=input.period_start,
                period_end=input.period_end,
                title=input.title,
                copy_from=decode_id(input.copy_from, "Plan", "copyFrom"),
            )

        return await respond(info, PlanPayload, work, input)

    @strawberry.mutation(description="Adopt a draft plan (who and when); its content is frozen after.")
    async def adopt_plan(self, info: Info, input: AdoptPlanInput) -> PlanPayload:
        async def work(service):
            return await plans.adopt_plan(
                service, decode_id(input.id, "Plan", "id"), input.version, input.adopted_on, input.adopted_by
            )

        return await respond(info, PlanPayload, work, input)

    @strawberry.mutation(description="Archive a plan.")
    async def archive_plan(self, info: Info, input: ArchivePlanInput) -> PlanPayload:
        async def work(service):
            return await plans.archive_plan(service, decode_id(input.id, "Plan", "id"), input.version)

        return await respond(info, PlanPayload, work, input)

    @strawberry.mutation(description="Add an area to a draft plan.")
    async def add_area(self, info: Info, input: AddAreaInput) -> AreaPayload:
        async def work(service):
            changes = plan_structure.AreaChanges(
                kind=input.kind,
                title=input.title,
                description=input.description,
                applies_to=plan_structure.UNSET if input.applies_to is None else _kinds(input.applies_to),
                key=plan_structure.UNSET if input.key is None else input.key,
            )
            return await plan_structure.add_area(
                service,
                decode_id(input.plan_id, "Plan", "planId"),
                decode_id(input.parent_id, "Area", "parentId"),
                changes,
                input.position,
            )

        return await respond(info, AreaPayload, work, input)

    @strawberry.mutation(description="Change an area of a draft plan.")
    async def update_area(self, info: Info, input: UpdateAreaInput) -> AreaPayload:
        async def work(service):
            changes = plan_structure.AreaChanges(
                kind=given(input.kind),
                title=given(input.title),
                description=given(input.description),
                applies_to=_kinds(input.applies_to),
                key=given(input.key),
            )
            return await plan_structure.update_area(service, decode_id(input.id, "Area", "id"), input.version, changes)

        return await respond(info, AreaPayload, work, input)

    @strawberry.mutation(description="Move or reorder an area of a draft plan.")
    async def move_area(self, info: Info, input: MoveAreaInput) -> AreaPayload:
        async def work(service):
            return await plan_structure.move_area(
                service,
                decode_id(input.id, "Area", "id"),
                input.version,
                decode_id(input.parent_id, "Area", "parentId"),
                input.position,
            )

        return await respond(info, AreaPayload, work, input)

    @strawberry.mutation(description="Remove an area of a draft plan, with everything below it.")
    async def remove_area(self, info: Info, input: RemoveAreaInput) -> AreaPayload:
        async def work(service):
            return await plan_structure.remove_area(service, decode_id(input.id, "Area", "id"), input.version)

        return await respond(info, AreaPayload, work, input)

    @strawberry.mutation(description="Add a goal to an area of a draft plan.")
    async def add_goal(self, info: Info, input: AddGoalInput) -> GoalPayload:
        async def work(service):
            changes = plan_structure.ItemChanges(
                kind=input.kind, text=input.text, national_goal_id=_national(input.national_goal_id)
            )
            return await plan_structure.add_item(
                service,
                models.Goal,
                area_id=decode_id(input.area_id, "Area", "areaId"),
                changes=changes,
                position=input.position,
            )

        return await respond(info, GoalPayload, work, input)

    @strawberry.mutation(description="Change or reorder a goal of a draft plan.")
    async def update_goal(self, info: Info, input: UpdateGoalInput) -> GoalPayload:
        async def work(service):
            changes = plan_structure.ItemChanges(
                kind=given(input.kind), text=given(input.text), national_goal_id=_national(input.national_goal_id)
            )
            return await plan_structure.update_item(
                service, models.Goal, decode_id(input.id, "Goal", "id"), input.version, changes, input.position
            )

        return await respond(info, GoalPayload, work, input)

    @strawberry.mutation(description="Remove a goal (and its criteria) from a draft plan.")
    async def remove_goal(self, info: Info, input: RemoveGoalInput) -> GoalPayload:
        async def work(service):
            return await plan_structure.remove_item(
                service, models.Goal, decode_id(input.id, "Goal", "id"), input.version
            )

        return await respond(info, GoalPayload, work, input)

    @strawberry.mutation(description="Add a criterion to an area or a goal of a draft plan.")
    async def add_criterion(self, info: Info, input: AddCriterionInput) -> CriterionPayload:
        async def work(service):
            changes = plan_structure.ItemChanges(text=input.text, perspective=input.perspective)
            return await plan_structure.add_item(
                service,
                models.Criterion,
                area_id=decode_id(input.area_id, "Area", "areaId"),
                goal_id=decode_id(input.goal_id, "Goal", "goalId"),
                changes=changes,
                position=input.position,
            )

        return await respond(info, CriterionPayload, work, input)

    @strawberry.mutation(description="Change or reorder a criterion of a draft plan.")
    async def update_criterion(self, info: Info, input: UpdateCriterionInput) -> CriterionPayload:
        async def work(service):
            changes = plan_structure.ItemChanges(text=given(input.text), perspective=given(input.perspective))
            return await plan_structure.update_item(
                service,
                models.Criterion,
                decode_id(input.id, "Criterion", "id"),
                input.version,
                changes,
                input.position,
            )

        return await respond(info, CriterionPayload, work, input)

    @strawberry.mutation(description="Remove a criterion from a draft plan.")
    async def remove_criterion(self, info: Info, input: RemoveCriterionInput) -> CriterionPayload:
        async def work(service):
            return await plan_structure.remove_item(
                service, models.Criterion, decode_id(input.id, "Criterion", "id"), input.version
            )

        return await respond(info, CriterionPayload, work, input)

    @strawberry.mutation(description="Add a measure to an area of a draft plan.")
    async def add_measure(self, info: Info, input: AddMeasureInput) -> MeasurePayload:
        async def work(service):
            changes = plan_structure.ItemChanges(
                text=input.text,
                owner=input.owner,
                deadline=input.deadline,
                partner=input.partner,
                target_group=input.target_group,
            )
            return await plan_structure.add_item(
                service,
                models.Measure,
                area_id=decode_id(input.area_id, "Area", "areaId"),
                changes=changes,
                position=input.position,
            )

        return await respond(info, MeasurePayload, work, input)

    @strawberry.mutation(description="Change or reorder a measure of a draft plan.")
    async def update_measure(self, info: Info, input: UpdateMeasureInput) -> MeasurePayload:
        async def work(service):
            changes = plan_structure.ItemChanges(
                text=given(input.text),
                owner=given(input.owner),
                deadline=given(input.deadline),
                partner=given(input.partner),
                target_group=given(input.target_group),
            )
            return await plan_structure.update_item(
                service, models.Measure, decode_id(input.id, "Measure", "id"), input.version, changes, input.position
            )

        return await respond(info, MeasurePayload, work, input)

    @strawberry.mutation(description="Remove a measure from a draft plan.")
    async def remove_measure(self, info: Info, input: RemoveMeasureInput) -> MeasurePayload:
        async def work(service):
            return await plan_structure.remove_item(
                service, models.Measure, decode_id(input.id, "Measure", "id"), input.version
            )

        return await respond(info, MeasurePayload, work, input)
