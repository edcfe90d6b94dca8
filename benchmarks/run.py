"""The benchmark: our server against PostGraphile v4 and v5 on the same synthetic database.

Run it with `benchmarks/run --help`. Steps: tools (wrk, postgraphile@4, postgraphile@5 with a
Node 22), a fresh embedded PostgreSQL with pg_stat_statements, migrations, the synthetic
municipality, the three servers, a check of every row (the reads' answers alike and like the
database limit's statement; the write's effect on the row), wrk load per row and server, the
database's own time for each read (db_limit.py), and a report on screen and in
benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import pickle
import re
import shutil
import signal
import sys
import time
from pathlib import Path

import asyncpg
import httpx

from . import data, db_limit, load, plans, queries, servers
from .servers import BENCH_DIR, DATABASE, SetupError

WORK = BENCH_DIR / ".work"
RESULTS = BENCH_DIR / "results"
SERVERS = ("ours", "v4", "v5")
# The write needs many more assessments to cycle through than connections, so that no
# assessment is written by two requests at once (and none is written twice within a second).
WRITE_TARGETS_PER_CONNECTION = 50
# A row whose one request takes long (its time in the check) gets a longer load, so that about
# this many rounds of requests complete on every connection (up to MAX_LOAD_SECONDS).
LOAD_ROUNDS = 4
MAX_LOAD_SECONDS = 60


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100, help="schools in the municipality (default 100)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per row and server (default 10)")
    parser.add_argument("--concurrency", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--workers", type=int, default=1, help="our server's worker processes (default 1)")
    parser.add_argument(
        "--peer-workers",
        type=int,
        default=None,
        help="PostGraphile v4's processes (--cluster-workers); default: as --workers (v5 runs one)",
    )
    parser.add_argument(
        "--queries",
        default="all",
        help=f"comma-separated, of {', '.join(queries.ROWS)}; or all (the default: all but changes and export, "
        "which --national adds)",
    )
    parser.add_argument(
        "--national",
        action="store_true",
        help="measure our server with --units, then again with the rest of Norway loaded beside it (no peers)",
    )
    parser.add_argument(
        "--national-municipalities",
        type=int,
        default=None,
        help="with --national: municipalities in all, the benchmark's included (default 357)",
    )
    parser.add_argument(
        "--national-units",
        type=int,
        default=None,
        help="with --national: units in all, the benchmark's included (default 8,300)",
    )
    parser.add_argument("--keep", action="store_true", help="keep benchmarks/.work (database, logs) afterwards")
    args = parser.parse_args(argv)
    names = [q.strip() for q in args.queries.split(",") if q.strip()]
    if names == ["all"]:
        names = list(queries.NATIONAL_NAMES if args.national else queries.ALL_NAMES)
    unknown = [q for q in names if q not in queries.ROWS]
    if unknown or not names:
        parser.error(f"unknown query {', '.join(unknown) or '(none)'}; choose from {', '.join(queries.ROWS)}")
    # In the table's order: the write last, after the reads have read the data as it was loaded.
    args.queries = [q for q in queries.ROWS if q in names]
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


def check_stream(name, client, endpoints, request, timings: dict[str, float]) -> tuple[str, str] | None:
    """Ask our server for a subscription over multipart HTTP once (its time into `timings`): None
    if every part came without errors and the last says all rows were sent; else the problem."""
    url, _, headers = endpoints["ours"]
    started = time.perf_counter()
    response = client.post(url, json=request.body(), headers={**headers, "Accept": queries.MULTIPART})
    timings["ours"] = time.perf_counter() - started
    text = response.text
    sent = re.findall(r'"rowsSent":\s*(\d+),\s*"rowsTotal":\s*(\d+)', text)
    if response.status_code != 200 or '"errors"' in text:
        return f"ours answers with HTTP {response.status_code} or errors", text[:2000]
    if not sent or sent[-1][0] != sent[-1][1]:
        return "the stream ended before every row was sent", text[-2000:]
    say(f"  {name}: streamed {sent[-1][1]} rows in {len(sent)} parts, {len(text) / 2**20:.1f} MB")
    return None


def check_read(
    name, client, endpoints, requests, db_answer: str | None, timings: dict[str, float], multipart: bool = False
) -> tuple[str, str] | None:
    """Ask each server once (its time into `timings`). None if all answer without errors, the
    peers like ours, and ours like the DB limit's statement; else (what is wrong in one line,
    the details)."""
    if multipart:
        return check_stream(name, client, endpoints, requests["ours"], timings)
    answers = {}
    for server, request in requests.items():
        url, _, headers = endpoints[server]
        started = time.perf_counter()
        answer = ask(client, url, request.body(), headers)
        timings[server] = time.perf_counter() - started
        errors = queries.error_summary(answer)
        if errors:
            first = errors.splitlines()[0].removeprefix("  - ")
            return f"{server} answers with GraphQL errors: {first}", errors
        answers[server] = answer["data"]
    for server in answers:
        if server == "ours":
            continue
        diff = queries.difference(answers["ours"], answers[server], "ours", server, ids="uuid")
        if diff:
            return (
                f"ours and {server} answer differently (the spelling of ids and cursors, enum case and "
                "timestamp format aside)",
                diff,
            )
    if db_answer is not None:
        diff = queries.difference(answers["ours"], json.loads(db_answer), "ours", "db_limit", ids=True)
        if diff:
            return "our server's answer is not the one db_limit.py's statement builds", diff
    found = queries.counts(answers["ours"])
    say(f"  {name}: answers match ({', '.join(f'{k}={v}' for k, v in found.items())})")
    return None


async def check_write(
    client, endpoints, servers_: list[str], connection, concurrency: int, timings: dict[str, float]
) -> tuple[str, str] | None:
    """Write one assessment through each server (its time into `timings`) and read the row back:
    None if each answer has no errors and shows the row as written, the row holds the new level
    and comment, and our write raised the version by one and answered with it; else (the
    problem, the details)."""
    targets = await queries.write_targets(connection)
    needed = WRITE_TARGETS_PER_CONNECTION * concurrency
    if len(targets) < needed:
        return (
            f"only {len(targets)} assessments on editable reports; the write needs {needed} "
            f"({WRITE_TARGETS_PER_CONNECTION} per connection): give more --units",
            "",
        )
    for i, server in enumerate(servers_):
        target = targets[i]
        before = await connection.fetchrow("SELECT level, version FROM assessment WHERE id = $1", target.row_id)
        level = queries.LEVELS[(queries.LEVELS.index(before["level"]) + 1) % len(queries.LEVELS)]
        comment = f"Kontroll av skrivingen ({server})"
        url, _, headers = endpoints[server]
        request = queries.write_request(server, target, level, comment)
        started = time.perf_counter()
        answer = ask(client, url, request.body(), headers)
        timings[server] = time.perf_counter() - started
        assessment, payload_errors = queries.written(server, answer)
        errors = queries.error_summary(answer) or (
            json.dumps(payload_errors, ensure_ascii=False) if payload_errors else None
        )
        if errors:
            return f"{server}'s write answers with errors", errors
        after = await connection.fetchrow("SELECT level, comment, version FROM assessment WHERE id = $1", target.row_id)
        wrong = []
        if assessment is None or queries.row_uuid(assessment.get("id", "")) != str(target.row_id):
            wrong.append(f"the answer shows {assessment!r}, not assessment {target.row_id}")
        elif (assessment.get("level"), assessment.get("comment")) != (level, comment):
            wrong.append(f"the answer shows level/comment {assessment.get('level')!r}/{assessment.get('comment')!r}")
        if (after["level"], after["comment"]) != (level, comment):
            wrong.append(
                f"the row holds level/comment {after['level']!r}/{after['comment']!r}, not {level!r}/{comment!r}"
            )
        if server == "ours":
            if after["version"] != before["version"] + 1:
                wrong.append(f"the version went from {before['version']} to {after['version']}, not up by one")
            if assessment is not None and assessment.get("version") != after["version"]:
                wrong.append(f"the answer's version is {assessment.get('version')}, the row's {after['version']}")
        if wrong:
            return f"{server}'s write did not write what it was asked to", "\n".join(wrong)
    say(f"  save_assessment: each server writes the row as asked ({len(targets)} assessments to cycle through)")
    return None


# --- the run -----------------------------------------------------------------------------------


def machine_info(postgres_version: str, versions: dict[str, str], wrk: str) -> dict:
    return {
        **servers.machine(postgres_version, wrk, "benchmarks/run"),
        "node": servers.first_line(["node", "--version"]),
        "node_v5": versions["node_v5"],
        "postgraphile": versions["v4"],
        "postgraphile_v5": versions["v5"],
    }


async def wrk_script(connection, path: Path, server: str, headers: dict, read: queries.Request | None) -> Path:
    """The wrk script of a read (its one body), or of the write, with the assessments to write
    and their versions as the database holds them now."""
    if read is not None:
        return load.write_script(path, read.body(), headers)
    targets = await queries.write_targets(connection)
    template = queries.write_template(server)
    return load.write_write_script(path, template, targets, queries.LEVELS, headers, track=server == "ours")


def token(env, role: str, municipality: str) -> str:
    argv = ["token", "create", "--role", role, "--municipality", municipality, "--hours", "24"]
    return servers.kvalitet_cli(argv, env, WORK).strip().splitlines()[-1]


async def measure(args, wrk: str, versions: dict[str, str]) -> tuple[dict, list[str]]:
    """Everything between starting the database and stopping it; returns results and problems."""
    WORK.mkdir(parents=True, exist_ok=True)
    started: list[servers.Process] = []
    pg = connection = database = None
    try:
        say("starting PostgreSQL (embedded, with pg_stat_statements) …")
        pg = servers.start_postgres(WORK / "pgdata")
        url = pg.url(DATABASE)
        socket_dir = url.query["host"]
        database_url = url.render_as_string(hide_password=False)
        connection = await asyncpg.connect(host=socket_dir, port=url.port, user=url.username, database=DATABASE)
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
        if args.national:
            from kvalitet.db import Database

            logged = await connection.fetchval("SELECT max(id) FROM change_log")

            from . import council_draft, national  # they import this module's `say`

            # The council-report draft is drawn in this process (council_draft.py), from the
            # figures its import stores now, before either size is measured.
            database = Database(database_url, pool_size=1)
            draw, _ = await council_draft.drawer(database, connection, dataset)

        peers = () if args.national else ("v4", "v5")
        ports = {server: servers.free_port() for server in ("ours", *peers)}
        say(f"starting our server (port {ports['ours']}, {args.workers} worker(s)) …")
        ours = servers.start_ours(env, WORK, ports["ours"], args.workers, started)
        floor = floor_url = None
        if any(queries.ROWS[name].db_limit for name in args.queries):
            # The floor: db_limit.py's statements served over HTTP by uvicorn and nothing else.
            floor_arguments = WORK / "floor-arguments.pickle"
            floor_arguments.write_bytes(
                pickle.dumps({name: db_limit.arguments(name, dataset) for name in db_limit.STATEMENTS})
            )
            say("starting the floor (benchmarks/floor.py) …")
            floor_port = servers.free_port()
            floor_url = f"http://127.0.0.1:{floor_port}/"
            floor = servers.start_floor(
                socket_dir, url.port or 5432, url.username, floor_arguments, WORK, floor_port, started
            )
        # After the server: it makes the key in its data directory that tokens are signed with.
        # The reads as the municipality's sector admin; the write as a unit leader of all its
        # units (a sector admin reviews reports, but does not write them).
        read_token = token(env, "sector_admin", dataset.municipality_number)
        write_token = token(env, "unit_leader", dataset.municipality_number)
        processes = {"ours": ours}
        if not args.national:
            say(f"starting PostGraphile {versions['v4']} (port {ports['v4']}) …")
            processes["v4"] = servers.start_peer(
                f"postgres://{url.username}@/{DATABASE}?host={socket_dir}",
                WORK,
                ports["v4"],
                args.peer_workers,
                started,
            )
            say(f"starting PostGraphile {versions['v5']} on Node {versions['node_v5']} (port {ports['v5']}) …")
            processes["v5"] = servers.start_peer5(socket_dir, url.port or 5432, WORK, ports["v5"], started)
        read_endpoints = {
            server: (f"http://127.0.0.1:{ports[server]}/graphql", processes[server], {}) for server in processes
        }
        write_endpoints = dict(read_endpoints)
        # As a browser asks: a language (without one, the caller's municipality's is looked up once a minute).
        ask_as = {"Accept-Language": "nb"}
        read_endpoints["ours"] = (*read_endpoints["ours"][:2], {**ask_as, "Authorization": f"Bearer {read_token}"})
        write_endpoints["ours"] = (*write_endpoints["ours"][:2], {**ask_as, "Authorization": f"Bearer {write_token}"})

        info = machine_info(postgres_version, versions, wrk)
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

        async def measure_rows(entries: dict, *, explain: bool = False) -> None:
            """Check, then load, each row of args.queries on its servers, into `entries`."""
            say("checking that the servers answer alike, and like one SQL statement …")
            dataset.feed_cursor = await queries.latest_change_cursor(connection, dataset.municipality_number)
            valid = []
            first_seconds: dict[str, dict[str, float]] = {name: {} for name in args.queries}
            with httpx.Client(timeout=300) as client:
                for name in args.queries:
                    row = queries.ROWS[name]
                    servers_ = ["ours", *(p for p in row.peers if p in processes)]
                    if row.write:
                        problem = await check_write(
                            client, write_endpoints, servers_, connection, args.concurrency, first_seconds[name]
                        )
                    else:
                        db_answer = await db_limit.answer(connection, name, dataset) if row.db_limit else None
                        requests = {s: r for s, r in queries.read_requests(name, dataset).items() if s in servers_}
                        problem = check_read(
                            name, client, read_endpoints, requests, db_answer, first_seconds[name], row.multipart
                        )
                    if problem:
                        summary, detail = problem
                        say(f"  {name}: NOT MEASURED: {summary}\n{detail}")
                        problems.append(f"{name}: {summary}")
                        entries[name] = {"error": summary, "detail": detail}
                    else:
                        valid.append(name)
                        entries[name] = {}

            warmup = max(1, min(3, args.duration // 3))
            latency_seconds = max(2, args.duration // 2)
            for name in valid:
                row = queries.ROWS[name]
                entry = entries[name]
                endpoints = write_endpoints if row.write else read_endpoints
                reads = None if row.write else queries.read_requests(name, dataset)
                for server in ["ours", *(p for p in row.peers if p in processes)]:
                    url_, process, headers = endpoints[server]
                    if row.multipart:
                        headers = {**headers, "Accept": queries.MULTIPART}
                    path = WORK / f"{name}-{server}.lua"
                    read = None if reads is None else reads[server]
                    first = first_seconds[name].get(server, 0.0)
                    seconds = max(
                        args.duration, min(MAX_LOAD_SECONDS, math.ceil(LOAD_ROUNDS * args.concurrency * first))
                    )
                    alone_seconds = max(latency_seconds, min(MAX_LOAD_SECONDS, math.ceil(LOAD_ROUNDS * first)))
                    say(
                        f"\n== {name} on {server}: warm-up {warmup:g} s, then {seconds:g} s at {args.concurrency} "
                        "connection(s)"
                    )
                    warm = load.run_wrk(
                        wrk,
                        url_,
                        await wrk_script(connection, path, server, headers, read),
                        seconds=warmup,
                        connections=args.concurrency,
                    )
                    load.wait_idle([process.pid, postmaster])
                    loaded = await wrk_script(connection, path, server, headers, read)
                    await load.reset_statements(connection)
                    cpu_before = (load.cpu_seconds(process.pid), load.cpu_seconds(postmaster))
                    with load.PeakRss({"server": process.pid}) as rss:
                        result = load.run_wrk(wrk, url_, loaded, seconds=seconds, connections=args.concurrency)
                    cpu_after = (load.cpu_seconds(process.pid), load.cpu_seconds(postmaster))
                    statements, utility, by_query = await load.count_statements(connection, DATABASE)
                    blocks = await load.count_blocks(connection, DATABASE)
                    say(result.output)
                    n = max(result.requests, 1)
                    entry[server] = {
                        "rps": round(result.rps, 2),
                        "p50_ms": round(result.p50_ms, 2),
                        "p99_ms": round(result.p99_ms, 2),
                        "requests": result.requests,
                        "seconds": round(result.seconds, 1),
                        "failed": result.failed,
                        "mb_per_request": round(result.bytes / n / 2**20, 3),
                        "statements_per_request": round(statements / n, 2),
                        "utility_per_request": round(utility / n, 2),
                        "blocks_per_request": round(blocks / n, 1),
                        "peak_rss_mb": round(rss.peak_mb["server"], 1),
                        "server_cpu_ms_per_request": round((cpu_after[0] - cpu_before[0]) * 1000 / n, 2),
                        "postgres_cpu_ms_per_request": round((cpu_after[1] - cpu_before[1]) * 1000 / n, 2),
                        "top_statements": [
                            {"per_request": round(c / n, 2), "query": " ".join(q.split())[:300]}
                            for c, q in by_query[:6]
                        ],
                    }
                    if explain and server == "ours":
                        # The plans of the statements the load ran (those run at least once in
                        # every other request): no sequential scan of a large table.
                        hot = [q for c, q in by_query if c * 2 >= n]
                        entry[server]["plans"] = await plans.check(connection, hot, queries.ROWS[name].settings)
                        for plan in entry[server]["plans"]:
                            for scan in plan["seq_scans"]:
                                problems.append(f"{name}: a sequential scan of {scan} in `{plan['query'][:100]}`")
                    # Latency of a request alone (one connection): what the database limit, itself
                    # timed one statement at a time, is compared with.
                    # With --national, twice at each size, and the better run counts: a p99 of
                    # one 5-second run on a shared 2-core machine is often a neighbour's.
                    # Against the database limit, in rounds: each run alone, then the statement
                    # timed at once (a ratio of two figures taken minutes apart on a shared
                    # machine swung 1.8–4.6× for the same build); the median round's ratio counts.
                    limited = row.db_limit and server == "ours"
                    rounds = max(ALONE_RUNS if args.national else 1, DB_LIMIT_ROUNDS if limited else 1)
                    runs, db_times, floor_runs = [], [], []
                    for _ in range(rounds):
                        load.wait_idle([process.pid, postmaster])
                        say(f"== {name} on {server}: {alone_seconds:g} s at 1 connection (latency)")
                        alone = load.run_wrk(
                            wrk,
                            url_,
                            await wrk_script(connection, path, server, headers, read),
                            seconds=alone_seconds,
                            connections=1,
                        )
                        say(alone.output)
                        runs.append(alone)
                        if limited:
                            load.wait_idle([process.pid, postmaster])
                            db_times.append(await db_limit.median_ms(connection, name, dataset))
                            say(f"   its statement alone: {db_times[-1]:.2f} ms (median of 30)")
                        if limited and floor is not None and floor_url is not None:
                            load.wait_idle([floor.pid, postmaster])
                            floor_runs.append(
                                load.run_wrk(
                                    wrk,
                                    floor_url,
                                    load.write_script(WORK / f"{name}-floor.lua", {"statement": name}, {}),
                                    seconds=alone_seconds,
                                    connections=1,
                                )
                            )
                            say(f"   the statement over HTTP (the floor): {floor_runs[-1].p50_ms:.2f} ms at p50")
                    best = min(runs, key=lambda run: run.p99_ms)
                    entry[server].update(
                        {
                            "p50_1_ms": round(best.p50_ms, 2),
                            "p99_1_ms": round(best.p99_ms, 2),
                            "failed_1": sum(run.failed for run in runs),
                        }
                    )
                    if len(runs) > 1:
                        entry[server]["p99_1_runs_ms"] = [round(run.p99_ms, 2) for run in runs]
                    if db_times:
                        ratios = [run.p50_ms / db if db else None for run, db in zip(runs, db_times, strict=True)]
                        middle = sorted(range(len(runs)), key=lambda i: ratios[i] or 0)[len(runs) // 2]
                        entry[server]["p50_1_ms"] = round(runs[middle].p50_ms, 2)  # the median round's
                        entry["db_limit_ms"] = round(db_times[middle], 2)
                        entry["ratio_db_limit"] = None if ratios[middle] is None else round(ratios[middle], 2)
                        entry["db_limit_rounds"] = [
                            {
                                "ours_ms": round(run.p50_ms, 2),
                                "db_limit_ms": round(db, 2),
                                "ratio": None if r is None else round(r, 2),
                            }
                            for run, db, r in zip(runs, db_times, ratios, strict=True)
                        ]
                        if floor_runs:
                            # The same round's floor: the statement served over HTTP by floor.py.
                            floor_ms = floor_runs[middle].p50_ms
                            entry["floor_ms"] = round(floor_ms, 2)
                            entry["ratio_floor"] = round(runs[middle].p50_ms / floor_ms, 2) if floor_ms else None
                            entry["floor_ratio_db_limit"] = (
                                round(floor_ms / db_times[middle], 2) if db_times[middle] else None
                            )
                            for round_, floor_run in zip(entry["db_limit_rounds"], floor_runs, strict=True):
                                round_["floor_ms"] = round(floor_run.p50_ms, 2)
                    for problem in (
                        warm.problems("warm-up", may_be_empty=True)
                        + result.problems()
                        + [p for run in runs for p in run.problems("1 connection")]
                    ):
                        problems.append(f"{name} on {server}: {problem}")
                        say(f"  PROBLEM: {problem}")
                    load.wait_idle([process.pid, postmaster])
                for peer in row.peers:
                    if peer in entry:
                        rps = entry[peer]["rps"]
                        entry[f"ratio_{peer}"] = round(entry["ours"]["rps"] / rps, 2) if rps else None

        await measure_rows(results["queries"])
        if args.national:
            results["council_draft"] = await council_draft.timed(draw)
            # The write row logged its changes: gone again, so that the municipality's export and
            # change feed hold the same rows at both sizes.
            await connection.execute("DELETE FROM change_log WHERE id > $1", logged)
            say(f"\n== national: the rest of Norway beside the {args.units} units …")
            loaded = await national.load(
                connection,
                database_url,
                own_units=args.units,
                municipalities=args.national_municipalities or national.MUNICIPALITIES,
                units=args.national_units or national.UNITS,
                progress=say,
            )
            say(
                f"loaded {loaded.municipalities} municipalities, {loaded.units} units in {loaded.seconds:.0f} s; "
                f"database {loaded.database_mb:.0f} MB"
            )
            results["national"] = {
                "municipalities": loaded.municipalities + 1,
                "units": loaded.units + args.units,
                "rows": loaded.rows,
                "load_s": round(loaded.seconds, 1),
                "database_mb": loaded.database_mb,
                "queries": {},
            }
            load.wait_idle([ours.pid, postmaster])
            await measure_rows(results["national"]["queries"], explain=True)
            results["national"]["council_draft"] = await council_draft.timed(draw)
            results["national"]["comparison"] = compare(
                {**results["queries"], "council_draft": results["council_draft"]},
                {**results["national"]["queries"], "council_draft": results["national"]["council_draft"]},
            )
            for name, ratios in results["national"]["comparison"].items():
                for missed in ratios.get("missed", []):
                    problems.append(f"{name} at national size: {missed}")
        return results, problems
    finally:
        if connection is not None:
            connection.terminate()
        if database is not None:
            await database.dispose()
        for process in reversed(started):
            process.stop()
        if pg is not None:
            pg.stop()


# The national targets: a query's p99 under load within 1.5× of its figure at --units, the
# write's throughput within 1.5× (at least 1/1.5 of it), memory flat (the same 1.5×). The p99
# alone is shown, not a target: in three runs on a 2-core machine, of builds that did not
# change the page's path, its p99 alone went 2.25×, 0.89× and 3.55× its small figure (a
# 5-second run's worst requests are likely the machine's pauses) and its p99 under load (4
# connections, 10 s) 0.94×, 0.8× and 1.33×. The council draft, drawn in process, is held to
# its p99 of 100 draws.
NATIONAL_LIMIT = 1.5
# Runs of the latency alone per row and size with --national (the lower p99 counts).
ALONE_RUNS = 2
# Rounds of (our latency alone, the database limit's statement) per read (the median round's
# ratio counts).
DB_LIMIT_ROUNDS = 3


def compare(small: dict, large: dict) -> dict:
    """Each row at national size against itself at --units: p99 (under load and alone), the
    write's throughput, and the server's peak memory, as ratios (national / small)."""
    found = {}
    for name, entry in large.items():
        before = small.get(name, {})
        if "error" in entry or "error" in before or not before:
            continue
        if name == "council_draft":
            ratios = {
                "p99_1": _ratio(entry["p99_ms"], before["p99_ms"]),
                "p50_1": _ratio(entry["p50_ms"], before["p50_ms"]),
            }
        else:
            ours, was = entry["ours"], before["ours"]
            ratios = {
                "p99": _ratio(ours["p99_ms"], was["p99_ms"]),
                "p99_1": _ratio(ours["p99_1_ms"], was["p99_1_ms"]),
                "p50_1": _ratio(ours["p50_1_ms"], was["p50_1_ms"]),
                "rps": _ratio(ours["rps"], was["rps"]),
                "blocks": _ratio(ours["blocks_per_request"], was["blocks_per_request"]),
                "peak_rss": _ratio(ours["peak_rss_mb"], was["peak_rss_mb"]),
            }
        missed = []
        if queries.ROWS.get(name) is not None and queries.ROWS[name].write:
            if ratios["rps"] is not None and ratios["rps"] < 1 / NATIONAL_LIMIT:
                missed.append(
                    f"throughput {ratios['rps']}× its figure at the small size (target ≥ {1 / NATIONAL_LIMIT:.2f})"
                )
        elif name == "council_draft":
            if ratios["p99_1"] is not None and ratios["p99_1"] > NATIONAL_LIMIT:
                missed.append(f"p99 {ratios['p99_1']}× its figure at the small size (target ≤ {NATIONAL_LIMIT})")
        elif ratios["p99"] is not None and ratios["p99"] > NATIONAL_LIMIT:
            missed.append(f"p99 {ratios['p99']}× its figure at the small size (target ≤ {NATIONAL_LIMIT})")
        # The blocks are shown, not a target: the same answer touches more of them in a shared
        # table (each index a level or two deeper, one tenant's index entries and rows among
        # others' pages). Whether a statement reads other tenants' rows is its plan's to say.
        if ratios.get("peak_rss") is not None and ratios["peak_rss"] > NATIONAL_LIMIT:
            missed.append(f"peak memory {ratios['peak_rss']}× (target ≤ {NATIONAL_LIMIT})")
        ratios["missed"] = missed
        found[name] = ratios
    return found


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


# --- output ------------------------------------------------------------------------------------

COLUMNS = [
    ("load s", "seconds"),
    ("rps", "rps"),
    ("p50 ms", "p50_ms"),
    ("p99 ms", "p99_ms"),
    ("p50 ms alone", "p50_1_ms"),
    ("p99 ms alone", "p99_1_ms"),
    ("failed", "failed"),
    ("stmts/req", "statements_per_request"),
    ("utility/req", "utility_per_request"),
    ("peak RSS MB", "peak_rss_mb"),
    ("server CPU ms/req", "server_cpu_ms_per_request"),
    ("PG CPU ms/req", "postgres_cpu_ms_per_request"),
]


def _servers(entry: dict) -> list[str]:
    return [server for server in SERVERS if server in entry]


def _number(value, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def table(name: str, entry: dict) -> list[str]:
    header = "| server | " + " | ".join(c for c, _ in COLUMNS) + " |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 1)]
    for server in _servers(entry):
        lines.append(f"| {server} | " + " | ".join(f"{entry[server][k]:g}" for _, k in COLUMNS) + " |")
    notes = [f"ours/{peer} rps: **{_number(entry.get(f'ratio_{peer}'))}**" for peer in ("v4", "v5") if peer in entry]
    if "db_limit_ms" in entry:
        notes.append(
            f"database limit (one SQL statement): **{entry['db_limit_ms']} ms**; our latency alone / database "
            f"limit: **{_number(entry['ratio_db_limit'])}**"
        )
    if "floor_ms" in entry:
        notes.append(
            f"the statement served over HTTP by nothing else (the floor, floor.py): **{entry['floor_ms']} ms**, "
            f"{_number(entry['floor_ratio_db_limit'])}× the statement; our latency alone / the floor: "
            f"**{_number(entry['ratio_floor'])}**"
        )
    if entry.get("db_limit_rounds"):
        rounds = ", ".join(
            f"{r['ours_ms']:g} / {r['db_limit_ms']:g} = {_number(r['ratio'])}"
            + (f" (floor {r['floor_ms']:g})" if "floor_ms" in r else "")
            for r in entry["db_limit_rounds"]
        )
        notes.append(f"rounds (ours ms / statement ms), the median counts: {rounds}")
    lines.append("\n" + "; ".join(notes) if notes else "")
    return lines


def result_line(name: str, entry: dict) -> str:
    if "error" in entry:
        return f"RESULT query={name} error={json.dumps(entry['error'], ensure_ascii=False)}"
    ours = entry["ours"]
    fields = [f"query={name}", f"ours_rps={ours['rps']:.2f}"]
    if queries.ROWS[name].write:
        fields += [
            f"ours_p50_ms={ours['p50_ms']:.2f}",
            f"ours_p99_ms={ours['p99_ms']:.2f}",
            f"ours_stmts_per_req={ours['statements_per_request']:g}",
            f"ours_failed={ours['failed'] + ours['failed_1']}",
        ]
        for peer in ("v4", "v5"):
            if peer in entry:
                fields += [
                    f"{peer}_rps={entry[peer]['rps']:.2f}",
                    f"{peer}_p50_ms={entry[peer]['p50_ms']:.2f}",
                    f"{peer}_failed={entry[peer]['failed'] + entry[peer]['failed_1']}",
                ]
        fields += [f"ratio_{peer}={_number(entry.get(f'ratio_{peer}'))}" for peer in ("v4", "v5") if peer in entry]
        return "RESULT " + " ".join(fields)
    fields += [f"{peer}_rps={entry[peer]['rps']:.2f}" for peer in ("v4", "v5") if peer in entry]
    fields += [f"ratio_{peer}={_number(entry.get(f'ratio_{peer}'))}" for peer in ("v4", "v5") if peer in entry]
    fields.append(f"ours_ms={ours['p50_1_ms']:.2f}")
    if "db_limit_ms" in entry:
        fields += [f"db_limit_ms={entry['db_limit_ms']:.2f}", f"ratio_db_limit={_number(entry['ratio_db_limit'])}"]
    if "floor_ms" in entry:
        fields += [f"floor_ms={entry['floor_ms']:.2f}", f"ratio_floor={_number(entry['ratio_floor'])}"]
    return "RESULT " + " ".join(fields)


def report(results: dict, problems: list[str]) -> None:
    m = results["machine"]
    markdown = [
        f"# Benchmark: {results['units']} units",
        "",
        (
            f"`{m['command']}`: {results['duration_s']:g} s per row and server, {results['concurrency']} "
            f"connection(s), our server with {results['workers']} worker(s), PostGraphile v4 with "
            f"{results['peer_workers']} process(es), PostGraphile v5 with one."
        ),
        "",
        (
            f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; {m['os']}; Python {m['python']}, "
            f"PostgreSQL {m['postgresql']}, PostGraphile {m['postgraphile']} on Node {m['node']}, PostGraphile "
            f"{m['postgraphile_v5']} on Node {m['node_v5']}, {m['wrk']}; kvalitet {m['kvalitet_commit']}."
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
            for server in _servers(entry):
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
    if "national" in results:
        national_lines = national_report(results)
        markdown += national_lines
        say("\n".join(national_lines))
        lines += national_result_lines(results)
    markdown += ["", "```", *lines, "```", ""]
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / ("national" if "national" in results else f"{results['units']}-units")
    stem.with_suffix(".md").write_text("\n".join(markdown))
    results["problems"] = problems
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    say(f"\nwrote {stem.with_suffix('.md').relative_to(BENCH_DIR.parent)} and .json")
    if problems:
        say("\nPROBLEMS:\n" + "\n".join(f"- {p}" for p in problems))
    say("")
    for line in lines:
        say(line)


NATIONAL_COLUMNS = [
    ("p50 ms alone", "p50_1_ms"),
    ("p99 ms alone", "p99_1_ms"),
    ("p99 ms", "p99_ms"),
    ("rps", "rps"),
    ("stmts/req", "statements_per_request"),
    ("blocks/req", "blocks_per_request"),
    ("peak RSS MB", "peak_rss_mb"),
]


def national_report(results: dict) -> list[str]:
    """Each row at --units and at national size side by side, with the ratios and the plans."""
    n = results["national"]
    lines = [
        "",
        f"## National size: {n['municipalities']} municipalities, {n['units']} units",
        "",
        f"Loaded beside the benchmark's municipality in {n['load_s']:g} s (COPY; national statistics through "
        f"kvalitet's import); database {n['database_mb']:g} MB. Rows: "
        + ", ".join(f"{t} {c}" for t, c in n["rows"].items())
        + ".",
        "",
        "| row | size | " + " | ".join(c for c, _ in NATIONAL_COLUMNS) + " |",
        "|" + "---|" * (len(NATIONAL_COLUMNS) + 2),
    ]
    for name, entry in n["queries"].items():
        before = results["queries"].get(name, {})
        for size, found in ((f"{results['units']} units", before), ("national", entry)):
            if "error" in found or "ours" not in found:
                lines.append(f"| {name} | {size} | not measured: {found.get('error', '')} |")
                continue
            lines.append(
                f"| {name} | {size} | " + " | ".join(f"{found['ours'][k]:g}" for _, k in NATIONAL_COLUMNS) + " |"
            )
    for size, found in ((f"{results['units']} units", results["council_draft"]), ("national", n["council_draft"])):
        lines.append(f"| council_draft (in process) | {size} | {found['p50_ms']:g} | {found['p99_ms']:g} | | | | | |")
    lines += ["", "Ratios (national / small):", ""]
    for name, ratios in n["comparison"].items():
        shown = ", ".join(f"{k} {v}" for k, v in ratios.items() if k != "missed")
        lines.append(f"- {name}: {shown}" + (f" — MISSED: {'; '.join(ratios['missed'])}" if ratios["missed"] else ""))
    lines += ["", "Plans of the statements run in every other request or more (EXPLAIN (GENERIC_PLAN)):", ""]
    for name, entry in n["queries"].items():
        for plan in entry.get("ours", {}).get("plans", []):
            verdict = plan.get("error") or (
                "SEQUENTIAL SCAN of " + ", ".join(plan["seq_scans"])
                if plan["seq_scans"]
                else "indexes " + (", ".join(plan["indexes"]) or "none needed")
            )
            lines.append(f"- {name}: `{plan['query'][:90]}…`: {verdict}")
    return lines


def national_result_lines(results: dict) -> list[str]:
    lines = []
    for name, ratios in results["national"]["comparison"].items():
        entry = results["national"]["queries"].get(name, {})
        scans = sum(len(p["seq_scans"]) for p in entry.get("ours", {}).get("plans", []))
        fields = " ".join(f"ratio_{k}={v}" for k, v in ratios.items() if k != "missed")
        lines.append(f"RESULT national query={name} {fields} seq_scans={scans} missed={len(ratios['missed'])}")
    return lines


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
        if args.national:  # ours only: the peers are not started
            versions = {"v4": "not run", "v5": "not run", "node_v5": "not run"}
        else:
            versions = {"v4": servers.ensure_postgraphile()}
            versions["v5"], versions["node_v5"] = servers.ensure_postgraphile5()
        results, problems = asyncio.run(measure(args, wrk, versions))
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
