"""The pools do not ping a connection before each use; when the server has closed the pooled
connections (a restart, a failover), the next request still succeeds: reads, the compiled
path, authentication and mutations run once more on a new connection."""

from __future__ import annotations

import pytest

from tests.support.cycle import Cycle
from tests.support.database import admin_sql


@pytest.fixture
def close_connections(admin_url, database):
    """Have the server end every connection to the test database (as a restart would)."""
    name = database.engine.url.database

    async def close() -> None:
        await admin_sql(
            admin_url,
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()",
        )

    return close


async def test_a_mutation_after_the_connections_died_succeeds_once(gql, close_connections, database):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    await close_connections()
    unit = await cycle.unit(municipality["id"], "Etter omstart", "KINDERGARTEN")
    names = await gql('{ municipality(number: "9901") { units(first: 10) { nodes { name } } } }')
    assert [n["name"] for n in names["municipality"]["units"]["nodes"]] == ["Etter omstart"]
    history = await gql(
        "query ($id: ID!) { node(id: $id) { ... on Unit { history(first: 5) { nodes { action } } } } }",
        {"id": unit["id"]},
    )
    assert [n["action"] for n in history["node"]["history"]["nodes"]] == ["CREATE"]  # written once


async def test_reads_after_the_connections_died_succeed(gql, demo, close_connections):
    compiled = "{ municipalities { number name } }"
    default = "{ municipalities { number reportingCalendar(year: 2025) { key } } }"
    before = (await gql(compiled), await gql(default))
    await close_connections()
    assert await gql(compiled) == before[0]
    await close_connections()
    assert await gql(default) == before[1]


async def test_authentication_after_the_connections_died_succeeds(gql_as, token, demo, close_connections):
    client = gql_as(token("sector_admin", municipality="9901"))
    before = await client('{ municipality(number: "9901") { name } }')
    await close_connections()
    assert await client('{ municipality(number: "9901") { name } }') == before
