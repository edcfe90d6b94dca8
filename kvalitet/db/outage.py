"""Telling a database outage from every other error: an outage is answered 503 with
`Retry-After` (the caller may simply try again), any other unexpected error 500.

An outage is a failure to reach or keep the server: no socket, connection refused, the
server shutting down or starting up, too many connections, a connection lost mid-statement,
or no connection free in the pool in time. SQLAlchemy and the compiled path's asyncpg pool
raise these as different types, often wrapped, so the cause chain is walked.
"""

from __future__ import annotations

import asyncpg
from sqlalchemy import exc as sa_exc

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
