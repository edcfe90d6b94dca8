"""The compiled path's reads: one prepared statement, one round trip, on a pool of its own
(and, on a second pool, the one-statement writes, each its own transaction).

The compiled path runs exactly one read-only statement per query, so it skips what a
SQLAlchemy connection adds around it (a ping at checkout, BEGIN, ROLLBACK: three more round
trips). Its connections (asyncpg's) are in a pool of their own (`StatementPool`), made on first
use; asyncpg keeps each connection's statements prepared, so a repeated query is only bound
and run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from kvalitet.db.outage import once_more_if_dead
from kvalitet.db.statement_pool import StatementPool
from kvalitet.infra import tracing

# What asyncpg's connect() takes from SQLAlchemy's parsed URL.
_CONNECT_ARGUMENTS = ("host", "port", "user", "password", "database", "ssl", "direct_tls")


async def _text_as_bytes(connection) -> None:
    """Text values stay the bytes PostgreSQL sent: the answer goes into a response as it is,
    and decoding a large one to `str` only to encode it again costs time and two copies."""
    await connection.set_type_codec(
        "text",
        schema="pg_catalog",
        format="binary",
        decoder=bytes,
        encoder=lambda value: value.encode() if isinstance(value, str) else value,
    )


class Reader:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        size: int,
        statement_timeout_ms: int | None,
        settings: dict[str, str] | None = None,
        url: str | None = None,
    ):
        self.engine = engine
        # Another server to read from (a replica), else the engine's own.
        self.url = make_url(url) if url is not None else engine.url
        self.settings = settings or {}  # the connections' server settings, besides the timeout
        self.size = size
        self.statement_timeout_ms = statement_timeout_ms
        self._pool: StatementPool | None = None
        # Called with each statement's SQL before it runs (tests count statements with it).
        self.listeners: list[Callable[[str], None]] = []

    async def _get_pool(self) -> StatementPool:
        if self._pool is None:
            _, options = self.engine.dialect.create_connect_args(self.url)
            arguments = {k: v for k, v in options.items() if k in _CONNECT_ARGUMENTS}
            settings = dict(self.settings)
            if self.statement_timeout_ms:
                settings["statement_timeout"] = str(self.statement_timeout_ms)

            async def connect() -> asyncpg.Connection:
                connection = await asyncpg.connect(**arguments, server_settings=settings)
                await _text_as_bytes(connection)
                return connection

            self._pool = StatementPool(connect, self.size)
        return self._pool

    async def fetch_bytes(self, sql: str, arguments: tuple[Any, ...]) -> bytes | None:
        """The single value of a statement that returns one row of one text column, as the
        UTF-8 bytes PostgreSQL sent."""
        for listener in self.listeners:
            listener(sql)
        pool = self._pool or await self._get_pool()

        async def run() -> bytes | None:
            async with pool.acquire() as connection:
                with tracing.statement(sql):
                    value: bytes | None = await connection.fetchval(sql, *arguments)
                return value

        # After a restart every pooled connection is dead: they are dropped, and it runs once more.
        return await once_more_if_dead(run, pool.expire)

    def connections(self) -> tuple[int, int]:
        """The pool's open connections and how many of them are idle (none before its first use)."""
        if self._pool is None:
            return 0, 0
        return self._pool.connections()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
