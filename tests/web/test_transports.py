"""The streamed export over the real transports: the app under uvicorn on a loopback port (in a
thread, with its own database pool), spoken to by real clients: httpx for multipart HTTP
subscriptions and `websockets` speaking graphql-transport-ws by hand.

The owner (a sector admin of 9901) gets the whole export over both; an outsider (a sector admin
of 5501) and an anonymous caller get an error and no row over both. A browser names itself in
`connection_init` (it cannot set headers on a websocket); credentials there that are not valid,
or that disagree with the header, close the socket, and no input makes the server fail."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from kvalitet import bulk
from kvalitet.app import create_app
from kvalitet.models import Municipality
from tests.support.serving import serving

OWNED, OTHER = "9901", "5501"
EXPORT = "subscription Export($n: String!) { municipalityExport(number: $n, chunkSize: 7) { table rows rowsSent rowsTotal } }"
MULTIPART = 'multipart/mixed;subscriptionSpec="1.0",application/json'
REFUSED = {4400, 4401, 4403}  # the codes of a clean refusal; 1011 would be the server failing


# -- The server ----------------------------------------------------------------------------------


@pytest.fixture
def server(secure_settings, profiles):
    """'127.0.0.1:port' of the app (role-based access, local tokens) under a real uvicorn."""
    settings = secure_settings.model_copy(update={"webhook_worker": False})
    app = create_app(settings, profiles=profiles)  # its own database pool, in the server's loop
    failures = _Failures()  # what the server logs when the app raises: no input may cause it
    for name in ("uvicorn.error", "strawberry.ws.task"):
        logging.getLogger(name).addHandler(failures)
    try:
        with serving(app, lifespan="on") as port:
            yield f"127.0.0.1:{port}"
    finally:
        for name in ("uvicorn.error", "strawberry.ws.task"):
            logging.getLogger(name).removeHandler(failures)
    assert not failures.records, [record.getMessage() for record in failures.records]


class _Failures(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
async def expected(database, demo) -> list[tuple[str, list]]:
    """(table, rows) of each chunk of 9901's export, as `kvalitet.bulk` makes them, as JSON."""
    async with database.session() as session:
        ids = dict((await session.execute(select(Municipality.number, Municipality.id))).all())
        assert OWNED in ids and OTHER in ids, "the demo has both municipalities"
        chunks = [(c.table, c.rows) async for c in bulk.stream_export(session, ids[OWNED], chunk_size=7)]
    assert sum(len(rows) for _, rows in chunks) > 7, "enough rows for several chunks"
    return json.loads(json.dumps(chunks, default=str))


def assert_whole_export(payloads: list[dict], expected) -> None:
    assert all("errors" not in p for p in payloads), payloads[:1]
    chunks = [p["data"]["municipalityExport"] for p in payloads]
    assert [[c["table"], c["rows"]] for c in chunks] == [list(e) for e in expected]
    total = sum(len(rows) for _, rows in expected)
    assert chunks[-1]["rowsSent"] == chunks[-1]["rowsTotal"] == total


