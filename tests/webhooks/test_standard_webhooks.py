"""Deliveries signed by the Standard Webhooks specification, checked with its own library
(`standardwebhooks`), as a receiver would: a new subscription's `whsec_` secret, the old header
kept beside them, an older secret usable with the library, and a rotation that keeps the old
secret valid for its overlap and no longer."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from sqlalchemy import text
from standardwebhooks import Webhook, WebhookVerificationError

from kvalitet.webhooks.signing import HEADER, verify
from kvalitet.webhooks.worker import deliver_due

ROTATE = """mutation ($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) {
  secret webhookSubscription { id version previousSecretValidUntil } errors { field code message } } }"""


@pytest.fixture
def settings(settings):
    """The receivers of these tests listen on loopback: allow private targets (see
    test_webhook_targets.py for what happens without)."""
    return settings.model_copy(update={"webhook_allow_private_targets": True})


async def _deliver(database) -> int:
    async with httpx.AsyncClient(timeout=5) as client:
        return await deliver_due(database.engine, client, max_attempts=3, backoff_seconds=0.001, allow_private=True)


async def _one_delivery(cycle, municipality, database, receiver, name: str):
    await cycle.unit(municipality["id"], name, "KINDERGARTEN")
    assert await _deliver(database) == 1
    return receiver.received[-1]


def _verifies(secret: str, delivery) -> bool:
    try:
        Webhook(secret).verify(delivery.body, delivery.headers)
    except WebhookVerificationError:
        return False
    return True


async def test_a_delivery_verifies_with_the_standard_webhooks_library(database, receiver, world):
    cycle, municipality, made = world
    secret = made["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    delivery = await _one_delivery(cycle, municipality, database, receiver, "Solsiden barnehage")
    assert Webhook(secret).verify(delivery.body, delivery.headers)["type"] == "unit.created"
    # webhook-id is the event's: the same on a retry, for the receiver to drop duplicates.
    assert delivery.headers["webhook-id"] == json.loads(delivery.body)["id"] == delivery.headers["kvalitet-event-id"]
    # The old header stays through its deprecation.
    assert verify(secret, delivery.body, delivery.headers[HEADER.lower()])
    # A wrong secret, a changed body or a replayed old timestamp are refused.
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    assert not _verifies(other, delivery)
    tampered = type(delivery)({**delivery.headers}, delivery.body.replace(b"unit.created", b"unit.archived"))
    assert tampered.body != delivery.body
    assert not _verifies(secret, tampered)
    stale = type(delivery)({**delivery.headers, "webhook-timestamp": "1700000000"}, delivery.body)
    assert not _verifies(secret, stale)


async def test_an_older_secret_verifies_through_its_base64(database, receiver, world):
    """A subscription made before `whsec_` secrets keeps its secret; its key is the secret's bytes."""
    cycle, municipality, made = world
    older = "gammel-hemmelighet-fra-2025"
    async with database.engine.begin() as connection:
        await connection.execute(text("UPDATE webhook_subscription SET secret = :s"), {"s": older})
    delivery = await _one_delivery(cycle, municipality, database, receiver, "Gamle barnehage")
    assert _verifies("whsec_" + base64.b64encode(older.encode()).decode(), delivery)
    assert verify(older, delivery.body, delivery.headers[HEADER.lower()])


async def test_a_rotated_secret_stays_valid_for_its_overlap_only(gql, database, receiver, world):
    cycle, municipality, made = world
    old = made["secret"]
    hook = made["webhookSubscription"]
    rotated = (await gql(ROTATE, {"input": {"id": hook["id"], "version": hook["version"], "overlapHours": 2}}))[
        "rotateWebhookSecret"
    ]
    assert rotated["errors"] == [] and rotated["secret"].startswith("whsec_") and rotated["secret"] != old
    assert rotated["webhookSubscription"]["previousSecretValidUntil"] is not None
    new = rotated["secret"]

    during = await _one_delivery(cycle, municipality, database, receiver, "Overgang barnehage")
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert _verifies(new, during) and _verifies(old, during)
    assert verify(new, during.body, during.headers[HEADER.lower()])  # the old header: the current secret

    # The overlap over: the old secret no longer signs.
    async with database.engine.begin() as connection:
        await connection.execute(
            text("UPDATE webhook_subscription SET previous_secret_valid_until = now() - interval '1 second'")
        )
    after = await _one_delivery(cycle, municipality, database, receiver, "Etter barnehage")
    assert _verifies(new, after) and not _verifies(old, after)

    # Rotating with no overlap ends the current secret at once.
    version = rotated["webhookSubscription"]["version"]
    again = (await gql(ROTATE, {"input": {"id": hook["id"], "version": version, "overlapHours": 0}}))[
        "rotateWebhookSecret"
    ]
    assert again["errors"] == [] and again["webhookSubscription"]["previousSecretValidUntil"] is None
    last = await _one_delivery(cycle, municipality, database, receiver, "Siste barnehage")
    assert _verifies(again["secret"], last) and not _verifies(new, last)


async def test_a_rotation_is_refused_with_a_stale_version_or_a_long_overlap(gql, database, world):
    _, _, made = world
    hook = made["webhookSubscription"]
    stale = (await gql(ROTATE, {"input": {"id": hook["id"], "version": hook["version"] + 1}}))["rotateWebhookSecret"]
    assert stale["secret"] is None and [e["code"] for e in stale["errors"]] == ["STALE_VERSION"]
    long = (await gql(ROTATE, {"input": {"id": hook["id"], "version": hook["version"], "overlapHours": 169}}))[
        "rotateWebhookSecret"
    ]
    assert long["secret"] is None and [(e["code"], e["field"]) for e in long["errors"]] == [
        ("INVALID_VALUE", "overlapHours")
    ]
    # The secret did not change: a delivery still verifies with the first one.
    async with database.engine.connect() as connection:
        stored = await connection.scalar(text("SELECT secret FROM webhook_subscription"))
    assert stored == made["secret"]


async def test_the_secrets_never_reach_the_change_log(gql, database, world):
    _, _, made = world
    hook = made["webhookSubscription"]
    rotated = (await gql(ROTATE, {"input": {"id": hook["id"], "version": hook["version"]}}))["rotateWebhookSecret"]
    async with database.engine.connect() as connection:
        logged = " ".join(
            json.dumps(changes)
            for changes in await connection.scalars(
                text("SELECT changes FROM change_log WHERE entity_type = 'WebhookSubscription'")
            )
        )
    assert made["secret"] not in logged and rotated["secret"] not in logged
    assert "[secret]" in logged
