"""Inputs a caller can send that once answered 500 (or leaked internals): each is a named
regression test, sent through HTTP to the real app with its real access policy. A crash comes
back as the HTTP 500 a client would get (`raise_app_exceptions=False`), not as an exception."""

from __future__ import annotations

import base64
import datetime as dt
import json

import httpx
import pytest

from kvalitet.app import create_app
from kvalitet.auth.local_tokens import create_token
from tests.support.cycle import Cycle

LEAKS = (
    "Traceback",
    "sqlalchemy",
    "asyncpg",
    "Errno",
    "SELECT ",
    "site-packages",
    "invalid byte sequence",
    "surrogates not allowed",
    "out of range",
)


@pytest.fixture
async def api(secure_settings, profiles, database):
    app = create_app(secure_settings, profiles=profiles, database=database)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
async def world(gql):
    return await Cycle(gql).municipality("9901", "Testkommune", "testprofil")


@pytest.fixture
def admin(token) -> dict[str, str]:
    return {"Authorization": f"Bearer {token('sector_admin', municipality='9901')}"}


async def _post(api, query: str, variables: dict | None = None, headers: dict | None = None) -> httpx.Response:
    # ensure_ascii: a lone surrogate goes over the wire as the \ud800 escape a client may send.
    body = json.dumps({"query": query, "variables": variables or {}}, ensure_ascii=True)
    return await api.post("/graphql", content=body, headers={"content-type": "application/json", **(headers or {})})


def _refused(response: httpx.Response, code: str | None = None) -> dict:
    """The response is a clear refusal: not a 500, no internals, a code on every error."""
    assert response.status_code < 500, response.text
    for leak in LEAKS:
        assert leak not in response.text, response.text
    body = response.json()
    for error in body.get("errors", []):
        assert error.get("extensions", {}).get("code"), error
        if code is not None:
            assert error["extensions"]["code"] == code, error
    return body


def _cursor(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps([str(v) for v in values]).encode()).decode().rstrip("=")


async def _change_log_rows(database) -> int:
    async with database.engine.connect() as connection:
        return (await connection.exec_driver_sql("SELECT count(*) FROM change_log")).scalar_one()


@pytest.mark.parametrize("key", ["k\u0000y", "\ud800", "a" * 201, ""])
async def test_an_idempotency_key_with_nul_or_a_lone_surrogate_is_a_user_error(api, admin, world, database, key):
    rows = await _change_log_rows(database)
    for headers in (admin, {}):  # refused before authorisation is even asked
        response = await _post(
            api,
            "mutation ($input: CreateUnitInput!) { createUnit(input: $input) { unit { id } errors { field code } } }",
            {"input": {"municipalityId": world["id"], "name": "Skole", "kind": "SCHOOL", "idempotencyKey": key}},
            headers,
        )
        body = _refused(response)
        assert body["data"]["createUnit"]["errors"] == [{"field": "idempotencyKey", "code": "INVALID_VALUE"}]
    assert await _change_log_rows(database) == rows


@pytest.mark.parametrize("cursor", [_cursor(2**63, 1), _cursor(1, -(2**63) - 1), _cursor(10**40, 10**40)])
async def test_a_change_feed_cursor_beyond_bigint_is_bad_input(api, admin, world, cursor):
    response = await _post(
        api, "query ($after: String) { changes(after: $after) { hasMore } }", {"after": cursor}, admin
    )
    _refused(response, "BAD_USER_INPUT")


async def test_a_history_cursor_beyond_bigint_is_bad_input(api, admin, world):
    query = "query ($id: ID!, $after: String) { node(id: $id) { ... on Municipality { history(after: $after) { totalCount } } } }"
    for cursor in (_cursor(2**63), _cursor(-(2**64))):
        _refused(await _post(api, query, {"id": world["id"], "after": cursor}, admin), "BAD_USER_INPUT")


@pytest.mark.parametrize("types", [["Unit\u0000"], ["\ud800"], ["x" * 61], ["Unit"] * 51])
async def test_odd_entity_types_in_the_change_feed_are_bad_input(api, admin, world, types):
    response = await _post(api, "query ($t: [String!]) { changes(entityTypes: $t) { hasMore } }", {"t": types}, admin)
    _refused(response, "BAD_USER_INPUT")


