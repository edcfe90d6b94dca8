"""An export reads its municipality's rows by their owners' indexes, never by scanning a table
of every municipality's rows (`benchmarks/run --national` found both kinds of scan at national
size; here the planner is told to avoid sequential scans, and must be able to)."""

from __future__ import annotations

import json

from sqlalchemy import func, select, text

from kvalitet import bulk
from kvalitet.bulk.codec import TABLES, table_of
from kvalitet.bulk.scope import municipality_scopes
from kvalitet.models import Municipality

# Tables scanned whole by design: the national goals (nobody's), and tables that hold a few
# rows per municipality and are read by the municipality's id without an index of their own.
SMALL = {"national_goal", "sector_report", "council_report", "council_report_section", "council_report_edition"}
SMALL |= {"follow_up_rhythm", "indicator", "indicator_batch"}


def _seq_scans(node: dict) -> list[str]:
    found = [node["Relation Name"]] if node.get("Node Type") == "Seq Scan" else []
    for child in node.get("Plans", ()):
        found += _seq_scans(child)
    return found


async def test_each_table_is_read_through_an_index(database, demo):
    async with database.engine.connect() as connection:
        municipality = await connection.scalar(select(Municipality.id).where(Municipality.number == "5501"))
        await connection.execute(text("SET enable_seqscan = off"))
        scopes = municipality_scopes(municipality)
        scanned = {}
        for name in TABLES:
            statement = select(func.count()).select_from(table_of(name)).where(scopes[name])
            sql = statement.compile(connection.sync_engine, compile_kwargs={"literal_binds": True})
            plan = await connection.scalar(text(f"EXPLAIN (FORMAT JSON) {sql}"))
            root = (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]
            found = set(_seq_scans(root)) - SMALL
            if found:
                scanned[name] = sorted(found)
    # A criterion's two owners (an area, or a goal) once made `area_id IN (…) OR goal_id IN (…)`,
    # which no index answers: every criterion of the country was read.
    assert scanned == {}


async def test_an_export_plans_without_parallel_scans(database, demo):
    async with database.engine.connect() as connection:
        municipality = await connection.scalar(select(Municipality.id).where(Municipality.number == "5501"))
        await connection.commit()
        async with connection.begin():
            await bulk.export_counts(connection, municipality)
            assert await connection.scalar(text("SHOW max_parallel_workers_per_gather")) == "0"
        # Only for the export's own transaction: the connection goes back to the pool as it was.
        assert await connection.scalar(text("SHOW max_parallel_workers_per_gather")) != "0"
        await connection.commit()
        async with connection.begin():
            chunks = [chunk async for chunk in bulk.stream_export(connection, municipality, chunk_size=50)]
            assert await connection.scalar(text("SHOW max_parallel_workers_per_gather")) == "0"
    assert {chunk.table for chunk in chunks} >= {"municipality", "unit", "plan", "area"}