def assert_refused_without_rows(payloads: list[dict]) -> None:
    assert payloads, "an answer"
    assert payloads[0]["errors"] and payloads[0].get("data") is None, payloads[0]
    assert not any((p.get("data") or {}).get("municipalityExport") for p in payloads)
    assert all(e.get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR" for p in payloads for e in p["errors"])


# -- Multipart HTTP ------------------------------------------------------------------------------


def parse_multipart(body: bytes, boundary: bytes = b"graphql") -> list[dict]:
    """The JSON parts of a multipart/mixed subscription body, read as Apollo Client reads it:
    split at each CRLF--boundary, every piece with headers is a part (strawberry sends its
    first heartbeat before the first boundary), and the close delimiter ends the body."""
    pieces = body.split(b"\r\n--" + boundary)
    assert pieces[-1] == b"--\r\n", body[-60:]  # the close delimiter: the stream ended
    parts = []
    for piece in pieces[:-1]:
        if not piece.strip():
            continue
        head, separator, content = piece.partition(b"\r\n\r\n")
        assert separator, piece[:80]
        headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n") if line)
        assert headers[b"Content-Type"].startswith(b"application/json"), headers
        assert len(content) == int(headers[b"Content-Length"]), headers
        parts.append(json.loads(content))
    return parts


async def multipart(
    server: str,
    bearer: str | None,
    *,
    method: str = "POST",
    query: str = EXPORT,
    variables: dict | None = None,
    headers: dict | None = None,
) -> httpx.Response:
    variables = {"n": OWNED} if variables is None else variables
    headers = {"Accept": MULTIPART, **({"Authorization": f"Bearer {bearer}"} if bearer else {}), **(headers or {})}
    async with httpx.AsyncClient(base_url=f"http://{server}", timeout=30) as http:
        if method == "POST":
            return await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        return await http.get("/graphql", params={"query": query, "variables": json.dumps(variables)}, headers=headers)


def payloads_of(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("multipart/mixed"), response.headers
    parts = parse_multipart(response.content)
    assert all(part == {} or set(part) == {"payload"} for part in parts), parts  # {} is a heartbeat
    return [part["payload"] for part in parts if part]


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_the_owner_gets_the_whole_export_over_multipart_http(server, token, expected, method):
    response = await multipart(server, token("sector_admin", municipality=OWNED), method=method)
    assert_whole_export(payloads_of(response), expected)


@pytest.mark.parametrize("who", ["outsider", "anonymous", "unit leader"])
async def test_others_get_no_row_over_multipart_http(server, token, expected, who):
    bearer = {
        "outsider": lambda: token("sector_admin", municipality=OTHER),
        "anonymous": lambda: None,
        "unit leader": lambda: token("unit_leader", municipality=OWNED),
    }[who]()
    assert_refused_without_rows(payloads_of(await multipart(server, bearer)))


async def test_multipart_http_refuses_credentials_that_are_not_valid(server, token, expected):
    for bearer in ("not-a-token", token("sector_admin", municipality=OWNED, hours=-1), "kv_abc_def"):
        response = await multipart(server, bearer)
        assert response.status_code == 401, response.text
        assert b"rows" not in response.content


BAD_BODIES = [
    {"query": "{ __typename }"},  # not a subscription
    {"query": "mutation { __typename }"},
    {},
    {"query": None},
    {"query": 5},
    {"query": EXPORT, "variables": {"n": OWNED}, "operationName": "Other"},
    {"query": EXPORT, "variables": {"n": OWNED}, "operationName": 5},
    {"query": EXPORT, "variables": [OWNED]},
    [{"query": EXPORT, "variables": {"n": OWNED}}],
    {"query": "subscription {"},
    {"query": EXPORT, "variables": {"n": "99\x0001"}},
    {"query": EXPORT, "variables": {"n": "9" * 100_000}},
    {"query": EXPORT, "variables": {"n": 9901}},
    {"query": EXPORT, "variables": {"n": OWNED}, "extensions": "x"},
    {"query": EXPORT.replace("chunkSize: 7", "chunkSize: 0"), "variables": {"n": OWNED}},
]


async def test_no_multipart_request_makes_the_server_fail(server, token, expected):
    headers = {"Accept": MULTIPART, "Authorization": f"Bearer {token('sector_admin', municipality=OWNED)}"}
    async with httpx.AsyncClient(base_url=f"http://{server}", timeout=30) as http:
        for body in BAD_BODIES:
            response = await http.post("/graphql", json=body, headers=headers)
            assert response.status_code in (200, 400), (body, response.text)
            if response.status_code == 200:
                assert_refused_without_rows(payloads_of(response))


# -- Websockets (graphql-transport-ws) -----------------------------------------------------------


@dataclass
class Session:
    acked: bool = False
    close_code: int | None = None
    close_reason: str = ""
    handshake_status: int | None = None  # when the upgrade itself was refused
    messages: list[dict] = field(default_factory=list)

    @property
    def payloads(self) -> list[dict]:
        return [m["payload"] for m in self.messages if m["type"] == "next"]

    @property
    def rows(self) -> int:
        return sum(len((p.get("data") or {}).get("municipalityExport", {}).get("rows", ())) for p in self.payloads)


async def ws_session(
    server: str,
    *,
    header: str | None = None,
    init: object = None,
    after_ack: list | None = None,
    variables: dict | None = None,
) -> Session:
    """Connect, send `connection_init` (with `init` as its payload unless None), and once
    acknowledged subscribe to the export (or send `after_ack`'s messages) until it completes
    or the server closes the socket."""
    session = Session()
    headers = {"Authorization": header} if header else {}
    try:
        async with asyncio.timeout(60):
            async with connect(
                f"ws://{server}/graphql",
                subprotocols=["graphql-transport-ws"],
                additional_headers=headers,
                open_timeout=15,
            ) as ws:
                assert ws.subprotocol == "graphql-transport-ws"
                try:
                    init_message = (
                        {"type": "connection_init"} if init is None else {"type": "connection_init", "payload": init}
                    )
                    await ws.send(json.dumps(init_message))
                    ack = json.loads(await ws.recv())
                    assert ack["type"] == "connection_ack", ack
                    session.acked = True
                    messages = after_ack or [
                        {
                            "id": "1",
                            "type": "subscribe",
                            "payload": {"query": EXPORT, "variables": {"n": OWNED} if variables is None else variables},
                        }
                    ]
                    for message in messages:
                        await ws.send(message if isinstance(message, str) else json.dumps(message))
                    while True:
                        message = json.loads(await ws.recv())
                        session.messages.append(message)
                        if message["type"] in ("complete", "error"):
                            break
                except ConnectionClosed as closed:
                    session.close_code = closed.rcvd.code if closed.rcvd else None
                    session.close_reason = closed.rcvd.reason if closed.rcvd else ""
    except InvalidStatus as refused:
        session.handshake_status = refused.response.status_code
    return session


def bearer(value: str) -> str:
    return f"Bearer {value}"


async def test_the_owner_gets_the_whole_export_over_a_websocket_by_header(server, token, expected):
    session = await ws_session(server, header=bearer(token("sector_admin", municipality=OWNED)))
    assert session.acked and session.close_code is None, session
    assert session.messages[-1] == {"id": "1", "type": "complete"}
    assert_whole_export(session.payloads, expected)


@pytest.mark.parametrize("key", ["Authorization", "authorization", "token"])
async def test_a_token_in_connection_init_names_the_caller(server, token, expected, key):
    owner = token("sector_admin", municipality=OWNED)
    session = await ws_session(server, init={key: owner if key == "token" else bearer(owner), "other": "kept"})
    assert session.acked and session.close_code is None, session
    assert_whole_export(session.payloads, expected)


async def test_the_same_token_in_header_and_connection_init_is_accepted(server, token, expected):
    owner = token("sector_admin", municipality=OWNED)
    session = await ws_session(server, header=bearer(owner), init={"token": owner, "Authorization": bearer(owner)})
    assert session.acked, session
    assert_whole_export(session.payloads, expected)


@pytest.mark.parametrize("how", ["header", "connection_init"])
@pytest.mark.parametrize("who", ["outsider", "unit leader"])
async def test_others_get_no_row_over_a_websocket(server, token, expected, how, who):
    other = token("sector_admin", municipality=OTHER) if who == "outsider" else token("unit_leader", municipality=OWNED)
    session = await ws_session(server, **({"header": bearer(other)} if how == "header" else {"init": {"token": other}}))
    assert session.acked, session  # a valid caller: refused by the access rules, not the transport
    assert session.rows == 0
    assert_refused_without_rows(session.payloads)


@pytest.mark.parametrize("init", [None, {}, {"token": None}, {"Authorization": ""}])
async def test_an_anonymous_websocket_gets_no_row(server, expected, init):
    session = await ws_session(server, init=init)
    assert session.acked, session
    assert session.rows == 0
    assert_refused_without_rows(session.payloads)
    assert "export" in session.payloads[0]["errors"][0]["message"]


async def test_a_token_in_connection_init_that_is_not_valid_is_refused(server, token, expected, tmp_path):
    import datetime as dt

    from kvalitet.auth.local_tokens import create_token

    forged = create_token(
        tmp_path / "other-key",
        subject="mallory",
        roles=[{"role": "sector_admin", "municipality": OWNED}],
        ttl=dt.timedelta(hours=1),
    )
    expired = token("sector_admin", municipality=OWNED, hours=-1)
    for init in (
        {"token": "not-a-token"},
        {"token": forged},
        {"token": expired},
        {"Authorization": bearer(expired)},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": token("sector_admin", municipality=OWNED)},  # no scheme
        {"token": "kv_unknownprefix_secret"},
    ):
        session = await ws_session(server, init=init)
        assert not session.acked and session.close_code == 4401, (init, session)
        assert session.rows == 0


async def test_credentials_that_disagree_are_refused(server, token, expected):
    owner, other = token("sector_admin", municipality=OWNED), token("sector_admin", municipality=OTHER)
    for header, init in (
        (bearer(other), {"token": owner}),  # the header is an outsider's, the payload the owner's
        (bearer(owner), {"Authorization": bearer(other)}),
        (bearer(owner), {"token": "not-a-token"}),
        (None, {"token": owner, "Authorization": bearer(other)}),
        (None, {"Authorization": bearer(owner), "authorization": bearer(other)}),
    ):
        session = await ws_session(server, header=header, init=init)
        assert not session.acked and session.close_code == 4403, (header, init, session)
        assert session.rows == 0


async def test_a_header_that_is_not_valid_refuses_the_upgrade(server, token, expected):
    session = await ws_session(server, header=bearer(token("sector_admin", municipality=OWNED, hours=-1)))
    assert session.handshake_status == 403 and not session.acked, session


BAD_INITS = [
    5,
    "token",
    ["Bearer x"],
    True,  # a payload that is not an object
    {"token": 5},
    {"token": ["x"]},
    {"token": {"token": "x"}},
    {"Authorization": {"Bearer": "x"}},
    {"Authorization": 1.5},
    {"token": True},
    {"token": "a\x00b"},
    {"Authorization": "Bearer \x00"},
    {"token": "kv_\x00_\x00"},
    {"token": "kv_abc\x00_secret"},
    {"token": "x" * 100_000},
    {"token": "é" * 10},
    {"token": "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."},  # unsigned
]


async def test_a_connection_init_of_any_shape_is_refused_cleanly(server, expected):
    for init in BAD_INITS:
        session = await ws_session(server, init=init)
        assert not session.acked and session.close_code in REFUSED, (init, session)
        assert session.rows == 0


BAD_MESSAGES = [
    "[1]",
    "5",
    '"x"',
    "null",
    '{"type": 5}',
    '{"type": ["subscribe"]}',
    {"type": "subscribe", "id": ["1"], "payload": {"query": EXPORT}},
    {"type": "subscribe", "id": 1, "payload": {"query": EXPORT}},
    {"type": "subscribe", "id": "1", "payload": "query"},
    {"type": "subscribe", "id": "1", "payload": {"query": 5}},
    {"type": "subscribe", "id": "1", "payload": {"query": None}},
    {"type": "subscribe", "id": "1", "payload": {"query": EXPORT, "variables": [1]}},
    {"type": "subscribe", "id": "1", "payload": {"query": EXPORT, "variables": {"n": OWNED}, "operationName": 5}},
    {"type": "subscribe", "id": "1", "payload": {"query": EXPORT, "variables": {"n": OWNED}, "operationName": "Other"}},
    {"type": "subscribe", "id": "1", "payload": {"query": EXPORT, "variables": {"n": OWNED}, "extensions": 5}},
    {"type": "complete", "id": {"a": 1}},
]


async def test_a_message_of_any_shape_is_refused_cleanly(server, token, expected):
    owner = token("sector_admin", municipality=OWNED)
    for message in BAD_MESSAGES:
        session = await ws_session(server, init={"token": owner}, after_ack=[message])
        assert session.acked
        assert session.close_code == 4400, (message, session)
        assert session.rows == 0


async def test_an_odd_number_is_no_municipality(server, token, expected):
    owner = token("sector_admin", municipality=OWNED)
    for number in ("99\x0001", "9" * 10_000, "", "0000", "\u0669\u0669\u0660\u0661"):  # the last: Arabic-Indic digits
        session = await ws_session(server, init={"token": owner}, variables={"n": number})
        assert session.acked and session.close_code is None, (number, session)
        assert_refused_without_rows(session.payloads)
        assert session.payloads[0]["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_server_still_answers_after_every_refusal(server, token, expected):
    # Refusals of every kind in a row, then the owner is still served over both transports.
    for init in (5, {"token": "a\x00b"}, {"token": "x"}, {"token": {"a": 1}}):
        await ws_session(server, init=init)
    async with httpx.AsyncClient(base_url=f"http://{server}", timeout=30) as http:
        assert (await http.get("/healthz")).status_code == 200
    owner = token("sector_admin", municipality=OWNED)
    assert_whole_export((await ws_session(server, init={"token": owner})).payloads, expected)
    assert_whole_export(payloads_of(await multipart(server, owner)), expected)


async def test_an_api_key_in_connection_init_names_its_integrator(server, token, expected):
    """An integrator's key with the `read` scope may stream its municipality's export; it is
    sent as `token` (bare), like a token."""
    admin = {"Authorization": bearer(token("sector_admin", municipality=OWNED))}
    async with httpx.AsyncClient(base_url=f"http://{server}", timeout=30) as http:
        found = await http.post(
            "/graphql", headers=admin, json={"query": '{ municipality(number: "%s") { id } }' % OWNED}
        )
        municipality_id = found.json()["data"]["municipality"]["id"]
        created = await http.post(
            "/graphql",
            headers=admin,
            json={
                "query": "mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { key errors { code } } }",
                "variables": {
                    # An export holds the sector reports: a key exports with both scopes.
                    "i": {"municipalityId": municipality_id, "name": "Arkiv", "scopes": ["read", "sector_reports:read"]}
                },
            },
        )
    key = created.json()["data"]["createApiKey"]["key"]
    assert key, created.text
    session = await ws_session(server, init={"token": key})
    assert session.acked, session
    assert_whole_export(session.payloads, expected)
    assert_whole_export(payloads_of(await multipart(server, key)), expected)
