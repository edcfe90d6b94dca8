"""Units through the municipality's cursor connection: pages, filters and limits."""

import pytest
from sqlalchemy import select

from kvalitet.models import Municipality, Unit

UNITS = """
query ($first: Int, $after: String, $kind: UnitKind) {
  municipality(number: "9901") {
    units(first: $first, after: $after, kind: $kind) {
      totalCount
      edges { cursor node { name kind zone ownership } }
      nodes { name }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


@pytest.fixture
async def many_units(database, demo):
    """25 more units for the test municipality, created in an order unlike their names."""
    async with database.session() as session, session.begin():
        municipality = await session.scalar(select(Municipality).where(Municipality.number == "9901"))
        for i in reversed(range(25)):
            kind = "school" if i % 5 == 0 else "kindergarten"
            session.add(Unit(municipality_id=municipality.id, name=f"Enhet {i:02d}", kind=kind))
    return 27  # with the test profile's two demo units


async def _all_pages(gql, first, kind=None):
    names, after, pages = [], None, 0
    while True:
        data = await gql(UNITS, {"first": first, "after": after, "kind": kind})
        connection = data["municipality"]["units"]
        names += [edge["node"]["name"] for edge in connection["edges"]]
        assert [n["name"] for n in connection["nodes"]] == [e["node"]["name"] for e in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            return names, pages, connection["totalCount"]
        after = connection["pageInfo"]["endCursor"]
        assert after == connection["edges"][-1]["cursor"]


async def test_paging_through_units_sees_each_once_in_name_order(gql, many_units):
    names, pages, total = await _all_pages(gql, first=7)
    assert total == many_units
    assert len(names) == many_units == len(set(names))
    assert names == sorted(names)
    assert pages == 4  # 7 + 7 + 7 + 6


async def test_kind_filter_applies_to_pages_and_count(gql, many_units):
    names, _, total = await _all_pages(gql, first=2, kind="SCHOOL")
    assert names == ["Demo Testskole", "Enhet 00", "Enhet 05", "Enhet 10", "Enhet 15", "Enhet 20"]
    assert total == 6


async def test_the_last_page_keeps_the_total(gql, many_units):
    data = await gql(UNITS, {"first": 100 // 5})
    end = data["municipality"]["units"]["pageInfo"]["endCursor"]
    data = await gql(UNITS, {"first": 20, "after": end})
    last = data["municipality"]["units"]
    assert len(last["edges"]) == 7 and last["totalCount"] == many_units
    data = await gql(UNITS, {"first": 20, "after": last["pageInfo"]["endCursor"]})
    empty = data["municipality"]["units"]
    assert empty["edges"] == [] and empty["totalCount"] == many_units
    assert empty["pageInfo"] == {"hasNextPage": False, "endCursor": None}


async def test_default_page_size_applies_without_first(gql, many_units):
    data = await gql(UNITS, {})
    assert len(data["municipality"]["units"]["edges"]) == 10  # the test settings' default


@pytest.mark.parametrize("first", [-1, 21, 10_000])
async def test_page_size_beyond_the_maximum_is_refused(gql, many_units, first):
    body = await gql.raw(UNITS, {"first": first})
    [error] = body["errors"]
    assert error["message"] == "«first» must be between 0 and 20."
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["messageKey"] == "input.between"
    assert error["extensions"]["params"] == [
        {"name": "argument", "value": "first"},
        {"name": "low", "value": "0"},
        {"name": "high", "value": "20"},
    ]


@pytest.mark.parametrize("cursor", ["garbage", "WyJhIl0", "", "W251bGwsIm5vdC1hLXV1aWQiXQ"])
async def test_a_cursor_we_did_not_make_is_refused(gql, many_units, cursor):
    body = await gql.raw(UNITS, {"first": 5, "after": cursor})
    if cursor == "":
        # An empty cursor means "from the start".
        assert "errors" not in body
        return
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "cursor" in error["message"]


async def test_archived_units_are_left_out_unless_asked_for(gql, database, many_units):
    async with database.session() as session, session.begin():
        unit = await session.scalar(select(Unit).where(Unit.name == "Enhet 03"))
        unit.archived_at = unit.created_at
    query = """query ($all: Boolean!) { municipality(number: "9901") {
        units(first: 20, includeArchived: $all) { totalCount } } }"""
    assert (await gql(query, {"all": False}))["municipality"]["units"]["totalCount"] == many_units - 1
    assert (await gql(query, {"all": True}))["municipality"]["units"]["totalCount"] == many_units
