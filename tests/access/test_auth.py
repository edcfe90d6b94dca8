"""Authentication: local tokens, OIDC tokens from a provider's JWKS, API keys; and what a
caller without valid credentials gets."""

import asyncio
import datetime as dt
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from kvalitet.app import create_app
from kvalitet.auth.local_tokens import create_token
from tests.support.client import GraphQLClient
from tests.support.cycle import Cycle
from tests.support.serving import serving

WHO = '{ municipality(number: "9901") { units { totalCount } plans { status } } }'


@pytest.fixture
async def world(gql):
    """A municipality with an adopted and a draft plan and a unit, made with the permissive app."""
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    await cycle.adopted_plan(municipality["id"])
    await cycle.mutate("createPlan", {"municipalityId": municipality["id"], "periodStart": 2030}, "plan { id }")
    unit = await cycle.unit(municipality["id"], "Skogly skole", "SCHOOL", "974760673")
    return municipality, unit


async def test_anonymous_callers_see_adopted_plans_and_nothing_else(gql_as, world):
    data = await gql_as()(WHO)
    assert data["municipality"] == {"units": {"totalCount": 0}, "plans": [{"status": "ADOPTED"}]}


async def test_a_local_token_gives_its_role(gql_as, token, world):
    data = await gql_as(token("sector_admin", municipality="9901"))(WHO)
    assert data["municipality"]["units"]["totalCount"] == 1
    assert sorted(p["status"] for p in data["municipality"]["plans"]) == ["ADOPTED", "DRAFT"]
    unit_leader = await gql_as(token("unit_leader", unit="974760673"))(WHO)
    assert unit_leader["municipality"] == {"units": {"totalCount": 1}, "plans": [{"status": "ADOPTED"}]}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer not-a-token", "The token is neither a JWT nor an API key."),
        ("Basic dXNlcjpwYXNz", "Send credentials as `Authorization: Bearer <token or API key>`."),
        ("Bearer kv_abc_def", "The API key is not valid (unknown or revoked)."),
        ("Bearer", "Send credentials as `Authorization: Bearer <token or API key>`."),
    ],
)
async def test_bad_credentials_are_refused_with_401(secure_client, world, header, message):
    response = await secure_client.post(
        "/graphql", json={"query": "{ profiles { code } }"}, headers={"Authorization": header}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0] == {"message": message, "extensions": {"code": "UNAUTHENTICATED"}}


async def test_forged_and_expired_tokens_are_refused(secure_client, secure_settings, token, world, tmp_path):
    forged = create_token(
        tmp_path / "other-key",
        subject="mallory",
        roles=[{"role": "sector_admin", "municipality": "9901"}],
        ttl=dt.timedelta(hours=1),
    )
    expired = token("sector_admin", municipality="9901", hours=-1)
    tampered = token("viewer", municipality="9901")
    header, payload, signature = tampered.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["roles"] = [{"role": "sector_admin", "municipality": "9901"}]
    tampered = ".".join([header, jwt.utils.base64url_encode(json.dumps(claims).encode()).decode(), signature])
    unsigned = jwt.encode(
        {"iss": "kvalitet-local", "sub": "x", "exp": time.time() + 60, "roles": []}, None, algorithm="none"
    )
    for bad, reason in (
        (forged, "Signature verification failed"),
        (expired, "expired"),
        (tampered, "Signature"),
        (unsigned, "not valid"),
    ):
        response = await secure_client.post(
            "/graphql", json={"query": "{ profiles { code } }"}, headers={"Authorization": f"Bearer {bad}"}
        )
        assert response.status_code == 401, bad
        assert reason in response.json()["errors"][0]["message"]


async def test_roles_naming_unknown_places_grant_nothing(gql_as, token, world):
    data = await gql_as(token("sector_admin", municipality="0301"))(WHO)
    assert data["municipality"]["units"]["totalCount"] == 0