async def test_a_units_cursor_with_nul_is_bad_input(api, admin, world):
    query = 'query ($after: String) { municipality(number: "9901") { units(after: $after) { totalCount } } }'
    for cursor in (_cursor("Skole\u0000"), _cursor(2**70)):
        response = await _post(api, query, {"after": cursor}, admin)
        _refused(response)


@pytest.mark.parametrize("type_name", ["Node", "Query", "Mutation", "UserError", "Connection"])
async def test_node_of_a_type_that_is_no_node_is_null(api, admin, world, type_name):
    node_id = base64.b64encode(f"{type_name}:{world['id']}".encode()).decode()
    for headers in (admin, {}):
        body = _refused(await _post(api, "query ($id: ID!) { node(id: $id) { id } }", {"id": node_id}, headers))
        assert body["data"] == {"node": None} and "errors" not in body


async def test_variables_nested_a_thousand_deep_are_refused(api, admin, world):
    deep_object, deep_list = '{"a":' * 1000 + '"x"' + "}" * 1000, "[" * 1000 + "]" * 1000
    for query, variables in (
        ("query ($v: String) { profiles { code } }", f'{{"v": {deep_object}}}'),
        ("query ($t: [String!]) { changes(entityTypes: $t) { hasMore } }", f'{{"t": {deep_list}}}'),
        ("query ($t: JSON) { profiles { code } }", f'{{"t": {deep_object}}}'),
        ("query { profiles { code } }", f'{{"unused": {deep_object}}}'),
    ):
        body = f'{{"query": {json.dumps(query)}, "variables": {variables}}}'
        response = await api.post("/graphql", content=body, headers={"content-type": "application/json", **admin})
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0] == {
            "message": "The request body is nested deeper than 64 levels.",
            "extensions": {"code": "BAD_REQUEST"},
        }


@pytest.mark.parametrize(
    "roles",
    [
        [{"role": "sector_admin", "municipality": ["9901"]}],
        [{"role": "unit_leader", "unit": {"id": "x"}}],
        [{"role": "sector_admin", "municipality": "99\u000001"}],
    ],
)
async def test_odd_claims_in_a_signed_token_are_401(api, secure_settings, world, roles):
    bearer = create_token(secure_settings.data_dir, subject="odd", roles=roles, ttl=dt.timedelta(minutes=5))
    response = await _post(api, "{ profiles { code } }", headers={"Authorization": f"Bearer {bearer}"})
    assert response.status_code == 401, response.text


@pytest.mark.parametrize("subject", ["x" * 256, "nul\u0000", "\ud800", "", 42, ["a"]])
async def test_a_subject_that_cannot_be_recorded_is_401(api, secure_settings, world, subject):
    bearer = create_token(
        secure_settings.data_dir,
        subject=subject,
        roles=[{"role": "sector_admin", "municipality": "9901"}],
        ttl=dt.timedelta(minutes=5),
    )
    response = await _post(api, "{ profiles { code } }", headers={"Authorization": f"Bearer {bearer}"})
    assert response.status_code == 401, response.text
    assert "subject" in response.json()["errors"][0]["message"].lower()


async def test_a_long_subject_within_the_limit_writes(api, secure_settings, world):
    bearer = create_token(
        secure_settings.data_dir,
        subject="p" * 200,
        roles=[{"role": "sector_admin", "municipality": "9901"}],
        ttl=dt.timedelta(minutes=5),
    )
    response = await _post(
        api,
        "mutation ($input: CreateUnitInput!) { createUnit(input: $input) { unit { name } errors { code } } }",
        {"input": {"municipalityId": world["id"], "name": "Langt navn skole", "kind": "SCHOOL"}},
        {"Authorization": f"Bearer {bearer}"},
    )
    assert _refused(response)["data"]["createUnit"] == {"unit": {"name": "Langt navn skole"}, "errors": []}


