"""The plans of the statements a load ran: `benchmarks/run --national` checks that none reads a
large table from end to end (a sequential scan over other tenants' rows).

The statements come from pg_stat_statements, normalized (constants are `$n` there), so each is
planned with `EXPLAIN (GENERIC_PLAN)` (PostgreSQL 16 and later): the plan a prepared statement
gets when its parameters are not looked at, which is what the server's prepared statements run
once PostgreSQL has settled on a generic plan.
"""

from __future__ import annotations

import json

import asyncpg

# A sequential scan of a table this large is reported (the tenant tables at national size hold
# from 8,300 rows, units, to millions, assessments; the small ones, like municipalities and the
# profile-wide indicators, may be scanned).
LARGE_ROWS = 5_000
PLANNED = ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")
# EXPLAIN with `$n` in its text and no values must go by the simple query protocol, which
# asyncpg uses only for statements that return nothing: a function runs it on the server.
PLAN_OF = """CREATE OR REPLACE FUNCTION pg_temp.plan_of(statement text) RETURNS json LANGUAGE plpgsql AS $f$
DECLARE found json;
BEGIN
  EXECUTE 'EXPLAIN (GENERIC_PLAN, FORMAT JSON) ' || statement INTO found;
  RETURN found;
END $f$"""


def _scans(node: dict, sizes: dict[str, float]) -> list[str]:
    found = []
    relation = node.get("Relation Name")
    if node.get("Node Type") == "Seq Scan" and relation and sizes.get(relation, 0) >= LARGE_ROWS:
        found.append(f"{relation} ({sizes[relation]:.0f} rows)")
    for child in node.get("Plans", ()):
        found += _scans(child, sizes)
    return found


def _indexes(node: dict) -> list[str]:
    found = [node["Index Name"]] if "Index Name" in node else []
    for child in node.get("Plans", ()):
        found += _indexes(child)
    return found


async def check(
    connection: asyncpg.Connection, statements: list[str], settings: tuple[tuple[str, str], ...] = ()
) -> list[dict]:
    """For each statement: its indexes and the large tables it scans from end to end (or why it
    could not be planned), planned with `settings` as the server ran it."""
    sizes = {
        row["relname"]: row["reltuples"]
        for row in await connection.fetch(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        )
    }
    await connection.execute(PLAN_OF)
    found = []
    for statement in statements:
        if not statement.lstrip("( \n").upper().startswith(PLANNED):
            continue
        entry: dict = {"query": " ".join(statement.split())[:300], "seq_scans": [], "indexes": []}
        try:
            async with connection.transaction():  # EXPLAIN of a write plans it; nothing is run
                for name, value in settings:
                    await connection.execute("SELECT set_config($1, $2, true)", name, value)
                plan = await connection.fetchval("SELECT pg_temp.plan_of($1)", statement)
        except asyncpg.PostgresError as error:
            entry["error"] = f"{type(error).__name__}: {error}".splitlines()[0][:200]
        else:
            root = json.loads(plan)[0]["Plan"]
            entry["seq_scans"] = _scans(root, sizes)
            entry["indexes"] = sorted(set(_indexes(root)))
            entry["cost"] = root.get("Total Cost")
        found.append(entry)
    return found
