"""createUnit, updateUnit, archiveUnit."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kvalitet.schema.enums import Ownership, UnitKind
from kvalitet.schema.mutation_support import MutationInput, decode_id, payload_type, respond
from kvalitet.schema.mutations.common import VERSION, given, given_enum
from kvalitet.schema.unit import Unit
from kvalitet.services import units


@payload_type(Unit, "unit")
class UnitPayload: ...


@strawberry.input(description="A new unit. The organisation number is checked (9 digits, modulus 11).")
class CreateUnitInput(MutationInput):
    municipality_id: strawberry.ID = strawberry.field(description="The municipality's global ID.")
    name: str = strawberry.field(description="The unit's name.")
    kind: UnitKind = strawberry.field(description="Kindergarten, school or SFO.")
    org_number: str | None = strawberry.field(
        default=None, description="Its 9-digit organisation number (spaces are ignored); no two units share one."
    )
    ownership: Ownership = strawberry.field(
        default=Ownership.MUNICIPAL, description="Whether the municipality owns it (the default), or a private owner."
    )
    zone: str | None = strawberry.field(default=None, description="The zone or network it belongs to, if any.")


@strawberry.input(description="Changes to a unit; leave out what stays. `version` is the one you read.")
class UpdateUnitInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The unit's global ID.")
    version: int = strawberry.field(description=VERSION)
    name: str | None = strawberry.field(default=strawberry.UNSET, description="The new name.")
    kind: UnitKind | None = strawberry.field(default=strawberry.UNSET, description="The new kind.")
    org_number: str | None = strawberry.field(
        default=strawberry.UNSET, description="The new organisation number; null removes it."
    )
    ownership: Ownership | None = strawberry.field(default=strawberry.UNSET, description="The new ownership.")
    zone: str | None = strawberry.field(
        default=strawberry.UNSET, description="The new zone or network; null removes it."
    )


@strawberry.input(description="Archive a unit: it is kept, with its history, but no longer active.")
class ArchiveUnitInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The unit's global ID.")
    version: int = strawberry.field(description=VERSION)


@strawberry.input(description="Let the unit's staff edit its draft local plan and reports, or stop it.")
class AllowStaffEditingInput(MutationInput):
    unit_id: strawberry.ID = strawberry.field(description="The unit's global ID.")
    version: int = strawberry.field(description=VERSION)
    allowed: bool = strawberry.field(description="True lets staff edit the unit's drafts; false stops it.")


@strawberry.type
class UnitMutations:
    @strawberry.mutation(description="Add a kindergarten, school or SFO to a municipality.")
    async def create_unit(self, info: Info, input: CreateUnitInput) -> UnitPayload:
        async def work(service):
            changes = units.UnitChanges(
                name=input.name,
                kind=input.kind.value,
                org_number=input.org_number,
                ownership=input.ownership.value,
                zone=input.zone,
            )
            return await units.create_unit(
                service, decode_id(input.municipality_id, "Municipality", "municipalityId"), changes
            )

        return await respond(info, UnitPayload, work, input)

    @strawberry.mutation(description="Change a unit's name, kind, organisation number, ownership or zone.")
    async def update_unit(self, info: Info, input: UpdateUnitInput) -> UnitPayload:
        async def work(service):
            changes = units.UnitChanges(
                name=given(input.name),
                kind=given_enum(input.kind),
                org_number=given(input.org_number),
                ownership=given_enum(input.ownership),
                zone=given(input.zone),
            )
            return await units.update_unit(service, decode_id(input.id, "Unit", "id"), input.version, changes)

        return await respond(info, UnitPayload, work, input)

    @strawberry.mutation(description="Archive a unit (it is kept, with its history, but no longer active).")
    async def archive_unit(self, info: Info, input: ArchiveUnitInput) -> UnitPayload:
        async def work(service):
            return await units.archive_unit(service, decode_id(input.id, "Unit", "id"), input.version)

        return await respond(info, UnitPayload, work, input)

    @strawberry.mutation(description="The unit leader lets staff edit the unit's drafts (or stops it).")
    async def allow_staff_editing(self, info: Info, input: AllowStaffEditingInput) -> UnitPayload:
        async def work(service):
            return await units.allow_staff_editing(
                service, decode_id(input.unit_id, "Unit", "unitId"), input.version, input.allowed
            )

        return await respond(info, UnitPayload, work, input)
