"""The database's own speed: each read's whole answer built by ONE hand-written SQL statement.

Each statement returns the `data` of our server's answer as JSON text: the same objects, fields,
order and row limits, with our Relay ids (base64 of "Type:uuid") and cursors computed in SQL and
enums spelled as GraphQL spells them. No server can answer faster than PostgreSQL builds this, so
its median time is the floor the servers are measured against. The harness checks that the
result equals our server's answer before it times it.

The statements say what the answer should be from the tables (and the profile's calendar and
scale, passed in), written from the schema's descriptions, not from our server's code paths.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Awaitable, Callable

import asyncpg

from .queries import LEVELS


def relay_id(type_name: str, column: str) -> str:
    """SQL for a Relay id; PostgreSQL's base64 breaks lines after 76 characters, so drop them."""
    return f"replace(encode(convert_to('{type_name}:' || {column}, 'UTF8'), 'base64'), E'\\n', '')"


def cursor(*columns: str) -> str:
    """SQL for our cursor over `columns`: base64url, unpadded, of the JSON list of their values as
    text, without spaces (`["Skole 0001","…uuid…"]`), text not \\u-escaped (as PostgreSQL's
    to_json writes it; our server's cursors are the same since 2fb932e, and the synthetic data's
    names and ids are ASCII anyway)."""
    values = " || ',' || ".join(f"to_json(({c})::text)::text" for c in columns)
    return f"translate(encode(convert_to('[' || {values} || ']', 'UTF8'), 'base64'), E'+/=\\n', '-_')"


# The date (UTC) that decides whether a report is overdue, as our server reads its clock.
TODAY = "(now() AT TIME ZONE 'UTC')::date"
EDITABLE = "('draft', 'returned')"  # a report's statuses before it is submitted (or after it is returned)


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

# A dashboard unit's members (the unit `u`): its id, name and kind, every report (by updated_at,
# id) and every assessment of each report (by created_at, id). Shared by both dashboards.
UNIT_MEMBERS = f"""
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
    ), '[]'::json))"""

