"""Hostile requests against the real app (role-based access, local tokens, every limit on).

Each attack must get a clear refusal — an HTTP status, or a GraphQL error with a readable
message and an `extensions.code`, or a `UserError` — never a 500, never a hang, never a leak
of internals (SQL, stack traces, exception texts). Afterwards the service must still answer a
normal query, and where a mutation was attempted the `change_log` must not have grown.

The app is built as conftest builds `secure_client`, but with `raise_app_exceptions=False`,
so a crash shows up as the HTTP 500 a real client would get instead of an exception in the test.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
import uuid

import httpx
import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from kvalitet.app import create_app
from kvalitet.db import Database
from tests.support.cycle import Cycle

TIMEOUT = 10  # seconds any single hostile request may take
LEAKS = (
    "Traceback",
    'File "',
    "sqlalchemy",
    "asyncpg",
    "psycopg",
    "SELECT ",
    "site-packages",
    "RuntimeError",
    "ValueError",
    "AttributeError",
    "GlobalIDValueError",
)
NORMAL = "{ profiles { code } }"

UNIT = "query ($id: ID!) { node(id: $id) { ... on Unit { id name zone } } }"
CREATE_UNIT = """mutation ($input: CreateUnitInput!) { createUnit(input: $input) {
    unit { id name zone } errors { field code message } } }"""
UPDATE_UNIT = """mutation ($input: UpdateUnitInput!) { updateUnit(input: $input) {
    unit { id name } errors { field code message } } }"""


# -- Fixtures and helpers ----------------------------------------------------------------------


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test")


@pytest.fixture
async def api(secure_settings, profiles, database):
    """An HTTP client of the real app; a crash comes back as HTTP 500."""
    async with _client(create_app(secure_settings, profiles=profiles, database=database)) as http:
        yield http


@pytest.fixture
def admin(token) -> dict[str, str]:
    return {"Authorization": f"Bearer {token('sector_admin', municipality='9901')}"}


@pytest.fixture
async def world(gql) -> dict[str, str]:
    """Built with the permissive client: Testkommune (9901) with an adopted and a draft plan and
    a school; Oslo (0301) with a kindergarten of its own."""
    cycle = Cycle(gql)
    ids = {"M": (await cycle.municipality("9901", "Testkommune", "testprofil"))["id"]}
    ids["P"] = (await cycle.adopted_plan(ids["M"]))["id"]
    draft = await cycle.mutate("createPlan", {"municipalityId": ids["M"], "periodStart": 2030}, "plan { id }")
    ids["D"] = draft["plan"]["id"]
    school = await cycle.unit(ids["M"], "Skogly skole", "SCHOOL", "974760673")
    ids["S"], ids["S_version"] = school["id"], school["version"]
    ids["M2"] = (await cycle.municipality("0301", "Oslo", None))["id"]
    ids["U2"] = (await cycle.unit(ids["M2"], "Oslo barnehage", "KINDERGARTEN"))["id"]
    return ids


async def post(http: httpx.AsyncClient, body, headers: dict | None = None) -> httpx.Response:
    """POST a JSON body (encoded here, ASCII-escaped, so lone surrogates travel as a client sends
    them), bounded in time."""
    content = json.dumps(body)
    headers = {"content-type": "application/json", **(headers or {})}
    return await asyncio.wait_for(http.post("/graphql", content=content, headers=headers), timeout=TIMEOUT)


async def query(http, text: str, variables: dict | None = None, headers: dict | None = None) -> httpx.Response:
    return await post(http, {"query": text, "variables": variables or {}}, headers)


async def change_log_rows(database) -> int:
    async with database.engine.connect() as connection:
        return (await connection.exec_driver_sql("SELECT count(*) FROM change_log")).scalar_one()


async def assert_still_up(http: httpx.AsyncClient) -> None:
    response = await query(http, NORMAL)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body and "testprofil" in {p["code"] for p in body["data"]["profiles"]}, body
    assert (await http.get("/healthz")).status_code == 200


def leaks(text: str) -> list[str]:
    return [word for word in LEAKS if word in text]


def problems_with(error: dict, code: str | None = None, *, max_message: int = 500) -> list[str]:
    """What is wrong with a GraphQL error as a caller would read it (empty: nothing)."""
    found = []
    message = error.get("message")
    if not isinstance(message, str) or not message.strip():
        found.append(f"no message: {error!r:.200}")
        message = ""
    elif len(message) > max_message:
        found.append(f"the message is {len(message)} characters long: {message[:120]!r}…")
    got = (error.get("extensions") or {}).get("code")
    if got is None:
        found.append(f"no extensions.code on {message[:150]!r}")
    elif code is not None and got != code:
        found.append(f"extensions.code is {got!r}, expected {code!r} ({message[:150]!r})")
    if leaks(message):
        found.append(f"the message leaks {leaks(message)}: {message[:200]!r}")
    return found


def refused(response: httpx.Response, code: str | None = None) -> tuple[dict, list[str]]:
    """A request refused as a whole: HTTP 200, no data, errors. Returns the body and every problem
    with its first error."""
    assert response.status_code == 200, f"HTTP {response.status_code}: {response.text[:500]}"
    body = response.json()
    assert body.get("data") is None, f"the request ran: {response.text[:500]}"
    assert body.get("errors"), body
    return body, problems_with(body["errors"][0], code)


def assert_no_failures(failures: dict[str, object]) -> None:
    """Fail with one line per case that went wrong (pytest would truncate the dict); cases with
    no problems are left out."""
    failures = {case: problem for case, problem in failures.items() if problem}
    lines = [f"{case}: {str(problem)[:300]}" for case, problem in failures.items()]
    assert not failures, f"{len(failures)} case(s) handled badly:\n" + "\n".join(lines)


def global_id(type_name: str, node_id: object) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


def raw_uuid(gid: str) -> str:
    return base64.b64decode(gid).decode().split(":", 1)[1]


def isolated(make_app, send) -> asyncio.Future:
    """Run `send(client)` against an app of its own in a daemon thread with its own event loop.

    A request that burns CPU in validation never yields to the event loop, so `asyncio.wait_for`
    on the test's own loop could not stop it; waiting for this future can."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()

    def settle(result=None, error=None):
        if not future.done():
            future.set_exception(error) if error else future.set_result(result)

    async def run():
        app, database = make_app()
        try:
            async with _client(app) as http:
                return await send(http)
        finally:
            await database.dispose()

    def target():
        try:
            result = asyncio.run(run())
        except BaseException as error:  # handed to the test
            loop.call_soon_threadsafe(settle, None, error)
        else:
            loop.call_soon_threadsafe(settle, result)

    threading.Thread(target=target, daemon=True).start()
    return future


