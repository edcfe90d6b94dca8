"""The test server's administration: statements run on its `postgres` database."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import URL


def asyncpg_dsn(url: URL) -> str:
    """asyncpg's own connection string (asyncpg takes a Unix socket as `host=` query)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def admin_sql(admin_url: URL, sql: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()
