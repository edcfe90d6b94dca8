"""`KVALITET_READ_DATABASE_URL`: the compiled reads (one read-only statement a query) go to a
read replica, everything else (writes, mutations' answers, the default path's reads,
authentication) to the primary. Here the "replica" is a second database made from the same
migrated template, which the test writes differently, so an answer shows where it was read."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import text

from kvalitet.access.actor import PermissiveAccessPolicy
from kvalitet.app import create_app
from kvalitet.db import Database
from kvalitet.db.budget import budget
from kvalitet.db.engine import pool_sizes
from tests.support.client import GraphQLClient
from tests.support.database import admin_sql


@pytest.fixture
async def replica_url(admin_url, template_name):
    name = f"kvalitet_replica_{uuid.uuid4().hex[:12]}"
    await admin_sql(admin_url, f"CREATE DATABASE {name} TEMPLATE {template_name} STRATEGY FILE_COPY")
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    await admin_sql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def replicated(settings, profiles, database_url, replica_url):
    """A client of the app reading compiled queries from the replica, and both databases."""
    settings = settings.model_copy(update={"read_database_url": replica_url})
    primary = Database(database_url, pool_size=2, read_url=replica_url)
    replica = Database(replica_url, pool_size=1)
    app = create_app(settings, profiles=profiles, policy=PermissiveAccessPolicy(), database=primary)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield GraphQLClient(http), primary, replica
    await primary.dispose()
    await replica.dispose()


COMPILED = "{ municipalities { number name } }"
# `reportingCalendar` has a resolver of its own: the query is answered on the default path.
DEFAULT = "{ municipalities { number name reportingCalendar(year: 2025) { key } } }"


async def test_compiled_reads_come_from_the_replica_and_everything_else_from_the_primary(replicated):
    gql, primary, replica = replicated
    created = await gql(
        'mutation { createMunicipality(input: {number: "9901", name: "Primærkommune", profile: "testprofil"}) '
        "{ municipality { number name } errors { code } } }"
    )
    # The mutation wrote to the primary, and its answer was read there.
    assert created["createMunicipality"] == {"municipality": {"number": "9901", "name": "Primærkommune"}, "errors": []}
    async with replica.engine.begin() as connection:  # the replica holds what it replicated (here: something else)
        await connection.execute(text("INSERT INTO municipality (number, name) VALUES ('9901', 'Replikakommune')"))
    assert (await gql(COMPILED))["municipalities"] == [{"number": "9901", "name": "Replikakommune"}]
    assert [(m["number"], m["name"]) for m in (await gql(DEFAULT))["municipalities"]] == [("9901", "Primærkommune")]


async def test_the_replicas_connections_refuse_to_write(replicated):
    _, primary, _ = replicated
    pool = await primary.reader._get_pool()
    async with pool.acquire() as connection:
        assert (
            await connection.fetchval("SHOW default_transaction_read_only") == b"on"
        )  # text comes as the bytes PostgreSQL sent (kvalitet.db.reader)
        with pytest.raises(Exception, match="read-only transaction"):
            await connection.execute("INSERT INTO municipality (number, name) VALUES ('9902', 'Skriv')")
    # The primary's own compiled writes are not read-only.
    pool = await primary.writer._get_pool()
    async with pool.acquire() as connection:
        assert await connection.fetchval("SHOW default_transaction_read_only") == b"off"


async def test_the_replicas_pool_is_not_counted_against_the_primary(database):
    here = await budget(database, processes=1, pool_size=10)
    elsewhere = await budget(database, processes=1, pool_size=10, reads_elsewhere=True)
    assert here.per_process - elsewhere.per_process == pool_sizes(10)["reader"] == 10