# -- Query shape: depth, aliases, tokens, fragments, cost --------------------------------------


async def test_nesting_beyond_the_depth_limit_is_refused_before_running(api, statements):
    # 15 levels (the limit is 12), cheap enough in objects that the cost limit does not refuse it first.
    deep = "parent { children { " + "parent { " * 10 + "id" + " }" * 10 + " } }"
    via_fields = '{ municipality(number: "9901") { plans { areas { %s } } } }' % deep
    # The same depth hidden in a chain of fragments, each one level deeper.
    chain = " ".join(f"fragment D{i} on Area {{ parent {{ ...D{i + 1} }} }}" for i in range(14))
    via_fragments = (
        '{ municipality(number: "9901") { plans { areas { ...D0 } } } } ' + chain + " fragment D14 on Area { id }"
    )
    failures = {}
    for shape, text in (("fields", via_fields), ("fragments", via_fragments)):
        statements.reset()
        body, problems = refused(await query(api, text))
        assert statements.count == 0, f"{shape}: the query ran"
        error = body["errors"][0]
        assert error["extensions"]["code"] == "QUERY_TOO_DEEP", error
        assert error["message"] == "Spørringen går dypere enn 12 nivåer."  # no language asked for: bokmål
        if problems:
            failures[shape] = problems
    await assert_still_up(api)
    assert_no_failures(failures)