async def test_api_keys_are_made_shown_once_used_and_revoked(gql, gql_as, token, world, database):
    municipality, unit = world
    admin = gql_as(token("sector_admin", municipality="9901"))
    made = await admin(
        """mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) {
            key apiKey { id version prefix scopes } errors { code message } } }""",
        {"input": {"municipalityId": municipality["id"], "name": "Arkivet", "scopes": ["read", "reports:write"]}},
    )
    created = made["createApiKey"]
    key = created["key"]
    assert key.startswith(f"kv_{created['apiKey']['prefix']}_") and created["apiKey"]["scopes"] == [
        "read",
        "reports:write",
    ]
    async with database.engine.connect() as connection:
        stored = (await connection.exec_driver_sql("SELECT secret_hash FROM api_key")).scalar_one()
    assert key.split("_", 2)[2] not in stored  # only a hash is kept

    integrator = gql_as(key)
    assert (await integrator(WHO))["municipality"]["units"]["totalCount"] == 1
    listed = (await admin('{ municipality(number: "9901") { apiKeys { prefix lastUsedAt } } }'))["municipality"][
        "apiKeys"
    ]
    assert listed[0]["lastUsedAt"] is not None
    # A key may not make keys, and other callers do not see the keys.
    assert (await integrator('{ municipality(number: "9901") { apiKeys { prefix } } }'))["municipality"][
        "apiKeys"
    ] == []

    revoked = await admin(
        "mutation ($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { revokedAt } errors { code } } }",
        {"input": {"id": created["apiKey"]["id"], "version": created["apiKey"]["version"]}},
    )
    assert revoked["revokeApiKey"]["apiKey"]["revokedAt"]
    response = await integrator.http.post("/graphql", json={"query": WHO}, headers=integrator.headers)
    assert response.status_code == 401


async def test_unknown_scopes_are_refused(gql_as, token, world):
    municipality, _ = world
    made = await gql_as(token("sector_admin", municipality="9901"))(
        "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key errors { field code message } } }",
        {"input": {"municipalityId": municipality["id"], "name": "X", "scopes": ["read", "root"]}},
    )
    [error] = made["createApiKey"]["errors"]
    assert (error["field"], error["code"]) == ("scopes", "INVALID_VALUE") and "root" in error["message"]
    assert made["createApiKey"]["key"] is None


# -- OIDC, against a JWKS served over HTTP on loopback, as a provider would --------------------


