"""Fair limits (kvalitet.web.ratelimit): each caller, and each municipality over all its callers,
spends query-cost units from a budget a minute; every answer says where the caller stands in
`RateLimit-Policy` and `RateLimit`; a caller or municipality whose budget is spent gets 429
`RATE_LIMITED` with `Retry-After`, in its language, while other municipalities go on."""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest

from kvalitet.access.actor import Actor, Grant
from kvalitet.app import create_app
from kvalitet.web.ratelimit import RateLimits
from tests.support.cycle import Cycle

QUERY = '{ municipality(number: "NUMBER") { name units(first: 10) { nodes { name } } } }'


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def municipalities(gql):
    cycle = Cycle(gql)
    for number, name in (("9901", "Testkommune"), ("9902", "Nabokommune")):
        municipality = await cycle.municipality(number, name, "testprofil")
        await cycle.unit(municipality["id"], f"Skole i {name}", "SCHOOL")


def _limited(secure_settings, profiles, database, **limits):
    app = create_app(secure_settings.model_copy(update=limits), profiles=profiles, database=database)
    view = next(route.endpoint for route in app.routes if getattr(route, "path", None) == "/graphql")
    clock = Clock()
    view.limits.clock = clock
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test"), clock


async def _ask(client, bearer: str, number: str = "9901", **headers) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={"query": QUERY.replace("NUMBER", number)},
        headers={"Authorization": f"Bearer {bearer}", **headers},
    )


def _standing(response: httpx.Response) -> dict[str, dict[str, int]]:
    """`RateLimit`'s members: name → {r, t}."""
    found = {}
    for member in response.headers["ratelimit"].split(", "):
        name, *params = member.split(";")
        found[name.strip('"')] = {k: int(v) for k, v in (p.split("=") for p in params)}
    return found


async def test_a_caller_spends_its_budget_is_refused_and_may_ask_again_when_it_has_refilled(
    secure_settings, profiles, database, token, municipalities
):
    client, clock = _limited(secure_settings, profiles, database, rate_limit_cost_per_minute=30)
    bearer = token("sector_admin", municipality="9901")
    async with client:
        first = await _ask(client, bearer)
        assert first.status_code == 200 and first.json()["data"]["municipality"]["name"] == "Testkommune"
        cost = first.json()["extensions"]["cost"]["requested"]  # what the request is charged
        assert 10 < cost < 15
        assert first.headers["ratelimit-policy"] == '"caller";q=30;w=60'
        assert _standing(first)["caller"]["r"] == 30 - cost
        second = await _ask(client, bearer)
        assert _standing(second)["caller"]["r"] == 30 - 2 * cost

        # What is left cannot pay for a third: refused once its cost is known, before it runs.
        refused = await _ask(client, bearer)
        assert refused.status_code == 429
        [error] = refused.json()["errors"]
        assert (
            error["extensions"]["code"] == "RATE_LIMITED" and error["extensions"]["messageKey"] == "limit.rate_limited"
        )
        wait = int(refused.headers["retry-after"])
        assert wait == error["extensions"]["retryAfter"] == math.ceil((cost - (30 - 2 * cost)) * 60 / 30)
        assert error["message"].startswith("Du har brukt opp kvoten din")  # the municipality's language
        english = await _ask(client, bearer, **{"Accept-Language": "en"})
        assert english.json()["errors"][0]["message"].startswith("You have used up your query quota")
        # Another caller is not held back by this one's budget.
        other = await _ask(client, token("sector_admin", municipality="9901", subject="kari"))
        assert other.status_code == 200

        clock.now += wait  # time passes: enough has come back for one more request
        again = await _ask(client, bearer)
        assert again.status_code == 200


async def test_one_municipalitys_callers_share_its_budget_and_another_municipality_goes_on(
    secure_settings, profiles, database, token, municipalities
):
    client, _ = _limited(secure_settings, profiles, database, rate_limit_tenant_cost_per_minute=30)
    async with client:
        callers = [token("sector_admin", municipality="9901", subject=name) for name in ("a", "b", "c")]
        answers = [await _ask(client, bearer) for bearer in callers]
        cost = answers[0].json()["extensions"]["cost"]["requested"]
        assert [a.status_code for a in answers] == [200, 200, 429]  # what is left cannot pay for a third
        assert [_standing(a)["tenant"]["r"] for a in answers[:2]] == [30 - cost, 30 - 2 * cost]
        assert "caller" not in _standing(answers[0])  # no limit per caller is set
        refused = answers[2]
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        neighbour = await _ask(client, token("sector_admin", municipality="9902"), number="9902")
        assert neighbour.status_code == 200
        assert neighbour.json()["data"]["municipality"]["name"] == "Nabokommune"
        assert _standing(neighbour)["tenant"]["r"] == 30 - cost


