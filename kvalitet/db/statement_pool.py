"""The compiled path's connections: a list of idle asyncpg connections, each taken for one
statement and given back.

Written here rather than taken from asyncpg (`asyncpg.Pool`) because that pool does, on every
release, what single statements outside a transaction never need: it runs the release as its
own task under `asyncio.shield` (one more turn of the event loop before the request may go on),
re-arms an inactivity timer and awaits a reset hook. On the benchmark's `history` read that was
about 55 µs of a fetch of about 550 (one server alternating the two pools per request). Here,
taking an idle connection and giving it back never waits on the event loop: a slot (a
semaphore, which does not suspend while one is free), then a `list.pop` and a `list.append`.

What asyncpg's pool gave that still matters is kept: at most `size` connections, waiting for a
free one, each connection set up once when it is made (by `connect`), and dropping every
connection after the server went away (`expire`). A connection whose statement failed other
than by a PostgreSQL error (a cancelled request, a lost socket) is closed, not given back: its
state is not known.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg


class StatementPool:
    def __init__(self, connect: Callable[[], Awaitable[asyncpg.Connection]], size: int):
        self._connect = connect
        self.size = size
        self._slots = asyncio.Semaphore(size)
        self._idle: list[asyncpg.Connection] = []
        self._open: dict[asyncpg.Connection, int] = {}  # each open connection: its generation
        self._generation = 0  # moved on by `expire`: older connections are not given out again
        self._closed = False

    async def take(self) -> asyncpg.Connection:
        """An idle connection, else a new one while fewer than `size` are open, else the first
        one given back."""
        if self._closed:
            raise asyncpg.InterfaceError("the pool is closed")
        await self._slots.acquire()
        try:
            while self._idle:
                connection = self._idle.pop()
                if not connection.is_closed() and self._open.get(connection) == self._generation:
                    return connection
                self._drop(connection)
            connection = await self._connect()
            self._open[connection] = self._generation
            return connection
        except BaseException:
            self._slots.release()
            raise

    def give(self, connection: asyncpg.Connection, *, reusable: bool = True) -> None:
        """Back to the pool after its statement (`reusable`: it ended, or failed in PostgreSQL)."""
        if (
            reusable
            and not self._closed
            and not connection.is_closed()
            and self._open.get(connection) == self._generation
        ):
            self._idle.append(connection)
        else:
            self._drop(connection)
        self._slots.release()

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        connection = await self.take()
        reusable = False
        try:
            yield connection
            reusable = True
        except asyncpg.PostgresError:
            reusable = True  # the server refused the statement; the connection is as it was
            raise
        finally:
            self.give(connection, reusable=reusable)

    async def expire(self) -> None:
        """Drop every connection (the server restarted or failed over): the idle ones now, the
        ones in use when they are given back."""
        self._generation += 1
        idle, self._idle = self._idle, []
        for connection in idle:
            self._drop(connection)

    def connections(self) -> tuple[int, int]:
        """Open connections, and how many of them are idle."""
        return len(self._open), len(self._idle)

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            self._open.pop(connection, None)
            with contextlib.suppress(Exception):
                await connection.close(timeout=5)
        for connection in list(self._open):  # in use: their statements end with the socket
            self._drop(connection)

    def _drop(self, connection: asyncpg.Connection) -> None:
        self._open.pop(connection, None)
        connection.terminate()
