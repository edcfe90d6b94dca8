"""The benchmark's rows: the GraphQL documents for our server and the peers, and the check that
they answer alike.

Reads: `page`, `dashboard`, `plan_tree` and `dashboard_cursors` are asked of our server and of
both peers, PostGraphile v4 (`V4`) and v5 (`V5`); `sector_report`, `reports_items` and `history`
only of ours (the peers have nothing like them) — every read is also built by one hand-written
SQL statement (db_limit.py). The write, `save_assessment`, is asked of all three.

The peers' documents alias PostGraphile's field names to ours (`reports: reportsByUnitId …`), so
the answers have the same shape: the same rows, in the same order, with the same fields. Ids are
spelled differently (ours: base64 of `Type:uuid`; v4: the UUID; v5: base64 of `["Type","uuid"]`),
and so are cursors, enums (`SCHOOL` / `school`) and timestamps; the comparison normalizes them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import difflib
import json
import re
import uuid
from dataclasses import dataclass

from kvalitet.bulk.export import SETTINGS as EXPORT_SETTINGS

from .data import MUNICIPALITY_NUMBER, Dataset


def relay_id(type_name: str, row_id: uuid.UUID) -> str:
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


_DASHBOARD_UNIT = (
    "id name kind reports { nodes { id year periodKey status assessments { id level comment updatedAt } } }"
)
_ITEM = "area { id key } criterion { id text } localGoal { id } assessment { id level comment version }"
_SECTOR_UNIT = "unitId name kind status overdue"
_LEVELS = "levels { level count }"

OURS = {
    "page": """query Page($id: ID!) { node(id: $id) { ... on Unit { id name kind reports { nodes { id year periodKey status assessments(first: 10) { id level comment updatedAt } } } } } }""",
    "dashboard": """query Dashboard($number: String!, $first: Int!) { municipality(number: $number) { id name units(first: $first) { nodes { id name kind reports { nodes { id year periodKey status assessments { id level comment updatedAt } } } } } } }""",
    "plan_tree": """query PlanTree($id: ID!) { node(id: $id) { ... on Plan { id title periodStart periodEnd areas { id key kind title position goals { id kind text criteria { id text } } criteria { id text perspective } measures { id text } children { id key kind title position goals { id kind text criteria { id text } } criteria { id text perspective } measures { id text } } } } } }""",
    "dashboard_cursors": f"""query DashboardCursors($number: String!, $first: Int!) {{ municipality(number: $number) {{ id name units(first: $first) {{ pageInfo {{ endCursor hasNextPage }} edges {{ cursor node {{ {_DASHBOARD_UNIT} }} }} }} }} }}""",
    "sector_report": f"""query SectorReport($number: String!, $year: Int!, $period: String!) {{ municipality(number: $number) {{ sectorReport(year: $year, period: $period) {{ municipalityNumber planTitle year periodKey dueOn units {{ {_SECTOR_UNIT} }} unitsByStatus {{ status count }} areas {{ areaId key kind title assessments {_LEVELS} criteria {{ criterionId text {_LEVELS} }} }} overdueUnits {{ {_SECTOR_UNIT} }} }} }} }}""",
    "reports_items": f"""query ReportsItems($number: String!) {{ municipality(number: $number) {{ reports(first: 100) {{ edges {{ node {{ id isOverdue items {{ {_ITEM} }} }} }} }} }} }}""",
    "history": """query History($id: ID!) { node(id: $id) { ... on Unit { id name history(first: 50) { totalCount pageInfo { endCursor hasNextPage } edges { cursor node { at actor action changes } } } } } }""",
    # An integrator's first page of the change feed (of the 60 changes data.py writes: the same
    # page at both sizes), and the export of a whole municipality
    # (a subscription, streamed as multipart HTTP): `benchmarks/run --national` only.
    "changes": """query Changes { changes(first: 50) { changes { cursor at actor action entityType entityId changes } endCursor hasMore } }""",
    # What an integrator asks most: anything new since the last change it saw (nothing, mostly).
    "changes_poll": """query ChangesPoll($after: String!) { changes(after: $after, first: 100) { changes { cursor at actor action entityType entityId changes } endCursor hasMore } }""",
    "export": """subscription Export($number: String!) { municipalityExport(number: $number, chunkSize: 500) { table rowsSent rowsTotal rows } }""",
    "save_assessment": """mutation SaveAssessment($input: SaveAssessmentInput!) { saveAssessment(input: $input) { assessment { id version level comment } errors { code message } } }""",
}

_BY_POSITION = "orderBy: [POSITION_ASC, ID_ASC]"
_AREA_FIELDS = f"""id key kind title position
      goals: goalsByAreaIdList({_BY_POSITION}) {{ id kind text criteria: criteriaByGoalIdList({_BY_POSITION}) {{ id text }} }}
      criteria: criteriaByAreaIdList({_BY_POSITION}) {{ id text perspective }}
      measures: measuresByAreaIdList({_BY_POSITION}) {{ id text }}"""
_V4_UNIT = """id name kind
      reports: reportsByUnitId(orderBy: [UPDATED_AT_ASC, ID_ASC]) { nodes {
        id year periodKey status
        assessments: assessmentsByReportIdList(orderBy: [CREATED_AT_ASC, ID_ASC]) { id level comment updatedAt }
      } }"""

V4 = {
    "page": """query Page($id: UUID!) {
  node: unitById(id: $id) {
    id name kind
    reports: reportsByUnitId(orderBy: [UPDATED_AT_ASC, ID_ASC]) { nodes {
      id year periodKey status
      assessments: assessmentsByReportIdList(first: 10, orderBy: [CREATED_AT_ASC, ID_ASC]) { id level comment updatedAt }
    } }
  }
}""",
    "dashboard": """query Dashboard($number: String!, $first: Int!) {
  municipality: municipalityByNumber(number: $number) {
    id name
    units: unitsByMunicipalityId(first: $first, condition: {archivedAt: null}, orderBy: [NAME_ASC, ID_ASC]) { nodes {
      id name kind
      reports: reportsByUnitId(orderBy: [UPDATED_AT_ASC, ID_ASC]) { nodes {
        id year periodKey status
        assessments: assessmentsByReportIdList(orderBy: [CREATED_AT_ASC, ID_ASC]) { id level comment updatedAt }
      } }
    } }
  }
}""",
    "plan_tree": f"""query PlanTree($id: UUID!) {{
  node: planById(id: $id) {{
    id title periodStart periodEnd
    areas: areasByPlanIdList(condition: {{parentId: null}}, {_BY_POSITION}) {{
      {_AREA_FIELDS}
      children: areasByParentIdList({_BY_POSITION}) {{
        {_AREA_FIELDS}
      }}
    }}
  }}
}}""",
    "dashboard_cursors": f"""query DashboardCursors($number: String!, $first: Int!) {{
  municipality: municipalityByNumber(number: $number) {{
    id name
    units: unitsByMunicipalityId(first: $first, condition: {{archivedAt: null}}, orderBy: [NAME_ASC, ID_ASC]) {{
      pageInfo {{ endCursor hasNextPage }}
      edges {{ cursor node {{
      {_V4_UNIT}
      }} }}
    }}
  }}
}}""",
    # PostGraphile v4's generated update by primary key (default inflection: `id` is the UUID).
    # An integrator's first page of the change feed (of the 60 changes data.py writes: the same
    # page at both sizes), and the export of a whole municipality
    # (a subscription, streamed as multipart HTTP): `benchmarks/run --national` only.
    "changes": """query Changes { changes(first: 50) { changes { cursor at actor action entityType entityId changes } endCursor hasMore } }""",
    # What an integrator asks most: anything new since the last change it saw (nothing, mostly).
    "changes_poll": """query ChangesPoll($after: String!) { changes(after: $after, first: 100) { changes { cursor at actor action entityType entityId changes } endCursor hasMore } }""",
    "export": """subscription Export($number: String!) { municipalityExport(number: $number, chunkSize: 500) { table rowsSent rowsTotal rows } }""",
    "save_assessment": """mutation SaveAssessment($id: UUID!, $level: String!, $comment: String) {
  updateAssessmentById(input: {id: $id, assessmentPatch: {level: $level, comment: $comment}}) {
    assessment { id level comment }
  }
}""",
}

# PostGraphile v5 (Amber preset): `id` is the node id, the primary key column is `rowId`. `page`,
# `dashboard` and `plan_tree` are the documents of ../shared/reference/postgraphile-v5/queries/
# (known to work with benchmarks/peer5/graphile.config.mjs), as they are there.
_V5_UNIT = """id name kind
      reports: reportsByUnitId(orderBy: [UPDATED_AT_ASC, ROW_ID_ASC]) { nodes {
        id year periodKey status
        assessments: assessmentsByReportIdList(orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) { id level comment updatedAt }
      } }"""

V5 = {
    "page": """query Page($id: UUID!) {
  node: unitByRowId(rowId: $id) {
    id name kind
    reports: reportsByUnitId(orderBy: [UPDATED_AT_ASC, ROW_ID_ASC]) { nodes {
      id year periodKey status
      assessments: assessmentsByReportIdList(first: 10, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) { id level comment updatedAt }
    } }
  }
}""",
    "dashboard": """query Dashboard($number: String!, $first: Int!) {
  municipality: municipalityByNumber(number: $number) {
    id name
    units: unitsByMunicipalityId(first: $first, condition: {archivedAt: null}, orderBy: [NAME_ASC, ROW_ID_ASC]) { nodes {
      id name kind
      reports: reportsByUnitId(orderBy: [UPDATED_AT_ASC, ROW_ID_ASC]) { nodes {
        id year periodKey status
        assessments: assessmentsByReportIdList(orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) { id level comment updatedAt }
      } }
    } }
  }
}""",
    "plan_tree": """query PlanTree($id: UUID!) {
  node: planByRowId(rowId: $id) {
    id title periodStart periodEnd
    areas: areasByPlanIdList(condition: {parentId: null}, orderBy: [POSITION_ASC, ROW_ID_ASC]) {
      id key kind title position
      goals: goalsByAreaIdList(orderBy: [POSITION_ASC, ROW_ID_ASC]) { id kind text criteria: criteriaByGoalIdList(orderBy: [POSITION_ASC, ROW_ID_ASC]) { id text } }
      criteria: criteriaByAreaIdList(orderBy: [POSITION_ASC, ROW_ID_ASC]) { id text perspective }
      measures: measuresByAreaIdList(orderBy: [POSITION_ASC, ROW_ID_ASC]) { id text }
      children: areasByParentIdList(orderBy: [POSITION_ASC, ROW_ID_ASC]) {
        id key kind title position
        goals: goalsByAreaIdList(orderBy: [POSITION_ASC, ROW_ID_ASC]) { id kind text criteria: criteriaByGoalIdList(orderBy: [POSITION_ASC, ROW_ID_ASC]) { id text } }
        criteria: criteriaByAreaIdList(orderBy: [POSITION_ASC, ROW_ID_ASC]) { id text perspective }
        measures: measuresByAreaIdList(orderBy: [POSITION_ASC, ROW_ID_ASC]) { id text }
      }
    }
  }
}""",
    "dashboard_cursors": f"""query DashboardCursors($number: String!, $first: Int!) {{
  municipality: municipalityByNumber(number: $number) {{
    id name
    units: unitsByMunicipalityId(first: $first, condition: {{archivedAt: null}}, orderBy: [NAME_ASC, ROW_ID_ASC]) {{
      pageInfo {{ endCursor hasNextPage }}
      edges {{ cursor node {{
      {_V5_UNIT}
      }} }}
    }}
  }}
}}""",
    # An integrator's first page of the change feed (of the 60 changes data.py writes: the same
    # page at both sizes), and the export of a whole municipality
    # (a subscription, streamed as multipart HTTP): `benchmarks/run --national` only.
    "changes": """query Changes { changes(first: 50) { changes { cursor at actor action entityType entityId changes } endCursor hasMore } }""",
    # What an integrator asks most: anything new since the last change it saw (nothing, mostly).
    "changes_poll": """query ChangesPoll($after: String!) { changes(after: $after, first: 100) { changes { cursor at actor action entityType entityId changes } endCursor hasMore } }""",
    "export": """subscription Export($number: String!) { municipalityExport(number: $number, chunkSize: 500) { table rowsSent rowsTotal rows } }""",
    "save_assessment": """mutation SaveAssessment($rowId: UUID!, $level: String!, $comment: String) {
  updateAssessmentByRowId(input: {rowId: $rowId, assessmentPatch: {level: $level, comment: $comment}}) {
    assessment { id level comment }
  }
}""",
}

PEERS = {"v4": V4, "v5": V5}


@dataclass(frozen=True)
class Row:
    """One row of the benchmark: which peers answer it, whether one SQL statement builds its
    answer (db_limit.py), and whether it writes."""

    peers: tuple[str, ...]
    db_limit: bool = True
    write: bool = False
    national: bool = False  # measured only with --national (not among the default rows)
    # Asked as a subscription over multipart HTTP (the answer is parts, not one JSON object).
    multipart: bool = False
    # The settings its statements run with in the server (its transaction's own), which its
    # statements are planned with too (plans.py).
    settings: tuple[tuple[str, str], ...] = ()


ROWS = {
    "page": Row(("v4", "v5")),
    "dashboard": Row(("v4", "v5")),
    "plan_tree": Row(("v4", "v5")),
    "dashboard_cursors": Row(("v4", "v5")),
    "sector_report": Row(()),
    "reports_items": Row(()),
    "history": Row(()),
    "changes": Row((), db_limit=False, national=True),
    "changes_poll": Row((), db_limit=False, national=True),
    "export": Row((), db_limit=False, national=True, multipart=True, settings=tuple(EXPORT_SETTINGS.items())),
    # Last: it changes assessments, which the reads above show.
    "save_assessment": Row(("v4", "v5"), db_limit=False, write=True),
}
ALL_NAMES = [name for name, row in ROWS.items() if not row.national]
# What `--national` measures at both sizes: what one municipality's users and integrator ask.
NATIONAL_NAMES = [
    "page",
    "dashboard",
    "plan_tree",
    "sector_report",
    "history",
    "changes",
    "changes_poll",
    "export",
    "save_assessment",
]
MULTIPART = "multipart/mixed;subscriptionSpec=1.0"
# The first three reads, which tests/schema/test_benchmark_queries.py checks too (each one
# compiled statement there); `requests` answers for them as it did.
NAMES = ["page", "dashboard", "plan_tree"]


@dataclass
class Request:
    query: str
    variables: dict

    def body(self) -> dict:
        return {"query": self.query, "variables": self.variables}


def read_requests(name: str, dataset: Dataset) -> dict[str, Request]:
    """The read `name` as asked of our server and of each of its peers."""
    number, units = dataset.municipality_number, len(dataset.unit_ids)
    if name == "page":
        ours = {"id": relay_id("Unit", dataset.page_unit_id)}
        peer = {"id": str(dataset.page_unit_id)}
    elif name in ("dashboard", "dashboard_cursors"):
        ours = peer = {"number": number, "first": units}
    elif name == "plan_tree":
        ours = {"id": relay_id("Plan", dataset.plan_id)}
        peer = {"id": str(dataset.plan_id)}
    elif name == "sector_report":
        ours = {"number": number, "year": dataset.sector_report_year, "period": dataset.period_key}
    elif name == "reports_items":
        ours = {"number": number}
    elif name == "history":
        ours = {"id": relay_id("Unit", dataset.page_unit_id)}
    elif name == "changes":
        ours = {}
    elif name == "changes_poll":
        ours = {"after": dataset.feed_cursor}
    elif name == "export":
        ours = {"number": number}
    else:
        raise ValueError(f"unknown read {name!r}")
    found = {"ours": Request(OURS[name], ours)}
    for server in ROWS[name].peers:
        found[server] = Request(PEERS[server][name], peer)
    return found


def requests(name: str, dataset: Dataset) -> tuple[Request, Request]:
    """Our request and PostGraphile v4's (the benchmark's first peer), for a read both answer."""
    found = read_requests(name, dataset)
    return found["ours"], found["v4"]


async def latest_change_cursor(connection, number: str) -> str | None:
    """The change feed's cursor of the municipality's latest change (as the feed spells it)."""
    from kvalitet.schema.reading.pagination import encode_cursor

    row = await connection.fetchrow(
        """SELECT c.tx_id, c.id FROM change_log c JOIN municipality m ON m.id = c.municipality_id
           WHERE m.number = $1 ORDER BY c.tx_id DESC, c.id DESC LIMIT 1""",
        number,
    )
    return None if row is None else encode_cursor([row["tx_id"], row["id"]])


# --- the write ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An existing assessment to write: our Relay ids, its UUID and its version now."""

    report_id: str
    criterion_id: str
    assessment_id: str
    row_id: uuid.UUID
    version: int


