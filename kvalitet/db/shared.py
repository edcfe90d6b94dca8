"""One connection for all of a request's reads.

A GraphQL request on the default path reads in batches (one SELECT per loader and tick). Taking
a pooled connection for each batch and giving it back costs about as much Python as running the
statement does (SQLAlchemy's checkout, reset and checkin), so a request's batches share one
autocommit connection, taken at its first read and given back when the request ends. Batches of
one tick run one after the other on it (a connection runs one statement at a time).

A request never waits for a second connection while holding this one: that is how a pool
deadlocks under load (every request holding one connection and waiting for another). So while a
request works in a session of its own (a mutation's transaction, a service's reads: `apart`) the
shared connection is given back, and the request's other reads wait until that session is done.
A read made from inside such a session's own work (which would otherwise wait for itself) takes
a connection of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

T = TypeVar("T")

# The shared connection whose `apart` the running code is inside (tasks started there inherit it).
_inside: contextvars.ContextVar[SharedConnection | None] = contextvars.ContextVar("kvalitet_apart", default=None)


class SharedConnection:
    def __init__(self, engine: AsyncEngine, *, share: bool = True):
        self.engine = engine  # an autocommit engine: no BEGIN or ROLLBACK around the reads
        self._connection: AsyncConnection | None = None
        # Held while a read runs on the connection, and for the whole of an `apart`.
        self._lock = asyncio.Lock()
        self._ended = not share  # a websocket's reads, or the request is over: one per batch

    async def run(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """`work` on the request's connection (taken now if none is held)."""
        if self._ended or _inside.get() is self:
            async with self.engine.connect() as connection:
                return await work(connection)
        async with self._lock:  # waits for a read under way, or for a session apart to end
            if self._ended:  # the request ended while this read waited its turn
                async with self.engine.connect() as connection:
                    return await work(connection)
            if self._connection is None:
                self._connection = await self.engine.connect()
            try:
                result = await work(self._connection)
            except BaseException:
                # Not reused after a failure: a statement cancelled midway, or a connection the
                # server closed, leaves it in no state to run the next one.
                await self._give_back()
                raise
            if self._ended:  # the request ended while this read ran
                await self._give_back()
            return result

    async def _give_back(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()

    @contextlib.asynccontextmanager
    async def apart(self) -> AsyncIterator[None]:
        """While the request uses a connection of its own: hold none, and let no other read of
        the request take one (see the module's text). Nested, the outer one holds already."""
        if _inside.get() is self or self._ended:
            yield
            return
        async with self._lock:
            await self._give_back()
            token = _inside.set(self)
            try:
                yield
            finally:
                _inside.reset(token)

    async def end(self) -> None:
        """The request is over: give the connection back; later reads (a stream's) take their own.
        Never waits: a read under way gives it back when it is done, a session apart holds none."""
        self._ended = True
        if not self._lock.locked():
            await self._give_back()
