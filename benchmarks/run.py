"""The benchmark: our server against PostGraphile v4 on the same synthetic database.

Run it with `benchmarks/run --help`. Steps: tools (wrk, postgraphile@4), a fresh embedded
PostgreSQL with pg_stat_statements, migrations, the synthetic municipality, both servers, an
equivalence check of every query's answers, wrk load per query and server, the database's own
time for each query (db_limit.py), and a report on screen and in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

from . import data, db_limit, load, queries, servers
from .servers import BENCH_DIR, DATABASE, SetupError

WORK = BENCH_DIR / ".work"
RESULTS = BENCH_DIR / "results"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100, help="schools in the municipality (default 100)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per query and server (default 10)")
    parser.add_argument("--concurrency", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--workers", type=int, default=1, help="our server's worker processes (default 1)")
    parser.add_argument(
        "--peer-workers",
        type=int,
        default=None,
        help="PostGraphile processes (--cluster-workers); default: as --workers",
    )
    parser.add_argument(
        "--queries",
        default=",".join(queries.NAMES),
        help=f"comma-separated, of {', '.join(queries.NAMES)} (default all)",
    )
    parser.add_argument("--keep", action="store_true", help="keep benchmarks/.work (database, logs) afterwards")
    args = parser.parse_args(argv)
    args.queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    unknown = [q for q in args.queries if q not in queries.NAMES]
    if unknown or not args.queries:
        parser.error(f"unknown query {', '.join(unknown) or '(none)'}; choose from {', '.join(queries.NAMES)}")
    if args.units < 1 or args.concurrency < 1 or args.workers < 1 or args.duration <= 0:
        parser.error("--units, --concurrency, --workers and --duration must be positive")
    args.peer_workers = args.peer_workers or args.workers
    return args


def say(text: str = "") -> None:
    print(text, flush=True)


# --- talking to the servers --------------------------------------------------------------------


def ask(client: httpx.Client, url: str, body: dict, headers: dict) -> dict:
    response = client.post(url, json=body, headers=headers)
    try:
        answer = response.json()
    except ValueError:
        answer = {"errors": [{"message": f"HTTP {response.status_code}: {response.text[:300]}"}]}
    if response.status_code != 200 and "errors" not in answer:
        answer["errors"] = [{"message": f"HTTP {response.status_code}"}]
    return answer


def check_query(name, client, targets, db_answer: str) -> tuple[str, str] | None:
    """Ask both servers once. None if both answer without errors, alike, and like the DB
    limit's statement; else (what is wrong in one line, the details)."""
    answers = {}
    for server, (url, request, headers) in targets.items():
        answer = ask(client, url, request.body(), headers)
        errors = queries.error_summary(answer)
        if errors:
            first = errors.splitlines()[0].removeprefix("  - ")
            return f"{server} answers with GraphQL errors: {first}", errors
        answers[server] = answer["data"]
    diff = queries.difference(answers["ours"], answers["peer"], "ours", "peer")
    if diff:
        return "ours and peer answer differently (ids, enum case and timestamp format aside)", diff
    diff = queries.difference(answers["ours"], json.loads(db_answer), "ours", "db_limit", ids=True)
    if diff:
        return "db_limit.py's statement does not build our server's answer", diff
    found = queries.counts(answers["ours"])
    say(f"  {name}: answers match ({', '.join(f'{k}={v}' for k, v in found.items())})")
    return None


# --- the run -----------------------------------------------------------------------------------


def machine_info(postgres_version: str, postgraphile_version: str, wrk: str) -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )

    def version(argv):
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
            return (done.stdout or done.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unknown"

    commit = version(["git", "-C", str(BENCH_DIR.parent), "rev-parse", "--short", "HEAD"])
    dirty = version(["git", "-C", str(BENCH_DIR.parent), "status", "--porcelain", "--untracked-files=no"])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "node": version(["node", "--version"]),
        "postgresql": postgres_version,
        "postgraphile": postgraphile_version,
        "wrk": version([wrk, "-v"]).split(" [")[0],
        "kvalitet_commit": commit + (" (with uncommitted changes)" if dirty not in ("", "unknown") else ""),
        "command": "benchmarks/run " + " ".join(sys.argv[1:]),
    }


