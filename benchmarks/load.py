"""Load with wrk, and what is measured around it: memory and CPU of the processes, and the
SQL statements the database ran."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import psutil

from .servers import SetupError

# Prints wrk's own numbers and the failed answers the script counted as one JSON line.
DONE_LUA = """
function done(summary, latency, requests)
  local graphql = 0
  for _, t in ipairs(threads) do graphql = graphql + (t:get("graphql_errors") or 0) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d, "graphql_errors": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout, graphql,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""

# POSTs one fixed body. The response hook counts answers that carry GraphQL errors (they come
# with status 200); done() prints wrk's own numbers as one JSON line for the harness.
LUA = (
    """
local f = assert(io.open([==[{body}]==], "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
{auth}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) graphql_errors = 0 end
function response(status, headers, body)
  if body and string.find(body, '"errors"', 1, true) then graphql_errors = graphql_errors + 1 end
end
"""
    + DONE_LUA
)


# The write (`save_assessment`): each request writes the next assessment of a list (a file of
# "reportId criterionId assessmentId rowId version" lines, read at the start), round and round;
# the list is far longer than the connections, so no assessment is written twice at once. The
# body is the server's template with the placeholders filled in: a level of the scale and a
# comment new to this run (its tag) and request, so every write changes the row (a write that
# changes nothing is no write: our server answers it without a new version). A response fails
# when it is not a 200 or has an `errors` list that is not empty (GraphQL's, or our payload's).
# For our server (`track`), the answer must show the assessment with the version sent plus one,
# which is kept for that assessment's next write, which must send it.
WRITE_LUA = (
    """
local template = [==[{template}]==]
local track = {track}
local tag = "{tag}"
local targets, by_id = {{}}, {{}}
for line in io.lines([==[{targets}]==]) do
  local report, criterion, assessment, row, version = line:match("^(%S+) (%S+) (%S+) (%S+) (%d+)$")
  table.insert(targets, {{report = report, criterion = criterion, row = row, version = tonumber(version)}})
  by_id[assessment] = #targets
end
local levels = {{{levels}}}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
{auth}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) graphql_errors = 0; sent = 0 end
function request()
  local t = targets[(sent % #targets) + 1]
  sent = sent + 1
  local body = template:gsub("__REPORT__", t.report):gsub("__CRITERION__", t.criterion):gsub("__ROW__", t.row)
    :gsub('"__VERSION__"', tostring(t.version)):gsub("__LEVEL__", levels[(sent % #levels) + 1])
    :gsub("__COMMENT__", "Ytelsestest " .. tag .. ", skriving nr. " .. sent)
  return wrk.format(nil, nil, nil, body)
end
function response(status, headers, body)
  if status ~= 200 then return end  -- wrk counts it (non-2xx)
  if not body or body:find('"errors"%s*:%s*%[%s*[^%]%s]') then
    graphql_errors = graphql_errors + 1
    return
  end
  if track then
    local id = body:match('"id"%s*:%s*"([^"]+)"')
    local version = body:match('"version"%s*:%s*(%d+)')
    local i = id and by_id[id]
    if i and version and tonumber(version) == targets[i].version + 1 then
      targets[i].version = tonumber(version)
    else
      graphql_errors = graphql_errors + 1
    end
  end
end
"""
    + DONE_LUA
)


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    bytes: int
    non_2xx: int
    socket_errors: int
    graphql_errors: int
    output: str  # wrk's own report

    @property
    def failed(self) -> int:
        """Answers that are not a success: non-2xx, or with errors (the scripts count them)."""
        return self.non_2xx + self.graphql_errors

    def problems(self, during: str | None = None, *, may_be_empty: bool = False) -> list[str]:
        """What went wrong, one line each; `may_be_empty` for a warm-up, which may end before
        a slow request does."""
        found = []
        if self.non_2xx:
            found.append(f"{self.non_2xx} non-2xx responses")
        if self.socket_errors:
            found.append(f"{self.socket_errors} socket errors or timeouts")
        if self.graphql_errors:
            found.append(f"{self.graphql_errors} responses with errors")
        if not self.requests and not may_be_empty:
            found.append("no request completed (do requests take longer than --duration?)")
        return [f"{problem} ({during})" for problem in found] if during else found


def write_script(path: Path, body: dict, headers: dict[str, str]) -> Path:
    body_path = path.with_suffix(".json")
    body_path.write_text(json.dumps(body))
    auth = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    path.write_text(LUA.format(body=body_path, auth=auth))
    return path


