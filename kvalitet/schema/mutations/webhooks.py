"""createWebhookSubscription, updateWebhookSubscription, deleteWebhookSubscription."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from kvalitet.schema.mutation_support import (
    MutationInput,
    UserError,
    decode_id,
    payload_type,
    respond,
    run_mutation,
    to_node,
)
from kvalitet.schema.mutations.common import given
from kvalitet.schema.webhook import WebhookSubscription
from kvalitet.webhooks import subscriptions


@payload_type(WebhookSubscription, "webhook_subscription")
class WebhookSubscriptionPayload: ...


@strawberry.type(description="A new subscription. `secret` signs every delivery; it is shown this once.")
class CreateWebhookSubscriptionPayload:
    webhook_subscription: WebhookSubscription | None = None
    secret: str | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Post the municipality's events of `eventTypes` (e.g. report.submitted) to `url`.")
class CreateWebhookSubscriptionInput:
    municipality_id: strawberry.ID
    url: str
    event_types: list[str]
    description: str | None = None


@strawberry.input
class UpdateWebhookSubscriptionInput(MutationInput):
    id: strawberry.ID
    version: int
    url: str | None = strawberry.UNSET
    event_types: list[str] | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET


@strawberry.input
class DeleteWebhookSubscriptionInput(MutationInput):
    id: strawberry.ID
    version: int


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Subscribe a URL to the municipality's events; the signing secret is in the payload once."
    )
    async def create_webhook_subscription(
        self, info: Info, input: CreateWebhookSubscriptionInput
    ) -> CreateWebhookSubscriptionPayload:
        async def work(service):
            return await subscriptions.create_subscription(
                service,
                decode_id(input.municipality_id, "Municipality", "municipalityId"),
                input.url,
                input.event_types,
                input.description,
                allow_http=info.context.settings.webhook_allow_http,
                allow_private=info.context.settings.webhook_allow_private_targets,
            )

        result, errors = await run_mutation(info, work)
        if result is None:
            return CreateWebhookSubscriptionPayload(errors=errors)
        row, secret = result
        return CreateWebhookSubscriptionPayload(webhook_subscription=to_node(WebhookSubscription, row), secret=secret)

    @strawberry.mutation(description="Change a subscription's URL or events, or pause it (`active: false`).")
    async def update_webhook_subscription(
        self, info: Info, input: UpdateWebhookSubscriptionInput
    ) -> WebhookSubscriptionPayload:
        async def work(service):
            return await subscriptions.update_subscription(
                service,
                decode_id(input.id, "WebhookSubscription", "id"),
                input.version,
                url=given(input.url),
                event_types=given(input.event_types),
                active=given(input.active),
                allow_http=info.context.settings.webhook_allow_http,
                allow_private=info.context.settings.webhook_allow_private_targets,
            )

        return await respond(info, WebhookSubscriptionPayload, work, input)

    @strawberry.mutation(description="Delete a subscription and its delivery log.")
    async def delete_webhook_subscription(
        self, info: Info, input: DeleteWebhookSubscriptionInput
    ) -> WebhookSubscriptionPayload:
        async def work(service):
            return await subscriptions.delete_subscription(
                service, decode_id(input.id, "WebhookSubscription", "id"), input.version
            )

        return await respond(info, WebhookSubscriptionPayload, work, input)