# -- A database outage is a 503 with Retry-After, never a 500 or a driver's message ----------------


def _unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    for leak in LEAKS:
        assert leak not in response.text, response.text
    body = response.json()
    assert body["errors"] and {e["extensions"]["code"] for e in body["errors"]} == {"SERVICE_UNAVAILABLE"}, body


@pytest.mark.parametrize("compiled", [True, False])
async def test_a_database_outage_is_503_with_retry_after(secure_settings, profiles, tmp_path, world, admin, compiled):
    from kvalitet.db import Database

    nowhere = Database(f"postgresql+asyncpg://postgres@/kvalitet?host={tmp_path / 'no-server'}", pool_size=1)
    settings = secure_settings.model_copy(update={"compiled_queries": compiled})
    app = create_app(settings, profiles=profiles, database=nowhere)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as api:
            _unavailable(await _post(api, "{ municipalities { number } }"))
            _unavailable(await _post(api, "query ($n: String!) { municipality(number: $n) { name } }", {"n": "9901"}))
            _unavailable(await _post(api, "{ municipalities { number } }", headers=admin))
            _unavailable(await _post(api, "{ profiles { code } }", headers={"Authorization": "Bearer kv_abc_def"}))
            _unavailable(
                await _post(
                    api,
                    "mutation ($input: CreateMunicipalityInput!) { createMunicipality(input: $input) { errors { code } } }",
                    {"input": {"number": "1234", "name": "Ny", "profile": "testprofil"}},
                    admin,
                )
            )
            assert (await _post(api, "{ profiles { code } }")).status_code == 200  # needs no database
            ready = await api.get("/readyz")
            assert ready.status_code == 503 and ready.headers["retry-after"].isdigit()
    finally:
        await nowhere.dispose()


@pytest.mark.parametrize("compiled", [True, False])
async def test_text_that_is_not_text_in_query_arguments_is_bad_input(
    secure_settings, profiles, database, world, compiled
):
    settings = secure_settings.model_copy(update={"compiled_queries": compiled})
    app = create_app(settings, profiles=profiles, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test"
    ) as api:
        for value in ("\ud800", "99\u000001", "\udfff9901"):
            response = await _post(api, "query ($n: String!) { municipality(number: $n) { name } }", {"n": value})
            _refused(response, "BAD_USER_INPUT")
        literal = await _post(api, '{ municipality(number: "99\\u000001") { name } }')
        _refused(literal, "BAD_USER_INPUT")
        fine = await _post(api, "query ($n: String!) { municipality(number: $n) { name } }", {"n": "9901"})
        assert fine.json() == {"data": {"municipality": {"name": "Testkommune"}}} or "errors" not in fine.json()


@pytest.mark.parametrize("compiled", [True, False])
async def test_an_instant_beyond_the_years_the_database_takes_is_bad_input(
    secure_settings, profiles, database, world, admin, compiled
):
    settings = secure_settings.model_copy(update={"compiled_queries": compiled})
    app = create_app(settings, profiles=profiles, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test"
    ) as api:
        for field in ("units", "reports", "localPlans"):
            query = f'query ($u: DateTime) {{ municipality(number: "9901") {{ {field}(updatedSince: $u) {{ totalCount }} }} }}'
            for value in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
                body = _refused(await _post(api, query, {"u": value}, admin), "BAD_USER_INPUT")
                assert "updatedSince" in body["errors"][0]["message"]
            fine = await _post(api, query, {"u": "2020-01-01T00:00:00+01:00"}, admin)
            assert "errors" not in fine.json(), fine.text


@pytest.mark.parametrize(
    "body",
    [
        '{"query": "{ profiles { code } }", "variables": 1}',
        '{"query": "query a { profiles { code } }", "operationName": "b"}',
        '{"query": "{ profiles { code } }", "operationName": 7}',
        "[1, 2]",
        '"text"',
        "null",
    ],
)
async def test_a_request_that_is_no_graphql_request_is_a_json_400_with_a_code(api, body):
    response = await api.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST" and error["message"]
    assert "nested deeper" not in error["message"]