def write_write_script(path: Path, template: str, targets, levels, headers: dict[str, str], *, track: bool) -> Path:
    """The wrk script of the write, with the assessments to write (`queries.Target`s) in a file
    beside it: written anew before each wrk run, so the versions are the database's. `levels`:
    the scale's levels to write, in turn."""
    targets_path = path.with_suffix(".targets")
    targets_path.write_text(
        "".join(f"{t.report_id} {t.criterion_id} {t.assessment_id} {t.row_id} {t.version}\n" for t in targets)
    )
    auth = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    if "]==]" in template:
        raise ValueError("the template cannot be a Lua long string")
    tag = uuid.uuid4().hex[:8]
    path.write_text(
        WRITE_LUA.format(
            template=template,
            targets=targets_path,
            auth=auth,
            track="true" if track else "false",
            tag=tag,
            levels=", ".join(f'"{level}"' for level in levels),
        )
    )
    return path


def run_wrk(wrk: str, url: str, script: Path, *, seconds: int, connections: int) -> WrkResult:
    timeout = max(30, seconds * 3)
    argv = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={timeout}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    match = re.search(r"^WRK_JSON (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not match:
        raise SetupError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    n = json.loads(match.group(1))
    seconds_run = n["duration_us"] / 1e6
    return WrkResult(
        requests=n["requests"],
        seconds=seconds_run,
        rps=n["requests"] / seconds_run,
        p50_ms=n["p50_us"] / 1000,
        p99_ms=n["p99_us"] / 1000,
        bytes=n["bytes"],
        non_2xx=n["status"],
        socket_errors=n["connect"] + n["read"] + n["write"] + n["timeout"],
        graphql_errors=n["graphql_errors"],
        output=done.stdout[: match.start()].rstrip(),
    )


# --- processes ---------------------------------------------------------------------------------


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_seconds(pid: int) -> float:
    """CPU time of a process tree, including children that have already exited and been reaped."""
    total = 0.0
    for i, process in enumerate(_tree(pid)):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
        if i == 0:
            total += times.children_user + times.children_system
    return total


def wait_idle(pids: list[int], *, interval: float = 0.25, busy: float = 0.1, timeout: float = 60) -> None:
    """Wait until the process trees use less than `busy` of a core: requests a finished wrk
    left behind (servers finish them after the client has gone) must not run into the next
    measurement."""
    deadline = time.monotonic() + timeout
    before = sum(cpu_seconds(pid) for pid in pids)
    while time.monotonic() < deadline:
        time.sleep(interval)
        now = sum(cpu_seconds(pid) for pid in pids)
        if now - before < busy * interval:
            return
        before = now


class PeakRss:
    """Samples the summed RSS of process trees in a thread; `peak_mb[name]` is the highest seen."""

    def __init__(self, pids: dict[str, int], interval: float = 0.05):
        self.pids = pids
        self.interval = interval
        self.peak_mb = {name: 0.0 for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for name, pid in self.pids.items():
            rss = 0
            for process in _tree(pid):
                try:
                    rss += process.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            self.peak_mb[name] = max(self.peak_mb[name], rss / 2**20)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            time.sleep(self.interval)

    def __enter__(self):
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# --- statements --------------------------------------------------------------------------------

STATEMENT_KINDS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES", "TABLE", "MERGE")


async def reset_statements(connection: asyncpg.Connection) -> None:
    await connection.execute("SELECT pg_stat_statements_reset()")


async def count_statements(connection: asyncpg.Connection, database: str) -> tuple[int, int, list[tuple[int, str]]]:
    """(statements, utility statements, the statements with their calls) run in `database`
    since the reset. Statements are queries (SELECT, INSERT …); utility statements are the
    rest (BEGIN, COMMIT, SET …). The harness's own pg_stat_statements queries are left out."""
    rows = await connection.fetch(
        """SELECT s.calls, s.query FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
           WHERE d.datname = $1 AND s.query NOT ILIKE '%pg_stat_statements%' ORDER BY s.calls DESC""",
        database,
    )
    statements = utility = 0
    for row in rows:
        if row["query"].lstrip("( \n").upper().startswith(STATEMENT_KINDS):
            statements += row["calls"]
        else:
            utility += row["calls"]
    return statements, utility, [(row["calls"], row["query"]) for row in rows]


async def count_blocks(connection: asyncpg.Connection, database: str) -> int:
    """Shared buffer blocks (hit or read) the statements run in `database` since the reset
    touched: what a statement reads, whatever the cache holds. A query whose answer is the same
    at two sizes of the database but touches more blocks at the larger reads other rows too."""
    return await connection.fetchval(
        """SELECT coalesce(sum(s.shared_blks_hit + s.shared_blks_read), 0)::bigint
           FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
           WHERE d.datname = $1 AND s.query NOT ILIKE '%pg_stat_statements%'""",
        database,
    )