async def test_requests_sent_at_once_cannot_all_pass_on_one_budget(
    secure_settings, profiles, database, token, municipalities
):
    client, _ = _limited(secure_settings, profiles, database, rate_limit_cost_per_minute=30)
    bearer = token("sector_admin", municipality="9901")
    async with client:
        answers = await asyncio.gather(*(_ask(client, bearer) for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [200, 200, 429, 429, 429]


async def test_a_query_refused_for_its_cost_spends_one_unit_not_its_estimate(
    secure_settings, profiles, database, token, municipalities
):
    client, _ = _limited(secure_settings, profiles, database, rate_limit_tenant_cost_per_minute=30, max_query_cost=100)
    nested = '{ municipality(number: "9901") { units(first: 20) { nodes { reports(first: 20) { nodes { id } } } } } }'
    async with client:
        bearer = token("sector_admin", municipality="9901")
        costly = await client.post("/graphql", json={"query": nested}, headers={"Authorization": f"Bearer {bearer}"})
        assert costly.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert _standing(costly)["tenant"]["r"] == 29  # one unit, not the ~400 it would have cost
        assert (await _ask(client, token("sector_admin", municipality="9901", subject="kari"))).status_code == 200


async def test_anonymous_callers_are_counted_by_their_address(secure_settings, profiles, database, municipalities):
    client, _ = _limited(secure_settings, profiles, database, rate_limit_cost_per_minute=12)
    async with client:
        ask = '{ municipality(number: "9901") { name } }'
        assert (await client.post("/graphql", json={"query": ask})).status_code == 200
        budget = await client.post("/graphql", json={"query": ask})
        assert budget.status_code == 200
        spent = [await client.post("/graphql", json={"query": ask}) for _ in range(12)]
        assert 429 in [s.status_code for s in spent]


def test_a_role_or_an_api_key_may_have_a_limit_of_its_own(secure_settings):
    limits = RateLimits(
        secure_settings.model_copy(
            update={
                "rate_limit_cost_per_minute": 100,
                "rate_limit_roles": {"sector_admin": 5000, "viewer": 200},
                "rate_limit_api_keys": {"kv_arkiv": 50},
            }
        )
    )
    admin = Actor(id="user:a", grants=(Grant("viewer"), Grant("sector_admin")))
    assert limits.limit_of(admin) == 5000  # the most generous of its roles
    assert limits.limit_of(Actor(id="user:b", grants=(Grant("unit_leader"),))) == 100
    assert limits.limit_of(Actor(id="apikey:kv_arkiv", grants=(Grant("sector_admin"),))) == 50
    two_workers = RateLimits(secure_settings.model_copy(update={"rate_limit_cost_per_minute": 100, "workers": 2}))
    assert two_workers.limit_of(Actor(id="user:b")) == 50  # each worker holds its share


def test_no_limits_are_kept_unless_asked_for(secure_settings):
    assert RateLimits.of(secure_settings) is None


async def test_operations_over_a_websocket_spend_the_same_budget(secure_settings, profiles, municipalities, token):
    import json

    from websockets.asyncio.client import connect

    from tests.support.serving import serving

    settings = secure_settings.model_copy(update={"webhook_worker": False, "rate_limit_cost_per_minute": 30})
    app = create_app(settings, profiles=profiles)  # its own pool, in the server's loop
    bearer = token("sector_admin", municipality="9901")
    with serving(app, lifespan="on") as port:
        async with connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {bearer}"}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            answers = []
            for n in range(3):
                query = QUERY.replace("NUMBER", "9901")
                await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": query}}))
                while True:
                    message = json.loads(await ws.recv())
                    if message["type"] in ("next", "error"):
                        answers.append(message)
                    if message["type"] in ("complete", "error"):
                        break
    errors = [a["payload"] if a["type"] == "error" else a["payload"].get("errors") or [] for a in answers]
    assert [bool(e) for e in errors] == [False, False, True], answers
    assert errors[2][0]["extensions"]["code"] == "RATE_LIMITED"
