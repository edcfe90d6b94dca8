"""Fair limits (kvalitet.web.ratelimit): each caller, and each municipality over all its callers,
spends query-cost units from a budget a minute; every answer says where the caller stands in
`RateLimit-Policy` and `RateLimit`; a caller or municipality whose budget is spent gets 429
`RATE_LIMITED` with `Retry-After`, in its language, while other municipalities go on."""

from __future__ import annotations

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
        third = await _ask(client, bearer)  # runs: the budget was not spent before it
        assert third.status_code == 200 and _standing(third)["caller"]["r"] == 0

        refused = await _ask(client, bearer)
        assert refused.status_code == 429
        [error] = refused.json()["errors"]
        assert (
            error["extensions"]["code"] == "RATE_LIMITED" and error["extensions"]["messageKey"] == "limit.rate_limited"
        )
        wait = int(refused.headers["retry-after"])
        assert wait == error["extensions"]["retryAfter"] and 1 <= wait <= 60
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
        assert [a.status_code for a in answers] == [200, 200, 200]  # the third runs with what is left
        assert [_standing(a)["tenant"]["r"] for a in answers] == [30 - cost, 30 - 2 * cost, 0]
        assert "caller" not in _standing(answers[0])  # no limit per caller is set
        refused = await _ask(client, token("sector_admin", municipality="9901", subject="d"))
        assert refused.status_code == 429 and refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        neighbour = await _ask(client, token("sector_admin", municipality="9902"), number="9902")
        assert neighbour.status_code == 200
        assert neighbour.json()["data"]["municipality"]["name"] == "Nabokommune"
        assert _standing(neighbour)["tenant"]["r"] == 30 - cost


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
