"""Test fixtures: one embedded PostgreSQL server per test session, a database per test.

The server is the same embedded one the service uses (or the server named by
`KVALITET_TEST_DATABASE_URL`, an admin URL such as postgresql+asyncpg://postgres@host/postgres).
A template database is migrated once; every test gets a fresh copy of it, so tests can
commit, run concurrently and never see each other's rows.
"""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
from sqlalchemy.engine import URL, make_url

from kvalitet.access.actor import PermissiveAccessPolicy
from kvalitet.app import create_app
from kvalitet.db import Database
from kvalitet.db.migrate import upgrade
from kvalitet.infra.settings import Settings
from kvalitet.plugins import Profiles, new_plugin_manager
from tests.fixtures.plugin import FixtureProfile
from tests.support.client import GraphQLClient, StatementCounter, service_client
from tests.support.database import admin_sql
from tests.support.paths import FIXTURES


@pytest.fixture(scope="session")
def admin_url(tmp_path_factory) -> URL:
    external = os.environ.get("KVALITET_TEST_DATABASE_URL")
    if external:
        return make_url(external)
    from kvalitet.infra.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "pgdata", delete_on_exit=True)
    return server.url("postgres")


@pytest.fixture(scope="session")
async def template_name(admin_url):
    name = f"kvalitet_template_{os.getpid()}"
    await admin_sql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin_sql(admin_url, f"CREATE DATABASE {name}")
    database = Database(admin_url.set(database=name).render_as_string(hide_password=False), pool_size=1)
    await upgrade(database.engine)
    await database.dispose()
    yield name
    await admin_sql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def empty_database_url(admin_url):
    """A new database with nothing in it (not even migrations)."""
    name = f"kvalitet_empty_{uuid.uuid4().hex[:12]}"
    await admin_sql(admin_url, f"CREATE DATABASE {name}")
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    await admin_sql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def database_url(admin_url, template_name):
    """A new, migrated database for this test."""
    name = f"kvalitet_test_{uuid.uuid4().hex[:12]}"
    await admin_sql(admin_url, f"CREATE DATABASE {name} TEMPLATE {template_name} STRATEGY FILE_COPY")
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    await admin_sql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def database(database_url):
    db = Database(database_url, pool_size=5)
    yield db
    await db.dispose()


@pytest.fixture
def test_profile() -> FixtureProfile:
    return FixtureProfile(FIXTURES / "testprofile")


@pytest.fixture
def profiles(test_profile) -> Profiles:
    """The installed profiles plus the test profile."""
    pm = new_plugin_manager()
    pm.register(test_profile, name="testprofil")
    return Profiles(pm)


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(database_url=database_url, max_page_size=20, default_page_size=10, _env_file=None)


@pytest.fixture
async def app(settings, profiles, database):
    return create_app(settings, profiles=profiles, policy=PermissiveAccessPolicy(), database=database)


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


@pytest.fixture
def gql(client) -> GraphQLClient:
    return GraphQLClient(client)


@pytest.fixture
async def default_client(settings, profiles, database):
    """A client of the same service answering every query on the default path (no compiled statement)."""
    async with service_client(settings, profiles, database, compiled=False) as http:
        yield http


@pytest.fixture
def secure_settings(database_url, tmp_path) -> Settings:
    """Settings for the service as it runs: role-based access, local tokens signed in tmp_path."""
    return Settings(
        database_url=database_url, data_dir=tmp_path / "data", max_page_size=20, default_page_size=10, _env_file=None
    )


@pytest.fixture
async def secure_client(secure_settings, profiles, database):
    """A client of the app with its real access policy (RolePolicy) and authentication."""
    app = create_app(secure_settings, profiles=profiles, database=database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


@pytest.fixture
async def secure_default_client(secure_settings, profiles, database):
    """The secure client's service with the compiled paths off: everything on the default path."""
    app = create_app(
        secure_settings.model_copy(update={"compiled_queries": False}), profiles=profiles, database=database
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


@pytest.fixture
def token(secure_settings):
    """token(role, municipality=…, unit=…) → a signed local token for the secure client."""
    import datetime as dt

    from kvalitet.auth.local_tokens import create_token

    def make(
        role: str,
        *,
        municipality: str | None = None,
        unit: str | None = None,
        subject: str = "tester",
        hours: float = 1.0,
    ) -> str:
        claim = {
            "role": role,
            **({"municipality": municipality} if municipality else {}),
            **({"unit": unit} if unit else {}),
        }
        return create_token(secure_settings.data_dir, subject=subject, roles=[claim], ttl=dt.timedelta(hours=hours))

    return make


@pytest.fixture
def gql_as(secure_client):
    """gql_as(token) → a GraphQL client of the secure app sending that bearer token (None: anonymous)."""
    return lambda bearer=None: GraphQLClient(secure_client, bearer)


@pytest.fixture
def statements(database) -> StatementCounter:
    return StatementCounter(database)


@pytest.fixture
async def demo(database, profiles) -> dict[str, int]:
    """The demo data of every installed profile and the test profile, committed."""
    from kvalitet.services.demo import load_demo

    async with database.session() as session, session.begin():
        return await load_demo(session, profiles)