@pytest.fixture(scope="module")
def provider():
    """An OIDC provider's JWKS endpoint (a real HTTP server in a thread) and its signing key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "key-1", "use": "sig", "alg": "RS256"})
    fetches = []

    def jwks(request):
        fetches.append(time.monotonic())
        return JSONResponse({"keys": [jwk]})

    with serving(Starlette(routes=[Route("/jwks", jwks)])) as port:
        yield {
            "key": key,
            "jwks_url": f"http://127.0.0.1:{port}/jwks",
            "issuer": "https://idp.example.test",
            "fetches": fetches,
        }


@pytest.fixture
async def oidc_gql(provider, secure_settings, profiles, database, request):
    settings = secure_settings.model_copy(
        update={
            "oidc_issuer": provider["issuer"],
            "oidc_jwks_url": provider["jwks_url"],
            "oidc_audience": "kvalitet",
            "oidc_roles_claim": "ext.roles",
            "oidc_subject_claim": "email",
            **getattr(request, "param", {}),
        }
    )
    app = create_app(settings, profiles=profiles, database=database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


def _oidc_token(provider, *, roles, audience="kvalitet", kid="key-1", expires_in=300, key=None):
    claims = {
        "iss": provider["issuer"],
        "aud": audience,
        "sub": "abc",
        "email": "rektor@skogly.example",
        "exp": int(time.time()) + expires_in,
        "ext": {"roles": roles},
    }
    return jwt.encode(claims, key or provider["key"], algorithm="RS256", headers={"kid": kid})


async def test_oidc_tokens_with_configured_claims(oidc_gql, provider, world):
    good = GraphQLClient(oidc_gql, _oidc_token(provider, roles=["sector_admin@9901"]))
    assert (await good(WHO))["municipality"]["units"]["totalCount"] == 1
    by_unit = GraphQLClient(oidc_gql, _oidc_token(provider, roles=["unit_leader@unit:974760673"]))
    assert (await by_unit(WHO))["municipality"]["units"]["totalCount"] == 1
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for bad in (
        _oidc_token(provider, roles=["sector_admin@9901"], audience="another-service"),
        _oidc_token(provider, roles=["sector_admin@9901"], expires_in=-10),
        _oidc_token(provider, roles=["sector_admin@9901"], key=other_key),
        _oidc_token(provider, roles=["sector_admin@9901"], kid="unknown-key"),
        _oidc_token(provider, roles=["emperor@9901"]),
    ):
        response = await oidc_gql.post("/graphql", json={"query": WHO}, headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401


async def test_unknown_key_ids_cannot_make_the_service_fetch_the_jwks_again_and_again(oidc_gql, provider, world):
    provider["fetches"].clear()
    forged = [_oidc_token(provider, roles=["sector_admin@9901"], kid=f"made-up-{n}") for n in range(50)]
    responses = await asyncio.gather(
        *(
            oidc_gql.post("/graphql", json={"query": WHO}, headers={"Authorization": f"Bearer {token}"})
            for token in forged
        )
    )
    assert {r.status_code for r in responses} == {401}
    for token in forged[:10]:  # one after another too
        response = await oidc_gql.post("/graphql", json={"query": WHO}, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
    assert len(provider["fetches"]) == 1  # the first fetch; every unknown key id after it waits for the cooldown
    good = GraphQLClient(oidc_gql, _oidc_token(provider, roles=["sector_admin@9901"]))
    assert (await good(WHO))["municipality"]["units"]["totalCount"] == 1


@pytest.mark.parametrize("oidc_gql", [{"oidc_jwks_cooldown": 0.3}], indirect=True)
async def test_an_unknown_key_id_fetches_again_after_the_cooldown(oidc_gql, provider, world):
    provider["fetches"].clear()
    token = _oidc_token(provider, roles=["sector_admin@9901"], kid="rotated-in-later")
    for _ in range(5):
        assert (
            await oidc_gql.post("/graphql", json={"query": WHO}, headers={"Authorization": f"Bearer {token}"})
        ).status_code == 401
    assert len(provider["fetches"]) == 1
    await asyncio.sleep(0.35)
    assert (
        await oidc_gql.post("/graphql", json={"query": WHO}, headers={"Authorization": f"Bearer {token}"})
    ).status_code == 401
    assert len(provider["fetches"]) == 2


@pytest.mark.parametrize(
    "roles",
    [
        [{"role": "sector_admin", "municipality": ["9901"]}],
        [{"role": "sector_admin", "municipality": 9901}],
        [{"role": "unit_leader", "unit": {"org": "974760673"}}],
        [{"role": "unit_leader", "unit": "974760673\x00"}],
        [{"role": ["sector_admin"], "municipality": "9901"}],
        [{"role": "sector_admin", "municipality": "99\x0001"}],
        ["sector_admin@\ud800"],
        [None],
        "sector_admin@9901",
    ],
)
async def test_odd_role_claims_in_a_signed_token_are_refused_with_401(secure_client, secure_settings, world, roles):
    import datetime as dt

    from kvalitet.auth.local_tokens import create_token

    bearer = create_token(secure_settings.data_dir, subject="odd", roles=roles, ttl=dt.timedelta(minutes=5))
    response = await secure_client.post("/graphql", json={"query": WHO}, headers={"Authorization": f"Bearer {bearer}"})
    assert response.status_code == 401, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_change_log_names_the_person(oidc_gql, provider, world, database):
    municipality, unit = world
    admin = GraphQLClient(oidc_gql, _oidc_token(provider, roles=["sector_admin@9901"]))
    payload = await admin(
        "mutation ($input: UpdateUnitInput!) { updateUnit(input: $input) { unit { name } errors { code } } }",
        {"input": {"id": unit["id"], "version": unit["version"], "name": "Skogly skole og SFO"}},
    )
    assert payload["updateUnit"]["errors"] == []
    async with database.engine.connect() as connection:
        actor = (await connection.exec_driver_sql("SELECT actor FROM change_log ORDER BY id DESC LIMIT 1")).scalar_one()
    assert actor == "user:rektor@skogly.example"


async def test_a_token_verified_before_is_refused_once_it_expires(secure_client, token, world, monkeypatch):
    from kvalitet.auth import authenticate

    short = token("sector_admin", municipality="9901", hours=0.01)  # 36 seconds
    headers = {"Authorization": f"Bearer {short}"}
    ok = await secure_client.post("/graphql", json={"query": WHO}, headers=headers)
    assert ok.status_code == 200 and ok.json()["data"]["municipality"]["units"]["totalCount"] == 1
    later = time.time() + 3600
    monkeypatch.setattr(authenticate.time, "time", lambda: later)
    monkeypatch.setattr(jwt.api_jwt, "datetime", _FrozenDatetime(later), raising=False)
    refused = await secure_client.post("/graphql", json={"query": WHO}, headers=headers)
    assert refused.status_code == 401
    assert "expired" in refused.json()["errors"][0]["message"]


class _FrozenDatetime:
    """`datetime` as PyJWT's expiry check reads it, at a fixed later time."""

    def __init__(self, timestamp: float):
        self.timestamp = timestamp

    def now(self, tz=None):
        return dt.datetime.fromtimestamp(self.timestamp, tz=tz)

    def __getattr__(self, name):
        return getattr(dt.datetime, name)


