"""Fairness between tenants: does one municipality running heavy queries at its limit slow
another down? `python -m benchmarks.fairness` (see benchmarks/README.md, «Fairness»).

On a fresh embedded PostgreSQL with the synthetic municipality (9999, tenant A) and the demo
data (Drammen 3301, tenant B), our server runs with a budget per municipality
(`KVALITET_RATE_LIMIT_TENANT_COST_PER_MINUTE`). Tenant B asks a light query one request at a
time, first alone, then while tenant A's sector admin sends the heavy dashboard query (every
unit with its reports and assessments) from several connections without pause. B's latency
under A's load is compared with B's alone; the same is then done with no limits, to show what
the limits change. A's answers are counted: run (200) and refused (429).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from . import data, servers, standalone
from .run import WORK, say, token

# Every unit of A's municipality with its two reports and their 50 assessments: about 10,000
# objects (the query cost estimates 2,703) and some 50 ms of work.
HEAVY = """{ municipality(number: "9999") { units(first: 100) { nodes { name
  reports(first: 2) { nodes { status assessments(first: 50) { level comment } } } } } } }"""
LIGHT = '{ municipality(number: "3301") { name units(first: 10) { totalCount nodes { name kind } } } }'


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _b_latencies(url: str, headers: dict, count: int) -> list[float]:
    found = []
    async with httpx.AsyncClient(timeout=60) as client:
        for _ in range(count):
            started = time.perf_counter()
            answer = await client.post(url, json={"query": LIGHT}, headers=headers)
            found.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200 or "errors" in answer.json():
                raise servers.SetupError(f"tenant B's query failed: {answer.status_code} {answer.text[:300]}")
    return found


async def _a_load(url: str, headers: dict, connections: int, stop: asyncio.Event) -> dict[int, int]:
    counts: dict[int, int] = {}

    async def one() -> None:
        async with httpx.AsyncClient(timeout=120) as client:
            while not stop.is_set():
                answer = await client.post(url, json={"query": HEAVY}, headers=headers)
                counts[answer.status_code] = counts.get(answer.status_code, 0) + 1
                if answer.status_code == 429:  # as a well-behaved client: wait as told (at most a second)
                    await asyncio.sleep(min(1.0, float(answer.headers.get("retry-after", "1"))))

    await asyncio.gather(*(one() for _ in range(connections)))
    return counts


async def _round(env: dict, label: str, args) -> dict:
    started: list[servers.Process] = []
    port = servers.free_port()
    try:
        servers.start_ours(env, WORK, port, 1, started)
        url = f"http://127.0.0.1:{port}/graphql"
        a = {"Authorization": f"Bearer {token(env, 'sector_admin', '9999')}", "Accept-Language": "nb"}
        b = {"Authorization": f"Bearer {token(env, 'sector_admin', '3301')}", "Accept-Language": "nb"}
        await _b_latencies(url, b, 20)  # warm-up
        alone = await _b_latencies(url, b, args.requests)
        stop = asyncio.Event()
        load = asyncio.create_task(_a_load(url, a, args.connections, stop))
        await asyncio.sleep(2)  # A's load under way
        loaded = await _b_latencies(url, b, args.requests)
        stop.set()
        a_counts = await load
    finally:
        for process in reversed(started):
            process.stop()
    found = {
        "b_alone_p50_ms": round(statistics.median(alone), 2),
        "b_alone_p95_ms": round(_p(alone, 0.95), 2),
        "b_loaded_p50_ms": round(statistics.median(loaded), 2),
        "b_loaded_p95_ms": round(_p(loaded, 0.95), 2),
        "a_ran": a_counts.get(200, 0),
        "a_refused": a_counts.get(429, 0),
    }
    found["ratio_p95"] = round(found["b_loaded_p95_ms"] / found["b_alone_p95_ms"], 2)
    say(f"RESULT query=fairness limits={label} " + " ".join(f"{k}={v}" for k, v in found.items()))
    return found


async def measure(args) -> None:
    async with standalone.fresh_database() as fresh:
        await data.load(fresh.connection, args.units)  # tenant A: 9999
        servers.kvalitet_cli(["demo"], fresh.env, WORK)  # tenant B: Drammen 3301 (and the other demo municipalities)
        limited = {**fresh.env, "KVALITET_RATE_LIMIT_TENANT_COST_PER_MINUTE": str(args.tenant_limit)}
        say(f"tenant limit {args.tenant_limit} cost units a minute; A: {args.connections} connections")
        await _round(limited, f"tenant:{args.tenant_limit}", args)
        await _round(fresh.env, "none", args)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fairness", description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100, help="units of tenant A's municipality (default 100)")
    parser.add_argument(
        "--tenant-limit", type=int, default=30_000, help="cost units a minute per municipality (default 30,000)"
    )
    parser.add_argument("--connections", type=int, default=4, help="tenant A's connections (default 4)")
    parser.add_argument("--requests", type=int, default=400, help="tenant B's requests per measure (default 400)")
    args = parser.parse_args(argv)
    return standalone.run(lambda: measure(args))


if __name__ == "__main__":
    raise SystemExit(main())
