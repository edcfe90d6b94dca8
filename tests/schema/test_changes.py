"""The change feed: every change in order, tombstones for deletions, per-caller scope, and no
change skipped when transactions commit out of order."""

import pytest

from kvalitet.access.actor import SYSTEM
from kvalitet.access.policy import RolePolicy
from kvalitet.db import current_actor
from kvalitet.schema.mutation_support import decode_id
from kvalitet.services import units
from kvalitet.services.context import ServiceContext
from tests.support.cycle import Cycle

FEED = """query ($after: String, $first: Int, $types: [String!]) { changes(after: $after, first: $first, entityTypes: $types) {
  endCursor hasMore changes { cursor action entityType entityId changes node { id } } } }"""


async def _all(gql, after=None, types=None):
    seen = []
    while True:
        feed = (await gql(FEED, {"after": after, "first": 7, "types": types}))["changes"]
        seen += feed["changes"]
        after = feed["endCursor"]
        if not feed["hasMore"]:
            return seen, after


async def test_the_feed_mirrors_creations_updates_and_deletions(gql):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    plan = (await cycle.mutate("createPlan", {"municipalityId": municipality["id"]}, "plan { id }"))["plan"]
    first, cursor = await _all(gql)
    assert first[0]["entityType"] == "Municipality" and first[0]["action"] == "CREATE"
    assert sum(c["entityType"] == "Area" for c in first) == 3  # the test profile's plan

    lek = (await cycle.areas(plan["id"], "theme"))[0]
    measure = (await cycle.mutate("addMeasure", {"areaId": lek["id"], "text": "Nytt"}, "measure { id version }"))[
        "measure"
    ]
    await cycle.mutate(
        "updateMeasure", {"id": measure["id"], "version": measure["version"], "text": "Endret"}, "measure { id }"
    )
    await cycle.mutate("removeMeasure", {"id": measure["id"], "version": measure["version"] + 1}, "measure { id }")
    later, _ = await _all(gql, after=cursor, types=["Measure"])
    mine = [c for c in later if c["entityId"] == measure["id"]]
    assert [c["action"] for c in mine] == ["CREATE", "UPDATE", "DELETE"]
    assert mine[1]["changes"] == {"text": ["Nytt", "Endret"]}
    assert mine[2]["node"] is None  # a tombstone
    assert all(c["entityType"] == "Measure" for c in later)
    # Asking again from the end gives nothing new.
    assert (await gql(FEED, {"after": _, "first": 5}))["changes"]["changes"] == []


async def test_each_caller_sees_only_its_own_changes(gql, gql_as, token):
    cycle = Cycle(gql)
    ours = await cycle.municipality("9901", "Testkommune", "testprofil")
    theirs = await cycle.municipality("5501", "Tromsø", "tromso")
    await cycle.unit(ours["id"], "Vår skole", "SCHOOL", "974760673")
    await cycle.unit(theirs["id"], "Deres skole", "SCHOOL")
    admin, _ = await _all(gql_as(token("sector_admin", municipality="9901")))
    assert {c["entityId"] for c in admin} >= {ours["id"]}
    assert theirs["id"] not in {c["entityId"] for c in admin}
    assert all(c["node"] is None or c["entityType"] != "Unit" or c["entityId"] != theirs["id"] for c in admin)
    leader, _ = await _all(gql_as(token("unit_leader", unit="974760673")))
    assert [c["entityType"] for c in leader] == ["Unit"]
    assert (await gql_as()(FEED, {}))["changes"]["changes"] == []  # anonymous callers get nothing


async def test_a_change_that_commits_late_is_not_skipped(gql, database, profiles):
    """Change A gets the lower id but commits after change B: the feed waits for A, then shows
    A before B, so a client that already read up to a cursor never misses A."""
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    _, cursor = await _all(gql)

    async with database.session() as slow, database.session() as fast:
        token = current_actor.set("test")
        try:
            slow_ctx = ServiceContext(slow, SYSTEM, RolePolicy(), profiles)
            fast_ctx = ServiceContext(fast, SYSTEM, RolePolicy(), profiles)
            municipality_id = decode_id(municipality["id"], "Municipality", "id")
            await slow.begin()
            late = await units.create_unit(slow_ctx, municipality_id, units.UnitChanges(name="Sen", kind="school"))
            await fast.begin()
            early = await units.create_unit(fast_ctx, municipality_id, units.UnitChanges(name="Rask", kind="school"))
            await fast.commit()
            # B is committed, A is not: the feed shows neither yet (A may still come before B).
            pending, _ = await _all(gql, after=cursor)
            assert pending == []
            await slow.commit()
        finally:
            current_actor.reset(token)
    shown, _ = await _all(gql, after=cursor, types=["Unit"])
    names = [c["changes"]["name"] for c in shown]
    assert names == ["Sen", "Rask"], names
    assert {late.name, early.name} == set(names)


@pytest.mark.parametrize("cursor", ["garbage", "WyJ4IiwieSJd"])
async def test_a_foreign_cursor_is_refused(gql, cursor):
    body = await gql.raw(FEED, {"after": cursor})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_secrets_never_reach_the_log_and_keys_only_their_managers(gql, gql_as, token):
    municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    admin = gql_as(token("sector_admin", municipality="9901"))
    made = await admin(
        "mutation ($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { secret } }",
        {"input": {"municipalityId": municipality["id"], "url": "https://a.example/h", "eventTypes": ["unit.created"]}},
    )
    secret = made["createWebhookSubscription"]["secret"]
    key = (
        await admin(
            "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }",
            {"input": {"municipalityId": municipality["id"], "name": "Arkiv", "scopes": ["read"]}},
        )
    )["createApiKey"]["key"]
    seen, _ = await _all(admin, types=["ApiKey", "WebhookSubscription"])
    assert {c["entityType"] for c in seen} == {"ApiKey", "WebhookSubscription"}
    text_of_log = str([c["changes"] for c in seen])
    assert secret not in text_of_log and key.split("_", 2)[2] not in text_of_log and "[secret]" in text_of_log
    viewer, _ = await _all(gql_as(token("viewer", municipality="9901")), types=["ApiKey", "WebhookSubscription"])
    assert viewer == []
