"""Lists of local plans and reports, for a municipality or a unit: filtered, newest change
last, paged by a keyset cursor over (updated_at, id) — so `updatedSince` plus the cursor give
an integrator every change exactly once."""

from __future__ import annotations

import uuid

from .. import models
from ..loaders import AtLeast, UnitKindIs
from .connection import Connection, paged
from .local_plan import LocalPlan, ReviewStatus
from .report import Report

ORDER = ("updated_at", "id")


def review_filters(*, status=None, year=None, period=None, unit_kind=None, updated_since=None) -> tuple[dict, tuple]:
    """A list's filters as (column = value, further clauses), for the resolvers here and the
    compiled path alike. Enums may come as members or as their stored values."""
    equals = {}
    if status is not None:
        equals["status"] = getattr(status, "value", status)
    if year is not None:
        equals["year"] = year
    if period is not None:
        equals["period_key"] = period
    where = []
    if unit_kind is not None:
        where.append(UnitKindIs("unit_id", getattr(unit_kind, "value", unit_kind)))
    if updated_since is not None:
        where.append(AtLeast("updated_at", updated_since))
    return equals, tuple(where)


async def local_plans(info, column: str, parent_id: str, *, first, after, unit_kind, status, updated_since):
    equals, where = review_filters(status=status, unit_kind=unit_kind, updated_since=updated_since)
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
        where=where,
        **equals,
    )


async def reports(info, column: str, parent_id: str, *, first, after, unit_kind, status, year, period, updated_since):
    equals, where = review_filters(
        status=status, year=year, period=period, unit_kind=unit_kind, updated_since=updated_since
    )
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
        where=where,
        **equals,
    )


__all__ = ["ReviewStatus", "local_plans", "reports", "review_filters"]
