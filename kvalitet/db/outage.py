"""Telling a database outage from every other error: an outage is answered 503 with
`Retry-After` (the caller may simply try again), any other unexpected error 500.

An outage is a failure to reach or keep the server: no socket, connection refused, the
server shutting down or starting up, too many connections, a connection lost mid-statement,
or no connection free in the pool in time. SQLAlchemy and the compiled path's asyncpg pool
raise these as different types, often wrapped, so the cause chain is walked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
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


def _causes(error: BaseException | None) -> Iterator[BaseException]:
    """The error and the chain of errors it was raised from (SQLAlchemy and asyncpg wrap them)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _closed(error: BaseException) -> bool:
    """A connection found closed: SQLAlchemy invalidated it, or asyncpg says so."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, asyncpg.InterfaceError) and "connection is closed" in str(error)


def is_outage(error: BaseException | None) -> bool:
    return any(isinstance(cause, _OUTAGES) or _closed(cause) for cause in _causes(error))


def is_dead_connection(error: BaseException | None) -> bool:
    """A pooled connection the server had closed (a restart, a failover, an idle timeout): the
    statement never ran, and a new connection may well work. SQLAlchemy then invalidates its
    pool's older connections, and asyncpg drops the closed one."""
    return any(
        _closed(cause)
        or isinstance(cause, asyncpg.ConnectionDoesNotExistError)
        # A connection the server ended while it sat idle in the pool: asyncpg has read the
        # server's goodbye and is stuck between states ("another operation is in progress").
        or (isinstance(cause, asyncpg.InternalClientError) and "another operation" in str(cause))
        for cause in _causes(error)
    )


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