async def test_alias_bombs_are_refused(api, admin, world, database):
    # 120 aliases of the most expensive field there is: the sector report's roll-up.
    aliases = " ".join(f'r{i}: sectorReport(year: 2025, period: "h1") {{ year }}' for i in range(120))
    before = await change_log_rows(database)
    response = await query(api, '{ municipality(number: "9901") { %s } }' % aliases, headers=admin)
    body, problems = refused(response)
    await assert_still_up(api)
    assert "alias" in body["errors"][0]["message"].lower() and "30" in body["errors"][0]["message"]
    assert await change_log_rows(database) == before
    assert_no_failures({"the error": problems})


async def test_the_token_limit_refuses_long_documents(api, statements):
    text = "{ " + "profiles { code } " * 700 + "}"  # 2,802 tokens
    response = await query(api, text)
    body, problems = refused(response)
    assert statements.count == 0
    await assert_still_up(api)
    assert body["errors"][0]["message"] == "Spørringen har flere enn 2000 token."  # no language asked for: bokmål
    assert len(response.content) < 2_000, "the error echoes the document"
    assert_no_failures({"the error": problems})


def _fragment_bomb(levels: int, on: str, leaf: str) -> str:
    """F0 spreads F1 twice, F1 spreads F2 twice …: 2**levels copies of the leaf."""
    spreads = [f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return " ".join([*spreads, f"fragment F{levels} on {on} {{ {leaf} }}"])


FRAGMENT_ATTACKS = {
    "exponential": "{ ...F0 } " + _fragment_bomb(40, "Query", "municipalities { name }"),
    "exponential, cheap leaf": "{ ...F0 } " + _fragment_bomb(40, "Query", "__typename"),
    "exponential, under node": '{ node(id: "x") { ...F0 } } ' + _fragment_bomb(40, "Municipality", "name"),
    "circular": "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
    "self-spreading": "{ ...A } fragment A on Query { profiles { code } ...A }",
    "circular, nested": '{ municipality(number: "9901") { plans { areas { ...A } } } } '
    "fragment A on Area { parent { ...B } } fragment B on Area { children { ...A } }",
}


async def test_fragment_bombs_are_refused_quickly(api, secure_settings, profiles, database_url):
    """Exponentially expanding and circular fragments: refused, each in well under a second."""

    def make_app():
        database = Database(database_url, pool_size=1)
        return create_app(secure_settings, profiles=profiles, database=database), database

    async def send(http):
        answers = {}
        for attack, text in FRAGMENT_ATTACKS.items():
            started = time.monotonic()
            response = await http.post("/graphql", json={"query": text})
            answers[attack] = (response.status_code, response.json(), time.monotonic() - started)
        return answers

    answers = await asyncio.wait_for(isolated(make_app, send), timeout=TIMEOUT)
    await assert_still_up(api)
    failures = {}
    for attack, (status, body, seconds) in answers.items():
        assert status == 200 and body.get("data") is None and body.get("errors"), (attack, body)
        assert seconds < 2, f"{attack}: took {seconds:.1f} s"
        if problems := problems_with(body["errors"][0]):
            failures[attack] = problems
    assert_no_failures(failures)


# Nested connections: 5 municipalities × 20 units × 20 local plans × 20 reports × 4 fields.
COSTLY = """units(first: 100) { edges { node { localPlans(first: 100) { edges { node {
    unit { reports(first: 100) { edges { node { id version createdAt updatedAt } } } } } } } } } }"""


async def test_a_normal_query_reports_its_cost(api):
    response = await query(api, NORMAL)
    assert response.json()["extensions"]["cost"] == {"requested": 6, "limit": 50_000}


async def test_a_query_over_the_cost_limit_is_refused_before_running(api, statements):
    response = await query(api, "{ municipalities { %s } }" % COSTLY)
    body, problems = refused(response, "QUERY_TOO_COSTLY")
    assert statements.count == 0, "the query ran"
    cost = body["extensions"]["cost"]
    assert cost["limit"] == 50_000 and cost["requested"] > 50_000
    assert body["errors"][0]["extensions"]["cost"] == cost["requested"]
    assert_no_failures({"the error": problems})
    await assert_still_up(api)


async def test_the_cost_limit_holds_behind_node_and_fragments(api, world, statements):
    """`node(id:)` returns the `Node` interface; what is asked of the concrete type must count."""
    inner = COSTLY.replace("100", "20")  # a legal page size: the query would run if not refused
    node = f'node(id: "{world["M"]}")'
    shapes = {
        "inline fragment": "{ a: %s { ... on Municipality { %s } } b: %s { ... on Municipality { %s } } }"
        % (node, inner, node, inner),
        "named fragment": "{ a: %s { ...M } b: %s { ...M } } fragment M on Municipality { %s }" % (node, node, inner),
    }
    failures = {}
    for shape, text in shapes.items():
        statements.reset()
        response = await query(api, text)
        body = response.json()
        if body.get("data") is not None or body["extensions"]["cost"]["requested"] <= 50_000:
            failures[shape] = (
                f"estimated {body['extensions']['cost']['requested']} for 2 × 20 × 20 × 20 × 4 objects; "
                f"the query ran ({statements.count} statements)"
            )
    await assert_still_up(api)
    assert_no_failures(failures)


# -- The HTTP envelope -------------------------------------------------------------------------


async def test_batched_operations_are_refused_and_not_run(api, admin, world, database):
    before = await change_log_rows(database)
    create = {
        "query": CREATE_UNIT,
        "variables": {"input": {"municipalityId": world["M"], "name": "Batch", "kind": "SCHOOL"}},
    }
    for batch in ([create, create], [create], [{"query": NORMAL}] * 50):
        response = await post(api, batch, admin)
        assert response.status_code == 400, response.text
        assert "batching is not enabled" in response.text.lower()
    assert await change_log_rows(database) == before
    await assert_still_up(api)


async def test_a_mutation_sent_with_get_is_not_run(api, admin, world, database):
    """A GET is what a link or an <img> makes a browser send: it must never change anything."""
    before = await change_log_rows(database)
    mutation = (
        'mutation B { createUnit(input: {municipalityId: "%s", name: "Via GET", kind: SCHOOL}) { unit { id } } }'
        % world["M"]
    )
    for params in ({"query": mutation}, {"query": "query A { __typename } " + mutation, "operationName": "B"}):
        response = await api.get("/graphql", params=params, headers=admin)
        assert response.status_code in (400, 405), response.text
        assert "GET" in response.text and "mutation" in response.text.lower()
    assert await change_log_rows(database) == before
    await assert_still_up(api)


NOT_GRAPHQL_REQUESTS = [  # content type, body, what the answer must say
    ("text/plain", json.dumps({"query": NORMAL}), "Unsupported content type"),
    ("application/x-www-form-urlencoded", "query=%7B+profiles+%7B+code+%7D+%7D", "Unsupported content type"),
    ("application/xml", "<query>profiles</query>", "Unsupported content type"),
    ("", json.dumps({"query": NORMAL}), "Unsupported content type"),
    ("application/json", '{"query": ', "JSON"),
    ("application/json", "\udcff\udcfe not utf-8", "JSON"),
    ("application/json", json.dumps({"query": 42}), "query"),
    ("application/json", json.dumps({"query": NORMAL, "variables": [1, 2]}), "variables"),
    ("application/json", json.dumps({}), "No GraphQL query"),
    # Valid JSON, but not an object:
    ("application/json", '"{ profiles { code } }"', ""),
    ("application/json", "42", ""),
    ("application/json", "null", ""),
    ("application/json", "true", ""),
]


async def test_bodies_that_are_not_a_graphql_request_get_400(api):
    failures = {}
    for content_type, content, message in NOT_GRAPHQL_REQUESTS:
        response = await asyncio.wait_for(
            api.post(
                "/graphql", content=content.encode("utf-8", "surrogateescape"), headers={"content-type": content_type}
            ),
            timeout=TIMEOUT,
        )
        if response.status_code != 400 or message not in response.text or leaks(response.text):
            failures[f"{content_type or 'no content type'}: {content[:40]}"] = (
                f"HTTP {response.status_code}: {response.text[:100]!r}, X-Request-ID {response.headers.get('x-request-id')}"
            )
    await assert_still_up(api)
    assert_no_failures(failures)


# -- Sizes -------------------------------------------------------------------------------------


async def test_huge_bodies_get_413(api, admin, world, database):
    before = await change_log_rows(database)
    name = "x" * 2_000_000
    body = {
        "query": CREATE_UNIT,
        "variables": {"input": {"municipalityId": world["M"], "name": name, "kind": "SCHOOL"}},
    }
    declared = await post(api, body, admin)

    async def chunks():  # the same without a Content-Length: the limit counts what is read
        for _ in range(20):
            yield b"x" * 100_000

    streamed = await asyncio.wait_for(
        api.post("/graphql", content=chunks(), headers={"content-type": "application/json", **admin}), timeout=TIMEOUT
    )
    for response in (declared, streamed):
        assert response.status_code == 413, response.text[:200]
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert await change_log_rows(database) == before
    await assert_still_up(api)


async def test_a_long_name_within_the_body_limit_is_too_long(api, admin, world, database):
    before = await change_log_rows(database)
    input_ = {"municipalityId": world["M"], "name": "ø" * 30_000, "kind": "SCHOOL"}
    payload = (await query(api, CREATE_UNIT, {"input": input_}, admin)).json()["data"]["createUnit"]
    assert payload["unit"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("name", "TOO_LONG")]
    assert await change_log_rows(database) == before
    await assert_still_up(api)


async def test_huge_lists_are_handled(api, admin, world, database):
    """10,000 items in a list input: duplicates are taken once; invalid ones are refused without
    an answer that grows with the list."""
    key = "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { scopes } errors { field code message } } }"
    area = "mutation ($input: AddAreaInput!) { addArea(input: $input) { area { appliesTo } errors { field code message } } }"

    # Repeated valid items are taken once.
    made = await query(
        api, key, {"input": {"municipalityId": world["M"], "name": "Mange", "scopes": ["read"] * 10_000}}, admin
    )
    assert made.json()["data"]["createApiKey"]["apiKey"]["scopes"] == ["read"]
    added = await query(
        api,
        area,
        {"input": {"planId": world["D"], "kind": "theme", "title": "Mange", "appliesTo": ["SCHOOL"] * 10_000}},
        admin,
    )
    assert added.json()["data"]["addArea"]["area"]["appliesTo"] == ["SCHOOL"]

    # Invalid items are refused with an answer of reasonable size, and nothing is written.
    before = await change_log_rows(database)
    scopes = [f"scope-{i}" for i in range(10_000)]
    bad_key = await query(api, key, {"input": {"municipalityId": world["M"], "name": "X", "scopes": scopes}}, admin)
    bad_area = await query(
        api,
        area,
        {"input": {"planId": world["D"], "kind": "theme", "title": "X", "appliesTo": ["NOPE"] * 10_000}},
        admin,
    )
    assert await change_log_rows(database) == before
    await assert_still_up(api)

    [error] = bad_key.json()["data"]["createApiKey"]["errors"]
    assert (error["field"], error["code"]) == ("scopes", "INVALID_VALUE")
    assert bad_area.json()["data"] is None and "UnitKind" in bad_area.json()["errors"][0]["message"]
    assert len(bad_area.content) < 20_000, f"{len(bad_area.json()['errors'])} errors, {len(bad_area.content)} bytes"
    assert len(error["message"]) < 1_000, f"the message echoes the whole list: {len(error['message'])} characters"


YEAR = 2_147_483_647


async def test_absurd_years_are_user_errors(api, admin, world, database):
    """A year Python's dates cannot hold must be the caller's error, not a crash."""
    before = await change_log_rows(database)
    read = await query(
        api, '{ municipality(number: "9901") { sectorReport(year: %d, period: "h1") { year } } }' % YEAR, headers=admin
    )
    publish = await query(
        api,
        "mutation ($input: PublishSectorReportInput!) { publishSectorReport(input: $input) { errors { field code message } } }",
        {"input": {"municipalityId": world["M"], "year": YEAR, "period": "h1"}},
        admin,
    )
    assert await change_log_rows(database) == before
    await assert_still_up(api)
    published = publish.json()
    assert_no_failures(
        {
            "sectorReport": problems_with(read.json()["errors"][0], "BAD_USER_INPUT"),
            "publishSectorReport": []
            if "errors" not in published
            and [e["code"] for e in published["data"]["publishSectorReport"]["errors"]] == ["INVALID_VALUE"]
            else publish.text[:300],
        }
    )


# -- Global ids --------------------------------------------------------------------------------


def _forged_ids(world) -> dict[str, str]:
    school = raw_uuid(world["S"])
    return {
        "not base64": "!!!",
        "empty": "",
        "base64 of garbage": base64.b64encode(b"hello").decode(),
        "base64 of binary": base64.b64encode(bytes(range(256))).decode(),
        "right type, not a UUID": global_id("Unit", "42; DROP TABLE unit"),
        "wrong type name": global_id("Plan", school),
        "unknown type name": global_id("Nope", school),
        "internal type name": global_id("UserError", school),
        "very long": "A" * 100_000,
        "unknown UUID": global_id("Unit", uuid.uuid4()),
        "another municipality's unit": world["U2"],
    }


async def test_forged_ids_in_node_give_null(api, admin, world):
    """Whatever the id, `node` is null; an error besides is fine if it is readable and has a code."""
    failures = {}
    for forgery, forged in _forged_ids(world).items():
        response = await query(api, UNIT, {"id": forged}, admin)
        assert response.status_code == 200, response.text[:300]
        body = response.json()
        assert body["data"] == {"node": None}, (forgery, body)
        assert not leaks(response.text), forgery
        problems = []
        for error in body.get("errors", []):  # an error is allowed, but a readable one with a code
            problems += problems_with(error, max_message=300)
            if (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR":
                problems.append(f"masked as an internal error: {error['message']}")
        if problems:
            failures[forgery] = problems
    await assert_still_up(api)
    assert_no_failures(failures)


async def test_forged_ids_in_mutation_inputs_are_not_found(api, admin, world, database):
    local_plan = "mutation ($input: CreateLocalPlanInput!) { createLocalPlan(input: $input) { localPlan { id } errors { field code } } }"
    before = await change_log_rows(database)
    failures = {}
    for forgery, forged in _forged_ids(world).items():
        attempts = {
            ("updateUnit", "id"): await query(
                api, UPDATE_UNIT, {"input": {"id": forged, "version": 1, "name": "Kapret"}}, admin
            ),
            ("createUnit", "municipalityId"): await query(
                api, CREATE_UNIT, {"input": {"municipalityId": forged, "name": "Kapret", "kind": "SCHOOL"}}, admin
            ),
            ("createLocalPlan", "unitId"): await query(
                api, local_plan, {"input": {"unitId": forged, "planId": world["P"]}}, admin
            ),
        }
        for (name, field), response in attempts.items():
            body = response.json()
            errors = (body.get("data") or {}).get(name, {}).get("errors") if "errors" not in body else body["errors"]
            if [(e.get("field"), e.get("code")) for e in errors or []] != [(field, "NOT_FOUND")]:
                failures[f"{name} with {forgery}"] = errors
    assert await change_log_rows(database) == before
    await assert_still_up(api)
    assert_no_failures(failures)


async def test_another_municipalitys_id_reads_like_an_unknown_one(api, admin, world):
    """NOT_FOUND for a foreign object must not differ from NOT_FOUND for no object at all."""
    answers = []
    for forged in (world["U2"], global_id("Unit", uuid.uuid4())):
        response = await query(api, UPDATE_UNIT, {"input": {"id": forged, "version": 1, "name": "Kapret"}}, admin)
        answers.append(response.json()["data"]["updateUnit"]["errors"])
    assert answers[0] == answers[1]


# -- Text --------------------------------------------------------------------------------------

TEXTS = {
    "Norwegian": "Ærfuglen på Øya – «Åsen» barnehage",
    "emoji": "Skole 🏫 med 👩‍👩‍👧‍👦 og 🇳🇴",
    "right to left": "مدرسة الشمال עברית",
    "bidi override": "Skole \u202eeloks\u202c",
    "zero-width": "Sko\u200dle\u200c\u200bnavn\ufeff",
    "SQL": "'; DROP TABLE unit; --",
    "SQL quoting": "Robert'); DELETE FROM change_log WHERE ''=''; --",
    "LIKE wildcards": "100% _ og %_%",
    "backslashes": "C:\\skole\\\\navn\\' \\x00 \\n",
    "placeholders": "$1 %s %(name)s :name {0} ?",
    "quotes": "\"dobbel\" 'enkel' `bak`",
    "tab and newline inside": "Linje\tén\nLinje to",
    "HTML": "<script>alert('x')</script>&amp;",
}


async def test_valid_text_is_stored_and_read_back_exactly(api, admin, world, database):
    """Unicode and SQL meta-characters are data: stored and read back exactly, executing nothing."""
    for label, value in TEXTS.items():
        made = await query(
            api,
            CREATE_UNIT,
            {"input": {"municipalityId": world["M"], "name": value, "zone": value, "kind": "SCHOOL"}},
            admin,
        )
        payload = made.json()["data"]["createUnit"]
        assert payload["errors"] == [], (label, payload["errors"])
        read = (await query(api, UNIT, {"id": payload["unit"]["id"]}, admin)).json()["data"]["node"]
        assert (read["name"], read["zone"]) == (value, value), label
    # Meta-characters are data, not patterns: they match nothing they should not.
    for number in ("%", "_", "99%", "' OR '1'='1", "9901' --"):
        assert (await query(api, "query ($n: String!) { municipality(number: $n) { id } }", {"n": number})).json() == {
            "data": {"municipality": None},
            "extensions": {"cost": {"requested": 2, "limit": 50_000}},
        }
    async with database.engine.connect() as connection:
        assert (await connection.exec_driver_sql("SELECT count(*) FROM unit")).scalar_one() == 2 + len(TEXTS)
    await assert_still_up(api)


CONTROLS = {
    "NUL": "Skole\x00navn",
    "bell": "Skole\x07",
    "escape sequence": "\x1b[31mRød skole",
    "backspace": "Skole\x08\x08",
    "carriage return": "Skole\rnavn",
    "DEL": "Skole\x7f",
    "C1 control": "Skole\x85navn",
    "lone surrogate": "Skole \ud800",
}


async def test_control_characters_are_refused(api, admin, world, database):
    before = await change_log_rows(database)
    failures = {}
    for label, value in CONTROLS.items():
        attempts = {
            "createUnit": await query(
                api, CREATE_UNIT, {"input": {"municipalityId": world["M"], "name": value, "kind": "SCHOOL"}}, admin
            ),
            "updateUnit": await query(
                api, UPDATE_UNIT, {"input": {"id": world["S"], "version": world["S_version"], "name": value}}, admin
            ),
        }
        for name, response in attempts.items():
            body = response.json()
            errors = body["errors"] if "errors" in body else body["data"][name]["errors"]
            if [(e.get("field"), e.get("code")) for e in errors] != [("name", "INVALID_VALUE")]:
                failures[f"{name} with {label}"] = errors
    assert await change_log_rows(database) == before
    await assert_still_up(api)
    assert_no_failures(failures)


# -- Closing introspection, GraphiQL and the legacy websocket protocol -------------------------


async def test_introspection_and_graphiql_can_be_closed(secure_settings, profiles, database):
    closed = secure_settings.model_copy(update={"introspection": False, "graphiql": False})
    failures = {}
    async with _client(create_app(closed, profiles=profiles, database=database)) as http:
        for text in (
            "{ __schema { types { name } } }",
            '{ __type(name: "Unit") { fields { name } } }',
            "{ profiles { code } a: __schema { queryType { name } } }",
        ):
            body, problems = refused(await query(http, text))
            assert "introspection" in body["errors"][0]["message"].lower()
            assert "queryType" not in json.dumps(body.get("data")) and '"fields"' not in json.dumps(body)
            if problems:
                failures[text] = problems
        page = await http.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code in (400, 404) and "<html" not in page.text.lower(), page.text[:200]
        await assert_still_up(http)
        assert (await query(http, "{ __typename }")).json()["data"] == {"__typename": "Query"}
    assert_no_failures(failures)


def test_the_legacy_graphql_ws_protocol_is_refused(secure_settings, profiles, database):
    client = TestClient(create_app(secure_settings, profiles=profiles, database=database))
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        assert ws.accepted_subprotocol == "graphql-transport-ws"  # the current one is served
    try:
        with client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws:
            assert ws.accepted_subprotocol != "graphql-ws"
            ws.send_json({"type": "connection_init", "payload": {}})
            message = ws.receive()
            assert message["type"] == "websocket.close" and message["code"] == 4406, message
    except WebSocketDisconnect as closed:  # refused during the handshake: as good
        assert closed.code != 1000


# -- Unexpected errors -------------------------------------------------------------------------


async def test_an_unexpected_error_is_masked_with_a_request_id(api, admin, world, database, monkeypatch):
    from kvalitet.schema.profile import Profile
    from kvalitet.services import units

    async def explode(*args, **kwargs):
        raise RuntimeError("secret detail: password=hunter2 at /srv/kvalitet")

    def explode_now(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(units, "create_unit", explode)  # a write
    monkeypatch.setattr(Profile, "of", staticmethod(explode_now))  # a read
    before = await change_log_rows(database)
    write = await query(
        api, CREATE_UNIT, {"input": {"municipalityId": world["M"], "name": "X", "kind": "SCHOOL"}}, admin
    )
    read = await query(api, NORMAL)
    traced = await post(api, {"query": NORMAL}, {"X-Request-ID": "trace-42"})
    hostile = await post(api, {"query": NORMAL}, {"X-Request-ID": "<script>" + "x" * 100})
    assert await change_log_rows(database) == before

    for response in (write, read, traced, hostile):
        assert response.status_code == 200
        [error] = response.json()["errors"]
        rid = response.headers["x-request-id"]
        assert "request id" in error["message"] and rid in error["message"]
        assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": rid}
        assert "secret" not in response.text and not leaks(response.text)
    assert traced.headers["x-request-id"] == "trace-42"
    assert "<script>" not in hostile.text and "<script>" not in hostile.headers["x-request-id"]

    monkeypatch.undo()
    await assert_still_up(api)


async def test_a_client_that_goes_away_mid_body_gets_nothing_and_logs_no_error(
    secure_settings, profiles, database, caplog
):
    from kvalitet.app import create_app

    app = create_app(secure_settings, profiles=profiles, database=database)
    messages = iter(
        [
            {"type": "http.request", "body": b'{"query": "{ profi', "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "scheme": "http",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "http_version": "1.1",
        "asgi": {"version": "3.0"},
    }
    await app(scope, receive, send)
    assert sent == []
    assert "unexpected_error" not in caplog.text
