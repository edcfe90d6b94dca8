"""createApiKey, revokeApiKey: keys for integrators, managed by the municipality's sector admin."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kvalitet.access.roles import API_KEY_SCOPES
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
from kvalitet.schema.mutations.common import VERSION


@payload_type(ApiKey, "api_key")
class ApiKeyPayload: ...


@strawberry.type(description="A new API key. `key` is shown this once and never again: store it now.")
class CreateApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(
        default=None, description="The new key's record (never the key itself); null on errors."
    )
    key: str | None = strawberry.field(
        default=None, description="The key itself (`kv_<prefix>_<secret>`), shown this once; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Empty when the mutation succeeded.")


@strawberry.input(
    description="A key for an integrator of the municipality, with its scopes (e.g. read, reports:write)."
)
class CreateApiKeyInput:
    municipality_id: strawberry.ID = strawberry.field(description="The municipality's global ID.")
    name: str = strawberry.field(description="What to call the key, e.g. the name of the system that will use it.")
    scopes: list[str] = strawberry.field(
        description="What the key may do, at least one of: "
        + ", ".join(f"`{scope}`" for scope in sorted(API_KEY_SCOPES))
        + "."
    )


@strawberry.input(description="Revoke an API key.")
class RevokeApiKeyInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The API key's global ID.")
    version: int = strawberry.field(description=VERSION)


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
