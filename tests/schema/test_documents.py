"""A document sent again is neither parsed nor validated again; what depends on its variables
(the cost limit) and invalid documents are still answered each time."""

from __future__ import annotations

import graphql
import httpx
import pytest
import strawberry.schema.schema as strawberry_schema

from kvalitet.app import create_app
from kvalitet.schema.extensions import documents
from tests.support.client import GraphQLClient

UNITS = "query Units($first: Int) { municipalities { units(first: $first) { totalCount edges { node { name } } } } }"


@pytest.fixture
def counted(monkeypatch):
    """How often the service parses and validates a document."""
    calls = {"parse": 0, "validate": 0}
    parse, validate = documents.parse, strawberry_schema.validate_document

    def counting_parse(*args, **kwargs):
        calls["parse"] += 1
        return parse(*args, **kwargs)

    def counting_validate(*args, **kwargs):
        calls["validate"] += 1
        return validate(*args, **kwargs)

    monkeypatch.setattr(documents, "parse", counting_parse)
    monkeypatch.setattr(strawberry_schema, "validate_document", counting_validate)
    return calls


async def test_a_document_again_is_not_parsed_or_validated_again(gql, demo, counted):
    first = await gql(UNITS, {"first": 1})
    second = await gql(UNITS, {"first": 2})
    sizes = [[len(m["units"]["edges"]) for m in answer["municipalities"]] for answer in (first, second)]
    assert max(sizes[0]) == 1 and max(sizes[1]) == 2  # each request's own variables
    assert counted == {"parse": 1, "validate": 1}


async def test_the_limits_still_read_each_requests_variables(settings, profiles, database, demo, counted):
    # Between what the query costs with one unit a page and with a full page.
    app = create_app(settings.model_copy(update={"max_query_cost": 100}), profiles=profiles, database=database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        gql = GraphQLClient(http)
        assert (await gql.raw(UNITS, {"first": 1})).get("errors") is None
        body = await gql.raw(UNITS, {"first": settings.max_page_size})
        assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY", body
        body = await gql.raw(UNITS, {"first": settings.max_page_size + 1})
        assert body["errors"][0]["extensions"]["code"] in ("QUERY_TOO_COSTLY", "BAD_USER_INPUT"), body
    assert counted["parse"] == 1


async def test_an_invalid_document_is_refused_every_time(gql, demo, counted):
    wrong = "{ municipalities { nonsense } }"
    for _ in range(2):
        body = await gql.raw(wrong)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert counted == {"parse": 1, "validate": 2}


async def test_a_document_that_does_not_parse_is_refused_every_time(gql, demo):
    for _ in range(2):
        body = await gql.raw("{ municipalities { ")
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_the_cache_is_bounded():
    cache = documents.LRUCache[documents.Document](2)
    for text in ("{ a }", "{ b }", "{ c }"):
        cache.put(text, documents.Document(graphql.parse(text)))
    assert len(cache) == 2 and cache.get("{ a }") is None
