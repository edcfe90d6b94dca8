"""createMunicipality, updateMunicipality: register a municipality and enable its profile."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kvalitet.schema.municipality import Municipality
from kvalitet.schema.mutation_support import MutationInput, decode_id, payload_type, respond
from kvalitet.schema.mutations.common import VERSION, given
from kvalitet.services import municipalities


@payload_type(Municipality, "municipality")
class MunicipalityPayload: ...


@strawberry.input(description="A municipality by its 4-digit number, with the code of the profile it uses.")
class CreateMunicipalityInput(MutationInput):
    number: str = strawberry.field(
        description="The 4-digit kommunenummer, e.g. 5501, of a municipality not registered yet."
    )
    name: str = strawberry.field(description="The municipality's name.")
    profile: str | None = strawberry.field(
        default=None, description="The code of an installed profile (`Query.profiles`); null: none for now."
    )


@strawberry.input(description="Rename a municipality or change its profile; `version` is the one you read.")
class UpdateMunicipalityInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The municipality's global ID.")
    version: int = strawberry.field(description=VERSION)
    name: str | None = strawberry.field(default=strawberry.UNSET, description="The new name; leave out to keep it.")
    profile: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The code of the profile to use; null removes it, leaving it out keeps it.",
    )


@strawberry.type
class MunicipalityMutations:
    @strawberry.mutation(description="Register a municipality and enable a profile for it.")
    async def create_municipality(self, info: Info, input: CreateMunicipalityInput) -> MunicipalityPayload:
        async def work(service):
            return await municipalities.create_municipality(service, input.number, input.name, input.profile)

        return await respond(info, MunicipalityPayload, work, input)

    @strawberry.mutation(description="Rename a municipality or change the profile it uses.")
    async def update_municipality(self, info: Info, input: UpdateMunicipalityInput) -> MunicipalityPayload:
        async def work(service):
            return await municipalities.update_municipality(
                service,
                decode_id(input.id, "Municipality", "id"),
                input.version,
                name=given(input.name),
                profile_code=given(input.profile),
            )

        return await respond(info, MunicipalityPayload, work, input)
