"""Lists of local plans and reports, for a municipality or a unit: filtered, newest change
last, paged by a keyset cursor over (updated_at, id) — so `updatedSince` plus the cursor give
an integrator every change exactly once."""

from __future__ import annotations

import datetime as dt
import uuid

from .. import models
from ..loaders import AtLeast, UnitKindIs
from .connection import Connection, paged
from .enums import UnitKind
from .local_plan import LocalPlan, ReviewStatus
from .report import Report

ORDER = ("updated_at", "id")


def _where(unit_kind: UnitKind | None, updated_since: dt.datetime | None) -> tuple:
    clauses = []
    if unit_kind is not None:
        clauses.append(UnitKindIs("unit_id", unit_kind.value))
    if updated_since is not None:
        clauses.append(AtLeast("updated_at", updated_since))
    return tuple(clauses)


async def local_plans(info, column: str, parent_id: str, *, first, after, unit_kind, status, updated_since):
    equals = {} if status is None else {"status": status.value}
    return await paged(
        info,
        models.LocalPlan,
        column,
        uuid.UUID(parent_id),
        first=first,
        after=after,
        order=ORDER,
        node_from_row=LocalPlan.from_row,
        connection_type=Connection[LocalPlan],
        where=_where(unit_kind, updated_since),
        **equals,
    )


async def reports(info, column: str, parent_id: str, *, first, after, unit_kind, status, year, period, updated_since):
    equals = {}
    if status is not None:
        equals["status"] = status.value
    if year is not None:
        equals["year"] = year
    if period is not None:
        equals["period_key"] = period
    return await paged(
        info,
        models.Report,
        column,
        uuid.UUID(parent_id),
        first=first,
        after=after,
        order=ORDER,
        node_from_row=Report.from_row,
        connection_type=Connection[Report],
        where=_where(unit_kind, updated_since),
        **equals,
    )


__all__ = ["ReviewStatus", "local_plans", "reports"]
