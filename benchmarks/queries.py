"""The three GraphQL queries, written for both servers, and the check that they answer alike.

The peer's documents alias PostGraphile's field names to ours (`reports: reportsByUnitId …`),
so both answers have the same shape: the same rows, in the same order, with the same fields.
Only the ids differ (ours are Relay ids, the peer's the raw UUIDs), and the spelling of enums
(`SCHOOL` / `school`) and timestamps, which the comparison normalizes.
"""

from __future__ import annotations

import base64
import datetime as dt
import difflib
import re
import uuid
from dataclasses import dataclass

from .data import Dataset


def relay_id(type_name: str, row_id: uuid.UUID) -> str:
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


OURS = {
    "page": """query Page($id: ID!) { node(id: $id) { ... on Unit { id name kind reports { nodes { id year periodKey status assessments(first: 10) { id level comment updatedAt } } } } } }""",
    "dashboard": """query Dashboard($number: String!, $first: Int!) { municipality(number: $number) { id name units(first: $first) { nodes { id name kind reports { nodes { id year periodKey status assessments { id level comment updatedAt } } } } } } }""",
    "plan_tree": """query PlanTree($id: ID!) { node(id: $id) { ... on Plan { id title periodStart periodEnd areas { id key kind title position goals { id kind text criteria { id text } } criteria { id text perspective } measures { id text } children { id key kind title position goals { id kind text criteria { id text } } criteria { id text perspective } measures { id text } } } } } }""",
}

_BY_POSITION = "orderBy: [POSITION_ASC, ID_ASC]"
_AREA_FIELDS = f"""id key kind title position
      goals: goalsByAreaIdList({_BY_POSITION}) {{ id kind text criteria: criteriaByGoalIdList({_BY_POSITION}) {{ id text }} }}
      criteria: criteriaByAreaIdList({_BY_POSITION}) {{ id text perspective }}
      measures: measuresByAreaIdList({_BY_POSITION}) {{ id text }}"""

PEER = {
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
}

NAMES = list(OURS)


@dataclass
class Request:
    query: str
    variables: dict

    def body(self) -> dict:
        return {"query": self.query, "variables": self.variables}


def requests(name: str, dataset: Dataset) -> tuple[Request, Request]:
    """The request to our server and the equivalent one to the peer."""
    if name == "page":
        ours = {"id": relay_id("Unit", dataset.page_unit_id)}
        peer = {"id": str(dataset.page_unit_id)}
    elif name == "dashboard":
        ours = peer = {"number": dataset.municipality_number, "first": len(dataset.unit_ids)}
    elif name == "plan_tree":
        ours = {"id": relay_id("Plan", dataset.plan_id)}
        peer = {"id": str(dataset.plan_id)}
    else:
        raise ValueError(f"unknown query {name!r}")
    return Request(OURS[name], ours), Request(PEER[name], peer)


# --- comparing answers -------------------------------------------------------------------------

ENUMS = {"kind", "status"}
TIMESTAMPS = {"updatedAt"}


def canonical(value, key: str | None = None, *, ids: bool = False):
    """The answer with ids dropped (unless `ids`), enums lower-cased and timestamps parsed."""
    if isinstance(value, dict):
        return {k: canonical(v, k, ids=ids) for k, v in value.items() if ids or k != "id"}
    if isinstance(value, list):
        return [canonical(v, key, ids=ids) for v in value]
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


def difference(a, b, a_name: str, b_name: str, *, ids: bool = False, limit: int = 40) -> str | None:
    """None when the two answers hold the same data; else the start of a unified diff."""
    a, b = canonical(a, ids=ids), canonical(b, ids=ids)
    if a == b:
        return None
    diff = list(difflib.unified_diff(_lines(a), _lines(b), a_name, b_name, lineterm="", n=1))
    more = f"\n… {len(diff) - limit} more diff lines" if len(diff) > limit else ""
    return "\n".join(diff[:limit]) + more


def counts(data) -> dict[str, int]:
    """How many objects the answer holds, by the field that lists them (units, reports, …)."""
    found: dict[str, int] = {}

    def walk(value, key):
        if isinstance(value, dict):
            if "id" in value and key is not None:
                found[key] = found.get(key, 0) + 1
            for k, v in value.items():
                walk(v, key if k == "nodes" else k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)

    walk(data, None)
    return found


def error_summary(answer: dict) -> str | None:
    """The GraphQL errors of an answer, one line each; None when it has none."""
    errors = answer.get("errors")
    if not errors:
        return None
    lines = (re.sub(r"\s+", " ", str(e.get("message", e)))[:300] for e in errors[:5])
    return "\n".join(f"  - {line}" for line in lines)
