"""createWebhookSubscription, updateWebhookSubscription, rotateWebhookSecret, deleteWebhookSubscription."""

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


@strawberry.type(
    description="A subscription's new secret, shown this once. Deliveries are signed with it, and with the old "
    "one until `webhookSubscription.previousSecretValidUntil`."
)
class RotateWebhookSecretPayload:
    webhook_subscription: WebhookSubscription | None = None
    secret: str | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


# No idempotency key (as for creating one): a replay would have to keep the secret to answer with it.
@strawberry.input(description="Give a subscription a new signing secret.")
class RotateWebhookSecretInput:
    id: strawberry.ID
    version: int
    overlap_hours: int = strawberry.field(
        default=24,
        description="How long deliveries are signed with the old secret too (a second signature in "
        "`webhook-signature`), so the receiver can switch without refusing one: 0 to 168; 0 ends the old "
        "secret at once.",
    )


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

    @strawberry.mutation(
        description="Give a subscription a new signing secret (in the payload once), the old one valid beside it "
        "for `overlapHours`."
    )
    async def rotate_webhook_secret(self, info: Info, input: RotateWebhookSecretInput) -> RotateWebhookSecretPayload:
        async def work(service):
            return await subscriptions.rotate_secret(
                service, decode_id(input.id, "WebhookSubscription", "id"), input.version, input.overlap_hours
            )

        result, errors = await run_mutation(info, work)
        if result is None:
            return RotateWebhookSecretPayload(errors=errors)
        row, secret = result
        return RotateWebhookSecretPayload(webhook_subscription=to_node(WebhookSubscription, row), secret=secret)

    @strawberry.mutation(description="Delete a subscription and its delivery log.")
    async def delete_webhook_subscription(
        self, info: Info, input: DeleteWebhookSubscriptionInput
    ) -> WebhookSubscriptionPayload:
        async def work(service):
            return await subscriptions.delete_subscription(
                service, decode_id(input.id, "WebhookSubscription", "id"), input.version
            )

        return await respond(info, WebhookSubscriptionPayload, work, input)