# dashboard: the municipality, its first $2 units that are not archived (by name, id), every
# report of each (by updated_at, id) and every assessment of each report (by created_at, id).
DASHBOARD = f"""
SELECT json_build_object('municipality', json_build_object(
    'id', {relay_id("Municipality", "m.id")}, 'name', m.name,
    'units', json_build_object('nodes', COALESCE((
        SELECT json_agg(json_build_object(
            {UNIT_MEMBERS}) ORDER BY u.name, u.id)
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

# dashboard_cursors: the dashboard as a connection with cursors: the page's edges, each with our
# cursor over (name, id), endCursor (the last edge's) and hasNextPage (more units than $2).
DASHBOARD_CURSORS = f"""
SELECT json_build_object('municipality', json_build_object(
    'id', {relay_id("Municipality", "m.id")}, 'name', m.name,
    'units', (
        SELECT json_build_object(
            'pageInfo', json_build_object(
                'endCursor', (array_agg(u.cursor ORDER BY u.n DESC) FILTER (WHERE u.n <= $2))[1],
                'hasNextPage', COALESCE(bool_or(u.n > $2), false)),
            'edges', COALESCE(json_agg(json_build_object('cursor', u.cursor, 'node', json_build_object(
                {UNIT_MEMBERS})) ORDER BY u.n) FILTER (WHERE u.n <= $2), '[]'::json))
        FROM (SELECT unit.*, {cursor("name", "id")} AS cursor, row_number() OVER (ORDER BY name, id) AS n
              FROM unit WHERE municipality_id = m.id AND archived_at IS NULL
              ORDER BY name, id LIMIT $2 + 1) u
    )
))::text
FROM municipality m WHERE m.number = $1
"""

# sector_report: the municipality's reports of one period ($2 year, $3 period key), rolled up on
# the plan they are on (else the adopted plan covering the year). $4 is the period's due date and
# $5 the assessment scale, both from the profile. Units: those of the municipality that are not
# archived and of a kind the plan applies to (by name, id), each with its report's status
# (`not_opened` without one) and whether it is overdue (no report or one not submitted, and the
# due date passed); their count by status; and per area of the plan (by position) that has
# criteria or counted assessments: the level distribution of the assessments of submitted and
# approved reports, in total and per criterion (by goal position, the area's own first, then
# position).
SECTOR_REPORT = f"""
WITH m AS (SELECT * FROM municipality WHERE number = $1),
p AS (
    SELECT plan.* FROM plan, m WHERE plan.id = COALESCE(
        (SELECT r.plan_id FROM report r JOIN unit u ON u.id = r.unit_id
         WHERE u.municipality_id = m.id AND r.year = $2 AND r.period_key = $3 LIMIT 1),
        (SELECT q.id FROM plan q
         WHERE q.municipality_id = m.id AND q.status = 'adopted' AND q.period_start <= $2 AND q.period_end >= $2
         ORDER BY q.period_start DESC, q.created_at DESC LIMIT 1))
),
units AS (
    SELECT u.id, u.name, u.kind, COALESCE(r.status, 'not_opened') AS status,
           (r.status IS NULL OR r.status IN {EDITABLE}) AND {TODAY} > $4::date AS overdue
    FROM m CROSS JOIN p
    JOIN unit u ON u.municipality_id = m.id AND u.archived_at IS NULL AND u.kind = ANY(p.applies_to)
    LEFT JOIN report r ON r.unit_id = u.id AND r.plan_id = p.id AND r.year = $2 AND r.period_key = $3
),
areas AS (SELECT area.* FROM area, p WHERE area.plan_id = p.id),
criteria AS (
    SELECT c.id, c.text, c.position, COALESCE(c.area_id, g.area_id) AS area_id, COALESCE(g.position, -1) AS goal_position
    FROM criterion c LEFT JOIN goal g ON g.id = c.goal_id
    WHERE c.area_id IN (SELECT id FROM areas) OR g.area_id IN (SELECT id FROM areas)
),
counted AS (
    SELECT a.level, a.criterion_id, COALESCE(c.area_id, lg.area_id) AS area_id
    FROM p JOIN report r ON r.plan_id = p.id AND r.year = $2 AND r.period_key = $3
                           AND r.status IN ('submitted', 'approved')
    JOIN assessment a ON a.report_id = r.id
    LEFT JOIN criteria c ON c.id = a.criterion_id
    LEFT JOIN local_goal lg ON lg.id = a.local_goal_id
),
by_area AS (SELECT area_id, level, count(*) AS n FROM counted GROUP BY area_id, level),
by_criterion AS (SELECT criterion_id, level, count(*) AS n FROM counted GROUP BY criterion_id, level),
scale AS (SELECT level, n FROM unnest($5::text[]) WITH ORDINALITY AS s(level, n))
SELECT json_build_object('municipality', json_build_object('sectorReport', json_build_object(
    'municipalityNumber', m.number, 'planTitle', p.title, 'year', $2::int, 'periodKey', $3::text,
    'dueOn', $4::date,
    'units', COALESCE((
        SELECT json_agg(json_build_object('unitId', {relay_id("Unit", "u.id")}, 'name', u.name, 'kind', u.kind,
                                          'status', u.status, 'overdue', u.overdue) ORDER BY u.name, u.id)
        FROM units u), '[]'::json),
    'unitsByStatus', (
        SELECT json_agg(json_build_object('status', s.status, 'count', (
            SELECT count(*) FROM units u WHERE u.status = s.status)) ORDER BY s.n)
        FROM unnest(ARRAY['not_opened', 'draft', 'submitted', 'returned', 'approved']) WITH ORDINALITY AS s(status, n)),
    'areas', COALESCE((
        SELECT json_agg(json_build_object(
            'areaId', {relay_id("Area", "a.id")}, 'key', a.key, 'kind', a.kind, 'title', a.title,
            'assessments', (SELECT COALESCE(sum(x.n), 0) FROM by_area x WHERE x.area_id = a.id),
            'levels', (SELECT json_agg(json_build_object('level', s.level, 'count', COALESCE(x.n, 0)) ORDER BY s.n)
                       FROM scale s LEFT JOIN by_area x ON x.area_id = a.id AND x.level = s.level),
            'criteria', COALESCE((
                SELECT json_agg(json_build_object(
                    'criterionId', {relay_id("Criterion", "c.id")}, 'text', c.text,
                    'levels', (SELECT json_agg(json_build_object('level', s.level, 'count', COALESCE(x.n, 0))
                                               ORDER BY s.n)
                               FROM scale s LEFT JOIN by_criterion x ON x.criterion_id = c.id AND x.level = s.level)
                ) ORDER BY c.goal_position, c.position, c.id)
                FROM criteria c WHERE c.area_id = a.id), '[]'::json)) ORDER BY a.position, a.id)
        FROM areas a
        WHERE EXISTS (SELECT FROM criteria c WHERE c.area_id = a.id) OR EXISTS (SELECT FROM by_area x WHERE x.area_id = a.id)
    ), '[]'::json),
    'overdueUnits', COALESCE((
        SELECT json_agg(json_build_object('unitId', {relay_id("Unit", "u.id")}, 'name', u.name, 'kind', u.kind,
                                          'status', u.status, 'overdue', u.overdue) ORDER BY u.name, u.id)
        FROM units u WHERE u.overdue), '[]'::json)
)))::text
FROM m, p
"""

# reports_items: the municipality's first 100 reports (by updated_at, id), each with whether it is
# overdue (not submitted and past its due date) and its items: every criterion of its plan in an
# area that applies to the unit's kind (by the area's position, the goal's — the area's own
# criteria first — and the criterion's), then every goal of the unit's local plan on that plan in
# such an area (by area position, goal position); each with its area, and the report's
# assessment of it if there is one.
REPORTS_ITEMS = f"""
SELECT json_build_object('municipality', json_build_object('reports', json_build_object('edges', COALESCE((
    SELECT json_agg(json_build_object('node', json_build_object(
        'id', {relay_id("Report", "r.id")},
        'isOverdue', r.status IN {EDITABLE} AND {TODAY} > r.due_on,
        'items', COALESCE((
            SELECT json_agg(json_build_object(
                'area', json_build_object('id', {relay_id("Area", "i.area_id")}, 'key', i.area_key),
                'criterion', CASE WHEN i.criterion_id IS NOT NULL THEN json_build_object(
                    'id', {relay_id("Criterion", "i.criterion_id")}, 'text', i.criterion_text) END,
                'localGoal', CASE WHEN i.local_goal_id IS NOT NULL THEN json_build_object(
                    'id', {relay_id("LocalGoal", "i.local_goal_id")}) END,
                'assessment', (
                    SELECT json_build_object('id', {relay_id("Assessment", "a.id")}, 'level', a.level,
                                             'comment', a.comment, 'version', a.version)
                    FROM assessment a
                    WHERE a.report_id = r.id AND a.criterion_id = i.criterion_id
                    UNION ALL
                    SELECT json_build_object('id', {relay_id("Assessment", "a.id")}, 'level', a.level,
                                             'comment', a.comment, 'version', a.version)
                    FROM assessment a
                    WHERE a.report_id = r.id AND a.local_goal_id = i.local_goal_id)
            ) ORDER BY i.local, i.area_position, i.goal_position, i.position, i.id)
            FROM (
                SELECT false AS local, ar.id AS area_id, ar.key AS area_key, ar.position AS area_position,
                       COALESCE(g.position, -1) AS goal_position, c.position, c.id,
                       c.id AS criterion_id, c.text AS criterion_text, NULL::uuid AS local_goal_id
                FROM criterion c LEFT JOIN goal g ON g.id = c.goal_id
                JOIN area ar ON ar.id = COALESCE(c.area_id, g.area_id)
                WHERE ar.plan_id = r.plan_id AND u.kind = ANY(ar.applies_to)
                UNION ALL
                SELECT true, ar.id, ar.key, ar.position, lg.position, 0, lg.id, NULL, NULL, lg.id
                FROM local_goal lg JOIN area ar ON ar.id = lg.area_id
                WHERE lg.local_plan_id = COALESCE(r.local_plan_id, (
                          SELECT lp.id FROM local_plan lp WHERE lp.unit_id = r.unit_id AND lp.plan_id = r.plan_id))
                  AND ar.plan_id = r.plan_id AND u.kind = ANY(ar.applies_to)
            ) i
        ), '[]'::json)
    )) ORDER BY r.updated_at, r.id)
    FROM (SELECT * FROM report WHERE municipality_id = m.id ORDER BY updated_at, id LIMIT $2) r
    JOIN unit u ON u.id = r.unit_id
), '[]'::json))))::text
FROM municipality m WHERE m.number = $1
"""

# history: one unit and the first $2 changes of its change log (by id), each with our cursor over
# its id; the total count, endCursor (the last edge's) and hasNextPage.
HISTORY = f"""
WITH changes AS (SELECT * FROM change_log WHERE entity_type = 'Unit' AND entity_id = $1),
page AS (SELECT * FROM changes ORDER BY id LIMIT $2)
SELECT json_build_object('node', json_build_object(
    'id', {relay_id("Unit", "u.id")}, 'name', u.name,
    'history', json_build_object(
        'totalCount', (SELECT count(*) FROM changes),
        'pageInfo', json_build_object(
            'endCursor', (SELECT {cursor("max(id)")} FROM page HAVING count(*) > 0),
            'hasNextPage', (SELECT count(*) FROM changes) > $2),
        'edges', COALESCE((
            SELECT json_agg(json_build_object('cursor', {cursor("h.id")}, 'node', json_build_object(
                'at', h.created_at, 'actor', h.actor, 'action', upper(h.action), 'changes', h.changes)) ORDER BY h.id)
            FROM page h), '[]'::json))
))::text
FROM unit u WHERE u.id = $1
"""

STATEMENTS = {
    "page": PAGE,
    "dashboard": DASHBOARD,
    "plan_tree": PLAN_TREE,
    "dashboard_cursors": DASHBOARD_CURSORS,
    "sector_report": SECTOR_REPORT,
    "reports_items": REPORTS_ITEMS,
    "history": HISTORY,
}


def arguments(name: str, dataset) -> tuple:
    if name == "page":
        return (dataset.page_unit_id,)
    if name in ("dashboard", "dashboard_cursors"):
        return (dataset.municipality_number, len(dataset.unit_ids))
    if name == "sector_report":
        year = dataset.sector_report_year
        # The profile's (data.PROFILE_CODE) annual period is due 31 January after the year; its scale.
        return (dataset.municipality_number, year, dataset.period_key, dt.date(year + 1, 1, 31), list(LEVELS))
    if name == "reports_items":
        return (dataset.municipality_number, 100)
    if name == "history":
        return (dataset.page_unit_id, 50)
    return (dataset.plan_id,)


async def answer(connection: asyncpg.Connection, name: str, dataset) -> str:
    return await connection.fetchval(STATEMENTS[name], *arguments(name, dataset))


async def median_ms(connection: asyncpg.Connection, name: str, dataset, *, warmups: int = 3, runs: int = 30) -> float:
    """Median wall time of the statement through asyncpg (prepared once, result fetched as text)."""
    statement = await connection.prepare(STATEMENTS[name])
    args = arguments(name, dataset)
    return await median_of(lambda: statement.fetchval(*args), warmups=warmups, runs=runs)


async def median_of(work: Callable[[], Awaitable[object]], *, warmups: int = 3, runs: int = 30) -> float:
    """Median wall time in ms of `work()`, after `warmups` untimed runs."""
    for _ in range(warmups):
        await work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
