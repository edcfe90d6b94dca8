"""What the measures run on their own (`python -m benchmarks.fairness`, `benchmarks.council_draft`)
share: a fresh embedded PostgreSQL with kvalitet's migrations, and how they are run."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from . import servers
from .run import DATABASE, WORK, say


@dataclass
class Fresh:
    database_url: str  # for kvalitet (SQLAlchemy's asyncpg URL)
    connection: asyncpg.Connection  # the measure's own connection
    env: dict[str, str]  # kvalitet's environment, for its CLI and servers


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[Fresh]:
    """A new embedded PostgreSQL under `WORK`, migrated; stopped afterwards."""
    WORK.mkdir(parents=True, exist_ok=True)
    pg = connection = None
    try:
        say("starting PostgreSQL (embedded) …")
        pg = servers.start_postgres(WORK / "pgdata")
        url = pg.url(DATABASE)
        database_url = url.render_as_string(hide_password=False)
        connection = await asyncpg.connect(host=url.query["host"], port=url.port, user=url.username, database=DATABASE)
        env = servers.kvalitet_env(database_url, WORK / "data")
        servers.kvalitet_cli(["db", "upgrade"], env, WORK)
        yield Fresh(database_url, connection, env)
    finally:
        if connection is not None:
            await connection.close()
        if pg is not None:
            pg.stop()


def run(measure: Callable[[], Awaitable[object]]) -> int:
    """Run `measure`: 0, or 2 when setting it up failed (said why); `WORK` is removed either way."""
    try:
        asyncio.run(measure())
    except servers.SetupError as error:
        say(f"setup failed: {error}")
        return 2
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    return 0