# Placeholders in a write's body that the wrk script (load.py) fills in for each request.
PLACEHOLDERS = ("__REPORT__", "__CRITERION__", "__ROW__", "__LEVEL__", "__COMMENT__")
VERSION_PLACEHOLDER = '"__VERSION__"'  # a JSON number in the body: the quotes go too


def write_request(server: str, target: Target | None, level: str, comment: str) -> Request:
    """`save_assessment` as asked of `server`; with `target` None, a template whose values are the
    placeholders (a body for the wrk script to fill in)."""
    if target is None:
        report, criterion, row, version = "__REPORT__", "__CRITERION__", "__ROW__", "__VERSION__"
    else:
        report, criterion, row, version = target.report_id, target.criterion_id, str(target.row_id), target.version
    if server == "ours":
        variables = {
            "input": {
                "reportId": report,
                "criterionId": criterion,
                "level": level,
                "comment": comment,
                "version": version,
            }
        }
    elif server == "v4":
        variables = {"id": row, "level": level, "comment": comment}
    elif server == "v5":
        variables = {"rowId": row, "level": level, "comment": comment}
    else:
        raise ValueError(f"unknown server {server!r}")
    query = OURS["save_assessment"] if server == "ours" else PEERS[server]["save_assessment"]
    return Request(query, variables)


