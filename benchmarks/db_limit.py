"""The database's own speed: each query's whole answer built by ONE hand-written SQL statement.

Each statement returns the `data` of our server's answer as JSON text: the same objects, fields,
order and row limits, with our Relay ids (base64 of "Type:uuid") computed in SQL and enums
spelled as GraphQL spells them. No server can answer faster than PostgreSQL builds this, so
its median time is the floor the servers are measured against. The harness checks that the
result equals our server's answer before it times it.
"""

from __future__ import annotations

import statistics
import time

import asyncpg


def relay_id(type_name: str, column: str) -> str:
    """SQL for a Relay id; PostgreSQL's base64 breaks lines after 76 characters, so drop them."""
    return f"replace(encode(convert_to('{type_name}:' || {column}, 'UTF8'), 'base64'), E'\\n', '')"


# page: one unit, its reports (by updated_at, id), the first 10 assessments of each (by created_at, id).
PAGE = f"""
SELECT json_build_object('node', json_build_object(
    'id', {relay_id("Unit", "u.id")}, 'name', u.name, 'kind', upper(u.kind),
    'reports', json_build_object('nodes', COALESCE((
        SELECT json_agg(json_build_object(
            'id', {relay_id("Report", "r.id")}, 'year', r.year, 'periodKey', r.period_key, 'status', upper(r.status),
            'assessments', COALESCE((
                SELECT json_agg(json_build_object(
                    'id', {relay_id("Assessment", "a.id")}, 'level', a.level, 'comment', a.comment,
                    'updatedAt', a.updated_at) ORDER BY a.created_at, a.id)
                FROM (SELECT * FROM assessment WHERE report_id = r.id ORDER BY created_at, id LIMIT 10) a
            ), '[]'::json)) ORDER BY r.updated_at, r.id)
        FROM report r WHERE r.unit_id = u.id
    ), '[]'::json))
))::text
FROM unit u WHERE u.id = $1
"""

# dashboard: the municipality, its first $2 units that are not archived (by name, id), every
# report of each (by updated_at, id) and every assessment of each report (by created_at, id).
DASHBOARD = f"""
SELECT json_build_object('municipality', json_build_object(
    'id', {relay_id("Municipality", "m.id")}, 'name', m.name,
    'units', json_build_object('nodes', COALESCE((
        SELECT json_agg(json_build_object(
            'id', {relay_id("Unit", "u.id")}, 'name', u.name, 'kind', upper(u.kind),
            'reports', json_build_object('nodes', COALESCE((
                SELECT json_agg(json_build_object(
                    'id', {relay_id("Report", "r.id")}, 'year', r.year, 'periodKey', r.period_key,
                    'status', upper(r.status),
                    'assessments', COALESCE((
                        SELECT json_agg(json_build_object(
                            'id', {relay_id("Assessment", "a.id")}, 'level', a.level, 'comment', a.comment,
                            'updatedAt', a.updated_at) ORDER BY a.created_at, a.id)
                        FROM assessment a WHERE a.report_id = r.id
                    ), '[]'::json)) ORDER BY r.updated_at, r.id)
                FROM report r WHERE r.unit_id = u.id
            ), '[]'::json))) ORDER BY u.name, u.id)
        FROM (SELECT * FROM unit WHERE municipality_id = m.id AND archived_at IS NULL
              ORDER BY name, id LIMIT $2) u
    ), '[]'::json))
))::text
FROM municipality m WHERE m.number = $1
"""


def _area(alias: str, children: str = "") -> str:
    """SQL for one area object: its goals (with their criteria), own criteria and measures."""
    return f"""json_build_object(
        'id', {relay_id("Area", f"{alias}.id")}, 'key', {alias}.key, 'kind', {alias}.kind,
        'title', {alias}.title, 'position', {alias}.position,
        'goals', COALESCE((
            SELECT json_agg(json_build_object(
                'id', {relay_id("Goal", "g.id")}, 'kind', g.kind, 'text', g.text,
                'criteria', COALESCE((
                    SELECT json_agg(json_build_object('id', {relay_id("Criterion", "gc.id")}, 'text', gc.text)
                                    ORDER BY gc.position, gc.id)
                    FROM criterion gc WHERE gc.goal_id = g.id
                ), '[]'::json)) ORDER BY g.position, g.id)
            FROM goal g WHERE g.area_id = {alias}.id
        ), '[]'::json),
        'criteria', COALESCE((
            SELECT json_agg(json_build_object(
                'id', {relay_id("Criterion", "ac.id")}, 'text', ac.text, 'perspective', ac.perspective)
                ORDER BY ac.position, ac.id)
            FROM criterion ac WHERE ac.area_id = {alias}.id
        ), '[]'::json),
        'measures', COALESCE((
            SELECT json_agg(json_build_object('id', {relay_id("Measure", "me.id")}, 'text', me.text)
                            ORDER BY me.position, me.id)
            FROM measure me WHERE me.area_id = {alias}.id
        ), '[]'::json){children})"""


# plan_tree: the plan, its top-level areas (by position, id), and for each its goals, criteria,
# measures and child areas (each with the same, but no children of their own).
PLAN_TREE = f"""
SELECT json_build_object('node', json_build_object(
    'id', {relay_id("Plan", "p.id")}, 'title', p.title, 'periodStart', p.period_start, 'periodEnd', p.period_end,
    'areas', COALESCE((
        SELECT json_agg({
    _area(
        "t",
        f''',
        'children', COALESCE((
            SELECT json_agg({_area('c')} ORDER BY c.position, c.id)
            FROM area c WHERE c.parent_id = t.id
        ), '[]'::json)''',
    )
} ORDER BY t.position, t.id)
        FROM area t WHERE t.plan_id = p.id AND t.parent_id IS NULL
    ), '[]'::json)
))::text
FROM plan p WHERE p.id = $1
"""

STATEMENTS = {"page": PAGE, "dashboard": DASHBOARD, "plan_tree": PLAN_TREE}


def arguments(name: str, dataset) -> tuple:
    if name == "page":
        return (dataset.page_unit_id,)
    if name == "dashboard":
        return (dataset.municipality_number, len(dataset.unit_ids))
    return (dataset.plan_id,)


async def answer(connection: asyncpg.Connection, name: str, dataset) -> str:
    return await connection.fetchval(STATEMENTS[name], *arguments(name, dataset))


async def median_ms(connection: asyncpg.Connection, name: str, dataset, *, warmups: int = 3, runs: int = 30) -> float:
    """Median wall time of the statement through asyncpg (prepared once, result fetched as text)."""
    statement = await connection.prepare(STATEMENTS[name])
    args = arguments(name, dataset)
    for _ in range(warmups):
        await statement.fetchval(*args)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await statement.fetchval(*args)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
