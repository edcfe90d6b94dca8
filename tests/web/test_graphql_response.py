"""GraphQL over HTTP's media type, as a client of the spec asks for it: the operation that ran is
200 in `application/graphql-response+json` (field errors included), a refused request is 400
without `data`; on the compiled paths too; and a client asking for `application/json` gets what
it always got."""

from __future__ import annotations

import pytest

from kvalitet.web.media import wants_graphql_response

NEW = {"Accept": "application/graphql-response+json, application/json;q=0.9"}
UNITS = '{ municipality(number: "5501") { name units(first: 2) { totalCount } } }'


async def _ask(client, query: str, headers: dict, variables: dict | None = None):
    return await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)


async def test_an_operation_that_ran_is_200_in_the_new_media_type(demo, client):
    for _ in range(3):  # the first on the default path, then the compiled paths
        answer = await _ask(client, UNITS, NEW)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/graphql-response+json")
        assert answer.json()["data"]["municipality"]["name"] == "Tromsø"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ municipality(number: ", "GRAPHQL_PARSE_FAILED"),
        ('{ municipality(number: "5501") { nosuchfield } }', "GRAPHQL_VALIDATION_FAILED"),
        ("{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }", "TOO_MANY_ALIASES"),
    ],
)
async def test_a_refused_request_is_400_without_data(demo, client, query, code):
    answer = await _ask(client, query, NEW)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/graphql-response+json")
    body = answer.json()
    assert "data" not in body and body["errors"][0]["extensions"]["code"] == code
    # The same for a client of application/json: 200 with data null, as always.
    legacy = await _ask(client, query, {"Accept": "application/json"})
    assert legacy.status_code == 200 and legacy.headers["content-type"].startswith("application/json")
    assert legacy.json()["data"] is None


async def test_a_field_error_is_still_200_with_data(demo, client):
    query = '{ municipality(number: "5501") { units(first: -1) { totalCount } } }'
    answer = await _ask(client, query, NEW)
    body = answer.json()
    assert answer.status_code == 200 and "data" in body and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [
        ("application/graphql-response+json", True),
        ("application/graphql-response+json, application/json;q=0.9", True),
        ("application/json, application/graphql-response+json;q=0.5", False),
        ("application/graphql-response+json;q=0", False),
        ("*/*", False),
        ("application/json", False),
        (None, False),
        ("application/graphql-response+json;q=oops, application/json", False),
    ],
)
def test_the_accept_header_is_read_with_its_weights(accept, wanted):
    assert wants_graphql_response(accept) is wanted
