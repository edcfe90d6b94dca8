"""createMunicipality, updateMunicipality: register a municipality and enable its profile."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kvalitet.schema.municipality import Municipality
from kvalitet.schema.mutation_support import MutationInput, decode_id, payload_type, respond
from kvalitet.schema.mutations.common import given
from kvalitet.services import municipalities


@payload_type(Municipality, "municipality")
class MunicipalityPayload: ...


@strawberry.input(description="A municipality by its 4-digit number, with the code of the profile it uses.")
class CreateMunicipalityInput(MutationInput):
    number: str
    name: str
    profile: str | None = None


@strawberry.input(description="Rename a municipality or change its profile; `version` is the one you read.")
class UpdateMunicipalityInput(MutationInput):
    id: strawberry.ID
    version: int
    name: str | None = strawberry.UNSET
    profile: str | None = strawberry.UNSET


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
