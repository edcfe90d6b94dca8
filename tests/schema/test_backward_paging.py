"""Backward paging (Relay's `last` and `before`) wherever forward paging is: walking back from the
end gives the same items, in the same order, as walking forward; `hasPreviousPage` says when
there is more before; a mix of the two ways, a page too large or a foreign cursor is refused by
argument, in the caller's language."""

from __future__ import annotations

import pytest

from tests.support.cycle import Cycle

UNITS = """query ($first: Int, $after: String, $last: Int, $before: String) {
  municipality(number: "9901") { units(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name } } } } }"""
NAMES = ["Aurora", "Bjørka", "Dalen", "Eik", "Fjell", "Grøn", "Hav"]


@pytest.fixture
async def units(gql):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    for name in reversed(NAMES):  # made out of order: the pages go by name
        await cycle.unit(municipality["id"], f"{name} skole", "SCHOOL")


async def _page(gql, **arguments) -> dict:
    return (await gql(UNITS, arguments))["municipality"]["units"]


async def test_walking_back_from_the_end_gives_the_forward_order(gql, units):
    forward = [e["node"]["name"] for e in (await _page(gql, first=20))["edges"]]
    assert forward == [f"{name} skole" for name in NAMES]

    pages, before = [], None
    while True:
        page = await _page(gql, last=3, before=before)
        pages.append(page)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert [[e["node"]["name"] for e in p["edges"]] for p in pages] == [
        forward[4:],
        forward[1:4],
        forward[:1],
    ]
    assert all(p["totalCount"] == 7 and p["pageInfo"]["hasNextPage"] is False for p in pages)
    # A backward page's cursors are the forward ones: a client can turn round.
    last_page = pages[0]
    turned = await _page(gql, first=2, after=last_page["pageInfo"]["startCursor"])
    assert [e["node"]["name"] for e in turned["edges"]] == forward[5:7]
    assert last_page["pageInfo"]["startCursor"] == last_page["edges"][0]["cursor"]


async def test_a_unit_history_and_a_subscription_log_page_backward_too(gql, units):
    query = """{ municipality(number: "9901") { units(first: 1) { nodes { history(last: 1) {
      totalCount pageInfo { hasPreviousPage } edges { node { action } } } } } } }"""
    history = (await gql(query))["municipality"]["units"]["nodes"][0]["history"]
    assert history["totalCount"] == 1 and history["pageInfo"]["hasPreviousPage"] is False
    assert [e["node"]["action"] for e in history["edges"]] == ["CREATE"]


@pytest.mark.parametrize(
    ("arguments", "argument", "key"),
    [
        ({"first": 2, "last": 2}, "last", "input.paging_direction"),
        ({"after": "x", "last": 2}, "last", "input.paging_direction"),
        ({"last": 100000}, "last", "input.between"),
        ({"last": 2, "before": "garbage"}, "before", "input.foreign_cursor"),
    ],
)
async def test_a_page_asked_for_wrongly_is_refused_by_argument(gql, units, arguments, argument, key):
    body = await gql.raw(UNITS, arguments)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["messageKey"] == key
    assert error["extensions"].get("argument") == argument or argument in error["message"]
