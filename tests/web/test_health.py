"""Health checks: the process is up; the database is reachable and migrated."""

import httpx

from kvalitet.app import create_app
from kvalitet.db import Database
from kvalitet.db.migrate import downgrade
from kvalitet.infra.settings import Settings


async def test_healthz_and_readyz_when_all_is_well(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok"}


async def test_readyz_reports_pending_migrations(database_url, profiles):
    database = Database(database_url, pool_size=1)
    await downgrade(database.engine, "base")
    app = create_app(Settings(database_url=database_url, _env_file=None), profiles=profiles, database=database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
    await database.dispose()
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "database": "migrations pending"}


async def test_readyz_reports_an_unreachable_database(profiles, tmp_path):
    url = f"postgresql+asyncpg://nobody@/nowhere?host={tmp_path}"
    database = Database(url, pool_size=1)
    app = create_app(Settings(database_url=url, _env_file=None), profiles=profiles, database=database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
    await database.dispose()
    assert ready.status_code == 503
    assert ready.json()["database"] == "unreachable"


async def test_graphiql_is_served_to_browsers(client):
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
