"""Persisted queries as an Apollo or urql client uses them, over POST and GET: the hash alone
first (not found), then with the document (checked and kept), then the hash alone runs it, as
the caller; a wrong hash or a malformed extension refused; and the allow-list mode, where only
the operations of the manifest run, by hash or by text."""

from __future__ import annotations

import json

import httpx
import pytest

from kvalitet.app import create_app
from kvalitet.web.persisted import read_manifest, sha256

UNITS = '{ municipality(number: "5501") { name units(first: 2) { totalCount } } }'
CREATE_UNIT = """mutation ($input: CreateUnitInput!) { createUnit(input: $input) { unit { name } errors { code } } }"""


def _extension(document: str, **changes) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(document), **changes}}


async def _post(http: httpx.AsyncClient, body: dict, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await http.post("/graphql", json=body, headers=headers)


async def _get(http: httpx.AsyncClient, params: dict, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    encoded = {key: value if isinstance(value, str) else json.dumps(value) for key, value in params.items()}
    return await http.get("/graphql", params=encoded, headers=headers)


async def test_the_automatic_round_trip_over_post_and_get(demo, secure_client, token):
    admin = token("sector_admin", municipality="5501")
    # The hash alone: not known yet, in the shape clients look for.
    missing = await _post(secure_client, {"extensions": _extension(UNITS)}, admin)
    assert missing.status_code == 200
    assert missing.json()["errors"] == [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
    # With the document: checked, run and kept.
    first = await _post(secure_client, {"query": UNITS, "extensions": _extension(UNITS)}, admin)
    assert first.status_code == 200 and "errors" not in first.json()
    answer = first.json()["data"]
    assert answer["municipality"]["units"]["totalCount"] > 0
    # The hash alone now runs it, by POST and by GET (what CDNs cache).
    again = await _post(secure_client, {"extensions": _extension(UNITS)}, admin)
    assert again.json() == {"data": answer, **{k: v for k, v in again.json().items() if k == "extensions"}}
    fetched = await _get(secure_client, {"extensions": _extension(UNITS)}, admin)
    assert fetched.status_code == 200 and fetched.json()["data"] == answer


async def test_a_persisted_document_runs_as_its_caller(demo, secure_client, token):
    admin = token("sector_admin", municipality="5501")
    await _post(secure_client, {"query": UNITS, "extensions": _extension(UNITS)}, admin)
    # Another municipality's admin and an anonymous caller run the same hash with their own rights.
    for stranger in (token("sector_admin", municipality="3301"), None):
        answer = (await _post(secure_client, {"extensions": _extension(UNITS)}, stranger)).json()
        assert answer["data"]["municipality"]["units"] in (None, {"totalCount": 0})


async def test_a_mutation_by_hash(demo, secure_client, token):
    admin = token("sector_admin", municipality="5501")
    tromso = (await _post(secure_client, {"query": '{ municipality(number: "5501") { id } }'}, admin)).json()
    variables = {"input": {"municipalityId": tromso["data"]["municipality"]["id"], "name": "Ny", "kind": "SCHOOL"}}
    body = {"query": CREATE_UNIT, "variables": variables, "extensions": _extension(CREATE_UNIT)}
    assert (await _post(secure_client, body, admin)).json()["data"]["createUnit"]["errors"] == []
    by_hash = {
        "variables": {"input": {**variables["input"], "name": "Ny igjen"}},
        "extensions": _extension(CREATE_UNIT),
    }
    made = (await _post(secure_client, by_hash, admin)).json()["data"]["createUnit"]
    assert made == {"unit": {"name": "Ny igjen"}, "errors": []}
    # A mutation is not run by GET, persisted or not.
    refused = await _get(
        secure_client, {"extensions": _extension(CREATE_UNIT), "variables": by_hash["variables"]}, admin
    )
    assert refused.status_code in (400, 405) and "errors" in refused.json()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": UNITS, "extensions": _extension("{ __typename }")}, "PERSISTED_QUERY_HASH_MISMATCH"),
        ({"extensions": _extension(UNITS, version=2)}, "PERSISTED_QUERY_INVALID"),
        ({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}, "PERSISTED_QUERY_INVALID"),
        ({"extensions": {"persistedQuery": "yes"}}, "PERSISTED_QUERY_INVALID"),
    ],
)
async def test_a_wrong_hash_or_extension_is_a_clear_400(secure_client, body, code):
    answer = await _post(secure_client, body)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["extensions"]["code"] == code


@pytest.fixture
async def allow_listed(secure_settings, profiles, database, tmp_path):
    """The service in allow-list mode, with an Apollo manifest of one operation."""
    manifest = tmp_path / "persisted-query-manifest.json"
    operation = {"id": sha256(UNITS), "body": UNITS, "name": "Units", "type": "query"}
    manifest.write_text(
        json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": [operation]})
    )
    settings = secure_settings.model_copy(update={"persisted_queries": "only", "persisted_query_file": manifest})
    app = create_app(settings, profiles=profiles, database=database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


async def test_only_registered_operations_run_in_allow_list_mode(demo, allow_listed, token):
    admin = token("sector_admin", municipality="5501")
    by_hash = await _post(allow_listed, {"extensions": _extension(UNITS)}, admin)
    assert by_hash.status_code == 200 and by_hash.json()["data"]["municipality"]["units"]["totalCount"] > 0
    by_text = await _post(allow_listed, {"query": UNITS}, admin)
    assert by_text.json()["data"] == by_hash.json()["data"]
    by_get = await _get(allow_listed, {"extensions": _extension(UNITS)}, admin)
    assert by_get.json()["data"] == by_hash.json()["data"]
    for body in (
        {"query": "{ municipalities { number } }"},
        {"query": "{ municipalities { number } }", "extensions": _extension("{ municipalities { number } }")},
    ):
        refused = await _post(allow_listed, body, admin)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
    unknown = await _post(allow_listed, {"extensions": _extension("{ municipalities { number } }")}, admin)
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    refused_get = await _get(allow_listed, {"query": "{ municipalities { number } }"}, admin)
    assert refused_get.status_code == 400


def test_a_manifest_whose_hash_is_not_its_document_is_refused(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({sha256("{ a }"): "{ b }"}))
    with pytest.raises(ValueError, match="is not the SHA-256 of its document"):
        read_manifest(path)
    path.write_text(json.dumps({sha256("{ a }"): "{ a }"}))
    assert read_manifest(path) == {sha256("{ a }"): "{ a }"}


async def test_the_allow_list_holds_over_websockets(demo, secure_settings, profiles, token, tmp_path):
    """graphql-transport-ws: a registered subscription runs by its hash; anything else gets an
    `error` message and does not run."""
    from websockets.asyncio.client import connect

    from tests.support.serving import serving

    export = "subscription ($n: String!) { municipalityExport(number: $n, chunkSize: 50) { table rowsTotal } }"
    manifest = tmp_path / "allowed.json"
    manifest.write_text(json.dumps({sha256(export): export}))
    settings = secure_settings.model_copy(
        update={"persisted_queries": "only", "persisted_query_file": manifest, "webhook_worker": False}
    )
    init = {
        "type": "connection_init",
        "payload": {"Authorization": f"Bearer {token('sector_admin', municipality='5501')}"},
    }
    with serving(create_app(settings, profiles=profiles), lifespan="on") as port:
        async with connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps(init))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            unregistered = export.replace("table rowsTotal", "table")
            await ws.send(
                json.dumps(
                    {"id": "1", "type": "subscribe", "payload": {"query": unregistered, "variables": {"n": "5501"}}}
                )
            )
            refused = json.loads(await ws.recv())
            assert refused["type"] == "error" and refused["id"] == "1"
            assert refused["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
            payload = {"extensions": _extension(export), "variables": {"n": "5501"}}
            await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": payload}))
            first = json.loads(await ws.recv())
            assert (first["id"], first["type"]) == ("2", "next"), first
            assert first["payload"]["data"]["municipalityExport"]["table"] == "municipality"
