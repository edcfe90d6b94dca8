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
from kvalitet.schema.mutations.common import VERSION, given
from kvalitet.schema.webhook import WebhookSubscription
from kvalitet.webhooks import subscriptions


@payload_type(WebhookSubscription, "webhook_subscription")
class WebhookSubscriptionPayload: ...


@strawberry.type(description="A new subscription. `secret` signs every delivery; it is shown this once.")
class CreateWebhookSubscriptionPayload:
    webhook_subscription: WebhookSubscription | None = strawberry.field(
        default=None, description="The new subscription; null on errors."
    )
    secret: str | None = strawberry.field(
        default=None, description="The secret deliveries are signed with, shown this once; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Empty when the mutation succeeded.")


@strawberry.input(description="Post the municipality's events of `eventTypes` (e.g. report.submitted) to `url`.")
class CreateWebhookSubscriptionInput:
    municipality_id: strawberry.ID = strawberry.field(description="The municipality's global ID.")
    url: str = strawberry.field(
        description="Where to post: an https URL of a public host (unless the service is set to allow others)."
    )
    event_types: list[str] = strawberry.field(description="The events to post, at least one (e.g. `report.submitted`).")
    description: str | None = strawberry.field(default=None, description="A note on what it is for.")


@strawberry.input(description="Changes to a webhook subscription; leave out what stays.")
class UpdateWebhookSubscriptionInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The subscription's global ID.")
    version: int = strawberry.field(description=VERSION)
    url: str | None = strawberry.field(default=strawberry.UNSET, description="The new URL.")
    event_types: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The events to post from now on, at least one."
    )
    active: bool | None = strawberry.field(default=strawberry.UNSET, description="False pauses it; true resumes it.")


@strawberry.type(
    description="A subscription's new secret, shown this once. Deliveries are signed with it, and with the old "
    "one until `webhookSubscription.previousSecretValidUntil`."
)
class RotateWebhookSecretPayload:
    webhook_subscription: WebhookSubscription | None = strawberry.field(
        default=None, description="The subscription as it is now; null on errors."
    )
    secret: str | None = strawberry.field(default=None, description="The new secret, shown this once; null on errors.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Empty when the mutation succeeded.")


# No idempotency key (as for creating one): a replay would have to keep the secret to answer with it.
@strawberry.input(description="Give a subscription a new signing secret.")
class RotateWebhookSecretInput:
    id: strawberry.ID = strawberry.field(description="The subscription's global ID.")
    version: int = strawberry.field(description=VERSION)
    overlap_hours: int = strawberry.field(
        default=24,
        description="How long deliveries are signed with the old secret too (a second signature in "
        "`webhook-signature`), so the receiver can switch without refusing one: 0 to 168; 0 ends the old "
        "secret at once.",
    )


@strawberry.input(description="Delete a webhook subscription, with its delivery log.")
class DeleteWebhookSubscriptionInput(MutationInput):
    id: strawberry.ID = strawberry.field(description="The subscription's global ID.")
    version: int = strawberry.field(description=VERSION)


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
