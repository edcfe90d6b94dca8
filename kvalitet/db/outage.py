"""Telling a database outage from every other error: an outage is answered 503 with
`Retry-After` (the caller may simply try again), any other unexpected error 500.

An outage is a failure to reach or keep the server: no socket, connection refused, the
server shutting down or starting up, too many connections, a connection lost mid-statement,
or no connection free in the pool in time. SQLAlchemy and the compiled path's asyncpg pool
raise these as different types, often wrapped, so the cause chain is walked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from sqlalchemy import exc as sa_exc

T = TypeVar("T")

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 5

_OUTAGES = (
    OSError,  # no socket file, connection refused or reset, no route
    TimeoutError,  # connecting took too long
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,  # starting up, or shutting down
    asyncpg.exceptions.OperatorInterventionError,  # admin or crash shutdown
    asyncpg.TooManyConnectionsError,
    asyncpg.ConnectionDoesNotExistError,
    sa_exc.TimeoutError,  # no pooled connection free in time
)


def is_outage(error: BaseException | None) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, _OUTAGES):
            return True
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, asyncpg.InterfaceError) and "connection is closed" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def is_dead_connection(error: BaseException | None) -> bool:
    """A pooled connection the server had closed (a restart, a failover, an idle timeout): the
    statement never ran, and a new connection may well work. SQLAlchemy then invalidates its
    pool's older connections, and asyncpg drops the closed one."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, asyncpg.ConnectionDoesNotExistError):
            return True
        if isinstance(error, asyncpg.InterfaceError) and "connection is closed" in str(error):
            return True
        # A connection the server ended while it sat idle in the pool: asyncpg has read the
        # server's goodbye and is stuck between states ("another operation is in progress").
        if isinstance(error, asyncpg.InternalClientError) and "another operation" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


async def once_more_if_dead(
    work: Callable[[], Awaitable[T]], before_again: Callable[[], Awaitable[None]] | None = None
) -> T:
    """Run `work`, and once more if it failed on a dead connection (after `before_again`, which
    may drop the pool's other connections, dead too after a restart). The pools do not ping a
    connection before each use (a round trip per request); this is the check instead. Only for
    work that wrote nothing before it failed: reads, or a transaction that did not commit."""
    try:
        return await work()
    except Exception as error:
        if not is_dead_connection(error):
            raise
    if before_again is not None:
        await before_again()
    return await work()
