"""The delivery worker holds no transaction while it posts: deliveries are leased in a short
transaction, posted outside any, and their outcomes recorded each in its own. A slow receiver
holds up neither the other subscriptions' deliveries nor anyone's change feed, and cannot take
a whole batch. Real receivers on loopback, the real worker loop."""

import asyncio
import datetime as dt
import time

import httpx
import pytest
from sqlalchemy import func, select, text, update

from kvalitet.models import WebhookDelivery
from kvalitet.webhooks.worker import Options, claim, deliver_due, record, run
from tests.support.cycle import Cycle
from tests.support.receiver import Receiver

SUBSCRIBE = """mutation ($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) {
  webhookSubscription { id } errors { field code message } } }"""
FEED = """query ($after: String) { changes(after: $after, first: 20, entityTypes: ["Unit"]) {
  endCursor hasMore changes { action entityType entityId } } }"""
SLOW = 8.0  # seconds the slow receiver takes to answer (the delay seen in production)


@pytest.fixture
def settings(settings):
    """The receivers listen on loopback; the worker loop polls often, so lateness is the
    worker's, not the poll interval's."""
    return settings.model_copy(update={"webhook_allow_private_targets": True, "webhook_poll_seconds": 0.05})


@pytest.fixture
def receivers():
    started = []

    def start(**options) -> Receiver:
        receiver = Receiver(**options).start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


async def _subscribe(gql, municipality, url):
    made = (
        await gql(
            SUBSCRIBE, {"input": {"municipalityId": municipality["id"], "url": url, "eventTypes": ["unit.created"]}}
        )
    )["createWebhookSubscription"]
    assert made["errors"] == []
    return made["webhookSubscription"]


async def _deliver(database, **options):
    options = {"max_attempts": 3, "backoff_seconds": 0.001, "allow_private": True, **options}
    async with httpx.AsyncClient(timeout=15) as client:
        return await deliver_due(database.engine, client, **options)


async def _until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def _open_transactions(database) -> int:
    """Transactions open in this database, besides the asking one."""
    async with database.engine.connect() as connection:
        return await connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND backend_type = 'client backend' AND xact_start IS NOT NULL"
            )
        )


async def test_one_subscription_cannot_take_the_whole_batch(gql, database, receivers):
    cycle = Cycle(gql)
    busy, quiet = receivers(), receivers()
    first = await cycle.municipality("9901", "Alfa kommune", "testprofil")
    second = await cycle.municipality("9902", "Beta kommune", "testprofil")
    await _subscribe(gql, first, busy.url)
    await _subscribe(gql, second, quiet.url)
    for i in range(5):  # due first
        await cycle.unit(first["id"], f"Enhet {i}", "SCHOOL")
    await cycle.unit(second["id"], "Beta skole", "SCHOOL")
    assert await _deliver(database, batch=3, per_subscription=2) == 3
    assert (len(busy.received), len(quiet.received)) == (2, 1)
    # Deliveries in flight count too: with two of the busy one's leased, a claim takes none of it.
    leased = await claim(database.engine, limit=10, per_subscription=2, lease=dt.timedelta(minutes=1))
    assert len(leased) == 2
    assert await claim(database.engine, limit=10, per_subscription=2, lease=dt.timedelta(minutes=1)) == []


async def test_a_claim_is_a_lease_that_runs_out(gql, database, receivers):
    receiver = receivers()
    municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    await _subscribe(gql, municipality, receiver.url)
    await Cycle(gql).unit(municipality["id"], "Solsiden barnehage", "KINDERGARTEN")
    [row] = await claim(database.engine, limit=10, per_subscription=2, lease=dt.timedelta(minutes=1))
    assert await _open_transactions(database) == 0  # the claim is committed at once
    assert await _deliver(database) == 0  # leased: not due for anyone else

    # The worker that claimed it dies mid-post; once its lease has run out, another takes it.
    async with database.session() as session, session.begin():
        await session.execute(update(WebhookDelivery).values(leased_until=func.now() - dt.timedelta(seconds=1)))
    assert await _deliver(database) == 1
    assert len(receiver.received) == 1

    # The first worker comes back with an outcome: it is not written over the second's.
    options = Options(max_attempts=3, backoff_seconds=1)
    assert await record(database.engine, row, {"last_status_code": 500, "last_error": "HTTP 500"}, options) is False
    async with database.session() as session:
        delivery = await session.scalar(select(WebhookDelivery))
        assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.leased_until) == (
            "delivered",
            1,
            200,
            None,
        )


async def test_no_transaction_is_open_while_a_receiver_is_posted_to(gql, database, receivers):
    receiver = receivers(delay=1.0)
    municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    await _subscribe(gql, municipality, receiver.url)
    await Cycle(gql).unit(municipality["id"], "Solsiden barnehage", "KINDERGARTEN")
    delivering = asyncio.create_task(_deliver(database))
    try:
        await _until(lambda: receiver.received)
        assert await _open_transactions(database) == 0
    finally:
        assert await delivering == 1


async def test_a_slow_receiver_holds_up_neither_other_deliveries_nor_the_change_feed(
    gql, gql_as, token, database, settings, receivers
):
    """Receiver A answers after 8 s. While A's post is in flight, municipality B's event is
    delivered to B's receiver, and B's change feed shows B's change, each within a second."""
    cycle = Cycle(gql)
    slow, fast = receivers(delay=SLOW), receivers()
    first = await cycle.municipality("9901", "Alfa kommune", "testprofil")
    second = await cycle.municipality("9902", "Beta kommune", "testprofil")
    await _subscribe(gql, first, slow.url)
    await _subscribe(gql, second, fast.url)
    feed = gql_as(token("sector_admin", municipality="9902"))
    cursor = None
    while True:
        page = (await feed(FEED, {"after": cursor}))["changes"]
        cursor = page["endCursor"]
        if not page["hasMore"]:
            break

    stop = asyncio.Event()
    worker = asyncio.create_task(run(database.engine, settings, stop))
    try:
        await cycle.unit(first["id"], "Treg skole", "SCHOOL")
        await _until(lambda: slow.received)  # A's post is in flight
        written = time.monotonic()
        unit = await cycle.unit(second["id"], "Rask skole", "SCHOOL")

        async def delivered() -> float:
            await _until(lambda: fast.received, SLOW + 2)
            return fast.received[0].at - written

        async def in_the_feed() -> float:
            while True:
                changes = (await feed(FEED, {"after": cursor}))["changes"]["changes"]
                if any(c["entityId"] == unit["id"] for c in changes):
                    return time.monotonic() - written
                assert time.monotonic() - written < SLOW + 2, "B's change never showed"
                await asyncio.sleep(0.01)

        delivery_late, feed_late = await asyncio.gather(delivered(), in_the_feed())
        print(f"B's delivery after {delivery_late:.3f} s, B's change in its feed after {feed_late:.3f} s")
        assert time.monotonic() - slow.received[0].at < SLOW  # A's post was in flight all along
        assert delivery_late < 1.0, f"B's delivery came {delivery_late:.2f} s after its event"
        assert feed_late < 1.0, f"B's change showed in its feed {feed_late:.2f} s after it was made"
    finally:
        stop.set()
        await asyncio.wait_for(worker, SLOW + 5)  # the worker finishes A's post before it stops

    async with database.session() as session:
        rows = (await session.execute(select(WebhookDelivery.status, WebhookDelivery.attempts))).all()
    assert sorted(rows) == [("delivered", 1), ("delivered", 1)]
    assert (len(slow.received), len(fast.received)) == (1, 1)
