"""The async engine and session factory for one database."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from kvalitet.db.audit import AuditedSession
from kvalitet.db.reader import Reader


@event.listens_for(AuditedSession, "loaded_as_persistent")
def _hold(session: Session, instance: object) -> None:
    """Keep every row a session loaded for as long as the session lives. The identity map holds
    rows weakly: a parent read for an access check (a report's unit) was dropped as soon as the
    check returned, and read again by the next `session.get` of the same request (a
    `saveAssessment` read its unit four times). A session lives for one request or command."""
    session.info.setdefault("held", []).append(instance)


_READ_ONLY = "kvalitet_read_only"


@event.listens_for(AuditedSession, "before_flush")
def _refuse_writes(session: Session, flush_context, instances) -> None:
    """A read session has no transaction: each statement of a flush would stand on its own."""
    if session.info.get(_READ_ONLY) and (
        session.new or session.deleted or any(session.is_modified(row) for row in session.dirty)
    ):
        raise RuntimeError("a read session was asked to write")


def pool_sizes(pool_size: int) -> dict[str, int]:
    """The most connections each of a process's pools may hold, for `KVALITET_DB_POOL_SIZE`:
    SQLAlchemy's (which may grow to twice its size at a peak), and the compiled reads' and
    writes'. `kvalitet.db.budget` adds them up against the server's `max_connections`."""
    return {"orm": 2 * pool_size, "reader": pool_size, "writer": pool_size}


class Database:
    """One PostgreSQL database: its engine and a factory for audited sessions."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        statement_timeout_ms: int | None = None,
        idle_in_transaction_timeout_ms: int | None = None,
        echo: bool = False,
        # Another server for the compiled reads (a read replica); None: this one.
        read_url: str | None = None,
    ):
        self.url = url
        # The server ends any statement that runs longer, and any session that sits idle in a
        # transaction longer: one slow query, or a transaction left open across a wait, cannot
        # hold a connection, its locks and every tenant's change feed (which waits for the
        # oldest open transaction) for long.
        server_settings = {"statement_timeout": str(statement_timeout_ms)} if statement_timeout_ms else {}
        if idle_in_transaction_timeout_ms:
            server_settings["idle_in_transaction_session_timeout"] = str(idle_in_transaction_timeout_ms)
        sizes = pool_sizes(pool_size)
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=sizes["orm"] - pool_size,
            # No ping before each use (a round trip per request): a connection the server closed
            # fails its first statement, and the work is run once more (`outage.once_more_if_dead`).
            pool_pre_ping=False,
            echo=echo,
            connect_args={"server_settings": server_settings},
        )
        # For the loaders' single SELECTs: no BEGIN and ROLLBACK around each (two round trips
        # per batch); a request's statements are not one snapshot (each is its own transaction,
        # on the request's shared connection: kvalitet.db.shared). The same pool; the level is
        # reset when a connection goes back.
        self.autocommit: AsyncEngine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.reader = Reader(
            self.engine,
            size=sizes["reader"],
            statement_timeout_ms=statement_timeout_ms,
            url=read_url,
            # On a replica (or a pooler in front of one) the reads are refused any write, as a
            # replica would: the same behaviour whichever server answers.
            settings={"default_transaction_read_only": "on"} if read_url else None,
        )
        # The one-statement writes (kvalitet.schema.compiled.writes), on a pool of their own made
        # on first use: each is planned once per connection (a generic plan), not at every run;
        # planning the statement costs twice what running it does. Counted with the reads.
        self.writer = Reader(
            self.engine,
            size=sizes["writer"],
            statement_timeout_ms=statement_timeout_ms,
            settings={"plan_cache_mode": "force_generic_plan"},
        )
        self.writer.listeners = self.reader.listeners
        self.sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, sync_session_class=AuditedSession, expire_on_commit=False
        )
        self.read_sessions = async_sessionmaker(
            self.autocommit, class_=AsyncSession, sync_session_class=AuditedSession, expire_on_commit=False
        )

    def session(self) -> AsyncSession:
        return self.sessions()

    def read_session(self) -> AsyncSession:
        """A session that only reads: on the autocommit engine, so no BEGIN and ROLLBACK around
        its statements (two round trips). A flush with changes is refused, not committed."""
        session = self.read_sessions()
        session.sync_session.info[_READ_ONLY] = True
        return session

    async def dispose(self) -> None:
        await self.reader.close()
        await self.writer.close()
        await self.engine.dispose()
