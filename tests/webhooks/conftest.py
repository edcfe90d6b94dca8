"""The world of the webhook tests: a running receiver, and Testkommune subscribed to it
(`unit.created`, `unit.archived`). A module that uses them allows private targets in its
`settings` (the receiver listens on loopback); test_webhook_targets.py keeps the settings as they are."""

from __future__ import annotations

import pytest

from tests.support.cycle import Cycle
from tests.support.receiver import Receiver

SUBSCRIBE = """mutation ($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) {
  secret webhookSubscription { id version eventTypes } errors { field code message } } }"""


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


async def subscribe(gql, municipality_id: str, url: str, event_types: list[str]) -> dict:
    """A webhook subscription made through the API (its payload: secret, subscription, errors)."""
    made = await gql(SUBSCRIBE, {"input": {"municipalityId": municipality_id, "url": url, "eventTypes": event_types}})
    return made["createWebhookSubscription"]


@pytest.fixture
async def world(gql, receiver):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    made = await subscribe(gql, municipality["id"], receiver.url, ["unit.created", "unit.archived"])
    assert made["errors"] == [] and made["secret"]
    return cycle, municipality, made