async def measure(args, wrk: str, postgraphile_version: str) -> tuple[dict, list[str]]:
    """Everything between starting the database and stopping it; returns results and problems."""
    WORK.mkdir(parents=True, exist_ok=True)
    started: list[servers.Process] = []
    pg = connection = None
    try:
        say("starting PostgreSQL (embedded, with pg_stat_statements) …")
        pg = servers.start_postgres(WORK / "pgdata")
        url = pg.url(DATABASE)
        socket_dir = url.query["host"]
        database_url = url.render_as_string(hide_password=False)
        connection = await asyncpg.connect(host=socket_dir, user=url.username, database=DATABASE)
        await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SET TimeZone = 'UTC'")
        postgres_version = await connection.fetchval("SHOW server_version")

        env = servers.kvalitet_env(database_url, WORK / "data")
        say("migrating …")
        servers.kvalitet_cli(["db", "upgrade"], env, WORK)

        started_at = time.perf_counter()
        dataset = await data.load(connection, args.units)
        say(
            f"loaded {args.units} units in {time.perf_counter() - started_at:.1f} s: "
            + ", ".join(f"{table} {n}" for table, n in dataset.counts.items())
        )

        ours_port, peer_port = servers.free_port(), servers.free_port()
        say(f"starting our server (port {ours_port}, {args.workers} worker(s)) …")
        ours = servers.start_ours(env, WORK, ours_port, args.workers, started)
        # After the server: it makes the key in its data directory that tokens are signed with.
        token = (
            servers.kvalitet_cli(
                [
                    "token",
                    "create",
                    "--role",
                    "sector_admin",
                    "--municipality",
                    dataset.municipality_number,
                    "--hours",
                    "24",
                ],
                env,
                WORK,
            )
            .strip()
            .splitlines()[-1]
        )
        say(f"starting PostGraphile {postgraphile_version} (port {peer_port}) …")
        peer_connection = f"postgres://{url.username}@/{DATABASE}?host={socket_dir}"
        peer = servers.start_peer(peer_connection, WORK, peer_port, args.peer_workers, started)
        endpoints = {
            "ours": (f"http://127.0.0.1:{ours_port}/graphql", ours, {"Authorization": f"Bearer {token}"}),
            "peer": (f"http://127.0.0.1:{peer_port}/graphql", peer, {}),
        }

        info = machine_info(postgres_version, postgraphile_version, wrk)
        results = {
            "units": args.units,
            "duration_s": args.duration,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "peer_workers": args.peer_workers,
            "machine": info,
            "dataset": dataset.counts,
            "queries": {},
        }
        problems: list[str] = []
        postmaster = int((WORK / "pgdata" / "postmaster.pid").read_text().split()[0])

        say("checking that both servers answer alike …")
        valid = []
        with httpx.Client(timeout=120) as client:
            for name in args.queries:
                ours_request, peer_request = queries.requests(name, dataset)
                targets = {
                    "ours": (endpoints["ours"][0], ours_request, endpoints["ours"][2]),
                    "peer": (endpoints["peer"][0], peer_request, endpoints["peer"][2]),
                }
                problem = check_query(name, client, targets, await db_limit.answer(connection, name, dataset))
                if problem:
                    summary, detail = problem
                    say(f"  {name}: NOT MEASURED: {summary}\n{detail}")
                    problems.append(f"{name}: {summary}")
                    results["queries"][name] = {"error": summary, "detail": detail}
                else:
                    valid.append(name)
                    results["queries"][name] = {}

        warmup = max(1, min(3, args.duration // 3))
        latency_seconds = max(2, args.duration // 2)
        for name in valid:
            ours_request, peer_request = queries.requests(name, dataset)
            entry = results["queries"][name]
            for server, request in (("ours", ours_request), ("peer", peer_request)):
                url_, process, headers = endpoints[server]
                script = load.write_script(WORK / f"{name}-{server}.lua", request.body(), headers)
                say(
                    f"\n== {name} on {server}: warm-up {warmup:g} s, then {args.duration:g} s at {args.concurrency} "
                    "connection(s)"
                )
                load.run_wrk(wrk, url_, script, seconds=warmup, connections=args.concurrency)
                load.wait_idle([process.pid, postmaster])
                await load.reset_statements(connection)
                cpu_before = (load.cpu_seconds(process.pid), load.cpu_seconds(postmaster))
                with load.PeakRss({"server": process.pid}) as rss:
                    result = load.run_wrk(wrk, url_, script, seconds=args.duration, connections=args.concurrency)
                cpu_after = (load.cpu_seconds(process.pid), load.cpu_seconds(postmaster))
                statements, utility, by_query = await load.count_statements(connection, DATABASE)
                say(result.output)
                n = max(result.requests, 1)
                entry[server] = {
                    "rps": round(result.rps, 2),
                    "p50_ms": round(result.p50_ms, 2),
                    "p99_ms": round(result.p99_ms, 2),
                    "requests": result.requests,
                    "mb_per_request": round(result.bytes / n / 2**20, 3),
                    "statements_per_request": round(statements / n, 2),
                    "utility_per_request": round(utility / n, 2),
                    "peak_rss_mb": round(rss.peak_mb["server"], 1),
                    "server_cpu_ms_per_request": round((cpu_after[0] - cpu_before[0]) * 1000 / n, 2),
                    "postgres_cpu_ms_per_request": round((cpu_after[1] - cpu_before[1]) * 1000 / n, 2),
                    "top_statements": [
                        {"per_request": round(c / n, 2), "query": " ".join(q.split())[:300]} for c, q in by_query[:6]
                    ],
                }
                # Latency of a request alone (one connection): what the database limit, itself
                # timed one statement at a time, is compared with.
                load.wait_idle([process.pid, postmaster])
                say(f"== {name} on {server}: {latency_seconds:g} s at 1 connection (latency)")
                alone = load.run_wrk(wrk, url_, script, seconds=latency_seconds, connections=1)
                say(alone.output)
                entry[server].update({"p50_1_ms": round(alone.p50_ms, 2), "p99_1_ms": round(alone.p99_ms, 2)})
                for problem in result.problems() + alone.problems():
                    problems.append(f"{name} on {server}: {problem}")
                    say(f"  PROBLEM: {problem}")
            entry["ratio"] = round(entry["ours"]["rps"] / entry["peer"]["rps"], 2) if entry["peer"]["rps"] else None
            load.wait_idle([peer.pid, postmaster])
            entry["db_limit_ms"] = round(await db_limit.median_ms(connection, name, dataset), 2)
        return results, problems
    finally:
        if connection is not None:
            connection.terminate()
        for process in reversed(started):
            process.stop()
        if pg is not None:
            pg.stop()


# --- output ------------------------------------------------------------------------------------

COLUMNS = [
    ("rps", "rps"),
    ("p50 ms", "p50_ms"),
    ("p99 ms", "p99_ms"),
    ("p50 ms alone", "p50_1_ms"),
    ("p99 ms alone", "p99_1_ms"),
    ("stmts/req", "statements_per_request"),
    ("utility/req", "utility_per_request"),
    ("peak RSS MB", "peak_rss_mb"),
    ("server CPU ms/req", "server_cpu_ms_per_request"),
    ("PG CPU ms/req", "postgres_cpu_ms_per_request"),
]


def table(name: str, entry: dict) -> list[str]:
    header = "| server | " + " | ".join(c for c, _ in COLUMNS) + " |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 1)]
    for server in ("ours", "peer"):
        lines.append(f"| {server} | " + " | ".join(f"{entry[server][k]:g}" for _, k in COLUMNS) + " |")
    lines.append(
        f"\nratio ours/peer rps: **{entry['ratio']}**; database limit (one SQL statement): "
        f"**{entry['db_limit_ms']} ms**; our latency alone / database limit: "
        f"**{entry['ours']['p50_1_ms'] / entry['db_limit_ms']:.2f}**"
    )
    return lines


def result_line(name: str, entry: dict) -> str:
    if "error" in entry:
        return f"RESULT query={name} error={json.dumps(entry['error'], ensure_ascii=False)}"
    ratio = "n/a" if entry["ratio"] is None else f"{entry['ratio']:.2f}"
    return (
        f"RESULT query={name} ours_rps={entry['ours']['rps']:.2f} peer_rps={entry['peer']['rps']:.2f} "
        f"ratio={ratio} db_limit_ms={entry['db_limit_ms']:.2f} ours_ms={entry['ours']['p50_1_ms']:.2f}"
    )


def report(results: dict, problems: list[str]) -> None:
    m = results["machine"]
    markdown = [
        f"# Benchmark: {results['units']} units",
        "",
        (
            f"`{m['command']}`: {results['duration_s']:g} s per query and server, {results['concurrency']} "
            f"connection(s), our server with {results['workers']} worker(s), PostGraphile with "
            f"{results['peer_workers']} process(es)."
        ),
        "",
        (
            f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; {m['os']}; Python {m['python']}, "
            f"Node {m['node']}, PostgreSQL {m['postgresql']}, PostGraphile {m['postgraphile']}, {m['wrk']}; "
            f"kvalitet {m['kvalitet_commit']}."
        ),
        "",
        "Data: " + ", ".join(f"{t} {n}" for t, n in results["dataset"].items()) + ".",
    ]
    say("\n" + "=" * 100)
    for name, entry in results["queries"].items():
        markdown += ["", f"## {name}", ""]
        say(f"\n{name}")
        if "error" in entry:
            markdown += [f"Not measured: {entry['error']}.", "", "```", entry["detail"], "```"]
            say(f"not measured: {entry['error']}")
        else:
            markdown += table(name, entry) + ["", "The most frequent statements, per request:", ""]
            for server in ("ours", "peer"):
                markdown += [
                    f"- {server}: "
                    + "; ".join(
                        f"{s['per_request']:g} × `{s['query'][:70]}{'…' if len(s['query']) > 70 else ''}`"
                        for s in entry[server]["top_statements"]
                    )
                ]
            say("\n".join(table(name, entry)))
    if problems:
        markdown += ["", "## Problems", ""] + [f"- {p}" for p in problems]
    lines = [result_line(name, entry) for name, entry in results["queries"].items()]
    markdown += ["", "```", *lines, "```", ""]
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"{results['units']}-units"
    stem.with_suffix(".md").write_text("\n".join(markdown))
    results["problems"] = problems
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
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
    # Ctrl-C and SIGTERM stop the run where it is (asyncio.run would wait for the next await),
    # and the `finally` blocks stop everything the run started.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        wrk = servers.ensure_wrk()
        postgraphile_version = servers.ensure_postgraphile()
        results, problems = asyncio.run(measure(args, wrk, postgraphile_version))
    except SetupError as error:
        say(f"\nbenchmark setup failed: {error}")
        return 2
    except KeyboardInterrupt:
        say("\ninterrupted; everything it started is stopped")
        return 130
    finally:
        if not args.keep and WORK.exists():
            shutil.rmtree(WORK, ignore_errors=True)
    report(results, problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