async def test_an_archived_units_roles_end_at_once(gql, secure_client, token, world):
    municipality, unit = world
    leader = {"Authorization": f"Bearer {token('unit_leader', unit='974760673')}"}
    query = {"query": '{ municipality(number: "9901") { units(includeArchived: true) { totalCount } } }'}
    before = await secure_client.post("/graphql", json=query, headers=leader)
    assert before.json()["data"]["municipality"]["units"]["totalCount"] == 1
    await Cycle(gql).mutate("archiveUnit", {"id": unit["id"], "version": unit["version"]}, "unit { archivedAt }")
    after = await secure_client.post("/graphql", json=query, headers=leader)
    assert after.json()["data"]["municipality"]["units"]["totalCount"] == 0


async def test_a_municipality_a_token_names_before_it_exists_is_granted_once_it_does(gql, gql_as, token, world):
    caller = gql_as(token("sector_admin", municipality="9902"))
    mine = "{ me { roles { role municipality { number } } } }"
    assert (await caller(mine))["me"]["roles"] == []  # no such municipality yet: no grant
    await Cycle(gql).municipality("9902", "Nykommune", "testprofil")
    assert (await caller(mine))["me"]["roles"] == [{"role": "sector_admin", "municipality": {"number": "9902"}}]


async def test_a_callers_municipality_role_is_the_same_on_every_request(gql_as, token, world):
    caller = gql_as(token("sector_admin", municipality="9901"))
    answers = [await caller(WHO) for _ in range(3)]  # the second and third from the kept caller
    assert answers[0]["municipality"]["units"]["totalCount"] == 1
    assert answers[1:] == [answers[0], answers[0]]


ME = """{ me { id anonymous scopes roles { role permissions
    municipality { number name } unit { name orgNumber municipality { number } } } } }"""


async def test_me_tells_who_calls_their_roles_where_and_what_they_may_do(gql_as, token, world):
    assert (await gql_as()(ME))["me"] == {"id": None, "anonymous": True, "scopes": [], "roles": []}

    leader = (await gql_as(token("unit_leader", unit="974760673", subject="rektor"))(ME))["me"]
    assert leader["id"] == "user:rektor" and not leader["anonymous"]
    [role] = leader["roles"]
    assert role["role"] == "unit_leader" and role["municipality"] == {"number": "9901", "name": "Testkommune"}
    assert role["unit"] == {"name": "Skogly skole", "orgNumber": "974760673", "municipality": {"number": "9901"}}
    assert {"reports:submit", "local_plans:write"} <= set(role["permissions"])
    assert "plans:write" not in role["permissions"]

    admin = (await gql_as(token("sector_admin", municipality="9901"))(ME))["me"]
    [role] = admin["roles"]
    assert role["municipality"] == {"number": "9901", "name": "Testkommune"} and role["unit"] is None
    assert "sector_reports:publish" in role["permissions"]


async def test_me_gives_an_api_keys_scopes(gql, gql_as, world):
    municipality, _ = world
    created = await gql(
        """mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key errors { code } } }""",
        {"input": {"municipalityId": municipality["id"], "name": "Arkiv", "scopes": ["read", "reports:write"]}},
    )
    me = (await gql_as(created["createApiKey"]["key"])(ME))["me"]
    assert me["scopes"] == ["read", "reports:write"] and not me["anonymous"]
    assert me["roles"] == [
        {
            "role": "integrator",
            "permissions": ["read", "reports:write"],
            "municipality": {"number": "9901", "name": "Testkommune"},
            "unit": None,
        }
    ]