def write_template(server: str) -> str:
    """The JSON body of a write with placeholders for the wrk script."""
    return json.dumps(write_request(server, None, "__LEVEL__", "__COMMENT__").body(), ensure_ascii=False)


MUTATIONS = {"ours": "saveAssessment", "v4": "updateAssessmentById", "v5": "updateAssessmentByRowId"}


def written(server: str, answer: dict) -> tuple[dict | None, list]:
    """The assessment a write's answer shows (None if none), and the payload's errors (ours)."""
    payload = (answer.get("data") or {}).get(MUTATIONS[server]) or {}
    return payload.get("assessment"), payload.get("errors") or []


# --- comparing answers -------------------------------------------------------------------------

ENUMS = {"kind", "status", "action"}
TIMESTAMPS = {"updatedAt", "at"}
CURSORS = {"cursor", "endCursor", "startCursor"}


def row_uuid(node_id: str) -> str:
    """The UUID in an id as any of the three servers spells it: the UUID itself (v4), base64 of
    `Type:uuid` (ours) or of `["Type","uuid"]` (v5). Anything else is returned as it is."""
    try:
        return str(uuid.UUID(node_id))
    except (ValueError, TypeError, AttributeError):
        pass
    try:
        text = base64.b64decode(node_id, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        return node_id
    if text.startswith("["):
        try:
            parts = json.loads(text)
        except ValueError:
            return node_id
        text = parts[-1] if isinstance(parts, list) and parts and isinstance(parts[-1], str) else ""
    else:
        text = text.partition(":")[2]
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return node_id


def canonical(value, key: str | None = None, *, ids: bool | str = False):
    """The answer with enums lower-cased and timestamps parsed; ids and cursors kept as they are
    (`ids=True`), ids reduced to their UUID and cursors dropped (`ids="uuid"`, to compare servers
    that spell them differently), or both dropped (`ids=False`)."""
    if isinstance(value, dict):
        return {
            k: canonical(v, k, ids=ids)
            for k, v in value.items()
            if ids is True or (k not in CURSORS and (ids or k != "id"))
        }
    if isinstance(value, list):
        return [canonical(v, key, ids=ids) for v in value]
    if key == "id" and ids == "uuid" and isinstance(value, str):
        return row_uuid(value)
    if key in ENUMS and isinstance(value, str):
        return value.lower()
    if key in TIMESTAMPS and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def _lines(value, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [line for k, v in value.items() for line in _lines(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [line for i, v in enumerate(value) for line in _lines(v, f"{path}[{i}]")] or [f"{path} = []"]
    return [f"{path} = {value!r}"]


def difference(a, b, a_name: str, b_name: str, *, ids: bool | str = False, limit: int = 40) -> str | None:
    """None when the two answers hold the same data; else the start of a unified diff."""
    a, b = canonical(a, ids=ids), canonical(b, ids=ids)
    if a == b:
        return None
    diff = list(difflib.unified_diff(_lines(a), _lines(b), a_name, b_name, lineterm="", n=1))
    more = f"\n… {len(diff) - limit} more diff lines" if len(diff) > limit else ""
    return "\n".join(diff[:limit]) + more


def counts(data) -> dict[str, int]:
    """How many objects the answer holds, by the field that lists them (units, reports, …): the
    objects in lists, and those with an id; a connection's `nodes` and `edges { node }` count
    under the connection's field."""
    found: dict[str, int] = {}

    def walk(value, key, listed=False):
        if isinstance(value, dict):
            if key is not None and (listed or "id" in value) and "node" not in value:  # not an edge
                found[key] = found.get(key, 0) + 1
            for k, v in value.items():
                inner = key is not None and k in ("nodes", "edges", "node")
                walk(v, key if inner else k, inner and k == "node")  # an edge's node: one of a list
        elif isinstance(value, list):
            for v in value:
                walk(v, key, True)

    walk(data, None)
    return found


def error_summary(answer: dict) -> str | None:
    """The GraphQL errors of an answer, one line each; None when it has none."""
    errors = answer.get("errors")
    if not errors:
        return None
    lines = (re.sub(r"\s+", " ", str(e.get("message", e)))[:300] for e in errors[:5])
    return "\n".join(f"  - {line}" for line in lines)


LEVELS = ("1", "2", "3", "4")  # the profile's scale (data.PROFILE_CODE)


async def write_targets(connection, number: str = MUNICIPALITY_NUMBER) -> list[Target]:
    """Every assessment of municipality `number` that can be written now: of a criterion, on a
    report that is still editable (a draft, or returned), with its version as it is in the
    database; in the order of the assessments' ids, which mixes reports and units."""
    rows = await connection.fetch(
        """SELECT a.id, a.report_id, a.criterion_id, a.version
           FROM assessment a JOIN report r ON r.id = a.report_id
           JOIN municipality m ON m.id = r.municipality_id
           WHERE m.number = $1 AND r.status IN ('draft', 'returned') AND a.criterion_id IS NOT NULL
           ORDER BY a.id""",
        number,
    )
    return [
        Target(
            report_id=relay_id("Report", row["report_id"]),
            criterion_id=relay_id("Criterion", row["criterion_id"]),
            assessment_id=relay_id("Assessment", row["id"]),
            row_id=row["id"],
            version=row["version"],
        )
        for row in rows
    ]
