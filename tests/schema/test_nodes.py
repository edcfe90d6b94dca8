"""`nodes(ids:)`: a client's cache refetching what it holds in one request: each object in the
order asked, null for one not found or not the caller's to see, the rows of a type read together,
and a clear refusal of too many at once."""

from __future__ import annotations

import base64

UNITS = """query ($n: String!) { municipality(number: $n) { units(first: 3) { nodes { id name } } } }"""
NODES = """query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Unit { name } } }"""


async def test_nodes_come_in_the_order_asked_and_only_the_callers(demo, gql, gql_as, token, statements):
    tromso = (await gql(UNITS, {"n": "5501"}))["municipality"]["units"]["nodes"]
    drammen = (await gql(UNITS, {"n": "3301"}))["municipality"]["units"]["nodes"]
    assert len(tromso) >= 2 and drammen
    malformed = base64.b64encode(b"Unit:not-a-uuid").decode()
    ids = [tromso[1]["id"], drammen[0]["id"], "no such id", malformed, tromso[0]["id"]]
    admin = gql_as(token("sector_admin", municipality="5501"))
    statements.reset()
    found = (await admin(NODES, {"ids": ids}))["nodes"]
    assert found == [
        {"__typename": "Unit", "id": tromso[1]["id"], "name": tromso[1]["name"]},
        None,  # Drammen's: not Tromsø's admin's to see
        None,
        None,
        {"__typename": "Unit", "id": tromso[0]["id"], "name": tromso[0]["name"]},
    ]
    unit_reads = [sql for sql in statements.statements if "FROM unit" in sql]
    assert len(unit_reads) == 1, unit_reads
    assert (await admin(NODES, {"ids": []}))["nodes"] == []


async def test_too_many_ids_at_once_are_refused_in_the_callers_language(demo, gql_as, token):
    admin = gql_as(token("sector_admin", municipality="5501"))
    admin.headers["Accept-Language"] = "nn"
    body = await admin.raw(NODES, {"ids": ["x"] * 21})  # the page size here is 20
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["argument"] == "ids"
    assert error["message"] == "Be om høgst 20 ID-ar om gongen."
