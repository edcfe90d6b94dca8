"""createApiKey, revokeApiKey: keys for integrators, managed by the municipality's sector admin."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kvalitet.auth import api_keys
from kvalitet.schema.api_key import ApiKey
from kvalitet.schema.mutation_support import (
    MutationInput,
    UserError,
    decode_id,
    payload_type,
    respond,
    run_mutation,
    to_node,
)


@payload_type(ApiKey, "api_key")
class ApiKeyPayload: ...


@strawberry.type(description="A new API key. `key` is shown this once and never again: store it now.")
class CreateApiKeyPayload:
    api_key: ApiKey | None = None
    key: str | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="A key for an integrator of the municipality, with its scopes (e.g. read, reports:write)."
)
class CreateApiKeyInput:
    municipality_id: strawberry.ID
    name: str
    scopes: list[str]


@strawberry.input
class RevokeApiKeyInput(MutationInput):
    id: strawberry.ID
    version: int


@strawberry.type
class ApiKeyMutations:
    @strawberry.mutation(description="Make an API key for an integrator; the key is in the payload once.")
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        async def work(service):
            return await api_keys.create_api_key(
                service, decode_id(input.municipality_id, "Municipality", "municipalityId"), input.name, input.scopes
            )

        result, errors = await run_mutation(info, work)
        if result is None:
            return CreateApiKeyPayload(errors=errors)
        row, key = result
        return CreateApiKeyPayload(api_key=to_node(ApiKey, row), key=key)

    @strawberry.mutation(description="Revoke an API key; it stops working at once.")
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> ApiKeyPayload:
        async def work(service):
            return await api_keys.revoke_api_key(service, decode_id(input.id, "ApiKey", "id"), input.version)

        return await respond(info, ApiKeyPayload, work, input)
