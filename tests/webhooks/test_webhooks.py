"""Webhooks end to end: events written with their change, signed deliveries to a real HTTP
receiver, retries and dead letters, and workers that never post one delivery twice at once."""

import asyncio
import json

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from kvalitet.db import Database
from kvalitet.models import OutboxEvent, WebhookDelivery
from kvalitet.webhooks.signing import HEADER, verify
from kvalitet.webhooks.worker import deliver_due
from tests.support.paths import REPO

DELIVERIES = """query ($id: ID!) { node(id: $id) { ... on WebhookSubscription {
  deliveries(first: 20) { totalCount nodes { eventId status attempts lastStatusCode lastError } } } } }"""


@pytest.fixture
def settings(settings):
    """The receivers of these tests listen on loopback: allow private targets (see
    test_webhook_targets.py for what happens without)."""
    return settings.model_copy(update={"webhook_allow_private_targets": True})


def _counted() -> dict[str, float]:
    """Delivery attempts by outcome, as /metrics reports them (kvalitet.infra.metrics)."""
    return {
        outcome: REGISTRY.get_sample_value("kvalitet_webhook_deliveries_total", {"outcome": outcome}) or 0
        for outcome in ("delivered", "retry", "dead")
    }


async def _deliver(database, **options):
    options = {"max_attempts": 3, "backoff_seconds": 0.001, "allow_private": True, **options}
    async with httpx.AsyncClient(timeout=5) as client:
        return await deliver_due(database.engine, client, **options)


async def test_signed_deliveries_reach_the_receiver_and_verify(gql, database, receiver, world):
    cycle, municipality, subscription = world
    unit = await cycle.unit(municipality["id"], "Solsiden barnehage", "KINDERGARTEN")
    before = _counted()
    assert await _deliver(database) == 1
    assert _counted() == {**before, "delivered": before["delivered"] + 1}
    [delivery] = receiver.received
    assert verify(subscription["secret"], delivery.body, delivery.headers[HEADER.lower()])
    assert not verify("another secret", delivery.body, delivery.headers[HEADER.lower()])
    assert not verify(subscription["secret"], delivery.body + b" ", delivery.headers[HEADER.lower()])
    event = json.loads(delivery.body)
    assert event["type"] == "unit.created" == delivery.headers["kvalitet-event-type"]
    assert event["id"] == delivery.headers["kvalitet-event-id"]
    assert event["data"]["object"] == {"id": unit["id"], "type": "Unit", "version": 1, "status": None}
    log = (await gql(DELIVERIES, {"id": subscription["webhookSubscription"]["id"]}))["node"]["deliveries"]
    assert log["nodes"] == [
        {"eventId": event["id"], "status": "DELIVERED", "attempts": 1, "lastStatusCode": 200, "lastError": None}
    ]
    assert await _deliver(database) == 0  # delivered once, never again


async def test_only_subscribed_events_of_active_subscriptions_are_delivered(gql, database, receiver, world):
    cycle, municipality, subscription = world
    plan = await cycle.adopted_plan(municipality["id"])  # plan.adopted: not subscribed
    assert plan and await _deliver(database) == 0
    hook = subscription["webhookSubscription"]
    paused = await cycle.mutate(
        "updateWebhookSubscription",
        {"id": hook["id"], "version": hook["version"], "active": False},
        "webhookSubscription { active }",
    )
    assert paused["webhookSubscription"]["active"] is False
    await cycle.unit(municipality["id"], "Ute av drift skole", "SCHOOL")
    assert await _deliver(database) == 0 and receiver.received == []


async def test_a_refused_mutation_writes_no_event(gql, database, world):
    cycle, municipality, _ = world
    await cycle.refused("createUnit", {"municipalityId": municipality["id"], "name": " ", "kind": "SCHOOL"})
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 0


async def test_a_failing_receiver_gets_retries_then_a_dead_letter(gql, database, receiver, world):
    cycle, municipality, subscription = world
    receiver.status = 503
    await cycle.unit(municipality["id"], "Nordlys skole", "SCHOOL")
    before = _counted()
    assert await _deliver(database, backoff_seconds=3600) == 1
    # The retry waits: nothing is due until the backoff has passed.
    assert await _deliver(database) == 0
    async with database.session() as session, session.begin():
        delivery = await session.scalar(select(WebhookDelivery))
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 503)
        assert delivery.next_attempt_at > delivery.last_attempt_at
        delivery.next_attempt_at = delivery.last_attempt_at  # time passes
    for _ in range(2):
        await asyncio.sleep(0.01)
        assert await _deliver(database) == 1
    log = (await gql(DELIVERIES, {"id": subscription["webhookSubscription"]["id"]}))["node"]["deliveries"]["nodes"]
    assert [(d["status"], d["attempts"], d["lastError"]) for d in log] == [("DEAD", 3, "HTTP 503")]
    assert len(receiver.received) == 3
    assert await _deliver(database) == 0  # the dead letter is kept, not retried
    assert _counted() == {**before, "retry": before["retry"] + 2, "dead": before["dead"] + 1}


async def test_two_workers_never_deliver_one_event_twice(gql, database_url, receiver, world):
    cycle, municipality, _ = world
    for i in range(12):
        await cycle.unit(municipality["id"], f"Enhet {i:02d}", "SCHOOL")
    receiver.delay = 0.05  # slow, so the workers overlap
    first, second = Database(database_url, pool_size=2), Database(database_url, pool_size=2)
    try:

        async def drain(database):
            total = 0
            # One subscription: let both workers' batches be in flight to it at once.
            while tried := await _deliver(database, batch=3, per_subscription=6):
                total += tried
            return total

        counts = await asyncio.gather(drain(first), drain(second))
    finally:
        await first.dispose()
        await second.dispose()
    ids = [r.headers["kvalitet-delivery-id"] for r in receiver.received]
    assert sum(counts) == 12 == len(ids) == len(set(ids))
    assert all(counts), counts  # both took part


def test_every_event_type_is_documented():
    import re

    from kvalitet.services.events import EVENT_TYPES

    docs = (REPO / "docs" / "webhooks.md").read_text()
    documented = re.findall(r"^\| `([a-z_.]+)` \|", docs.split("<!-- event-types -->")[1], flags=re.MULTILINE)
    assert documented == list(EVENT_TYPES)
