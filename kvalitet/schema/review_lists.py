"""Lists of local plans and reports, for a municipality or a unit: filtered, newest change
last, paged by a keyset cursor over (updated_at, id) — so `updatedSince` plus the cursor give
an integrator every change exactly once."""

from __future__ import annotations

from typing import Any

from kvalitet import models
from kvalitet.schema.errors import instant
from kvalitet.schema.local_plan import ReviewStatus
from kvalitet.schema.reading.loaders import AtLeast, UnitKindIs
from kvalitet.schema.reading.relations import Filters, Page

ORDER = ("updated_at", "id")


def review_filters(*, status=None, year=None, period=None, unit_kind=None, updated_since=None) -> tuple[dict, tuple]:
    """A list's filters as (column = value, further clauses), for the resolvers here and the
    compiled path alike. Enums may come as members or as their stored values."""
    equals: dict[str, Any] = {}
    if status is not None:
        equals["status"] = getattr(status, "value", status)
    if year is not None:
        equals["year"] = year
    if period is not None:
        equals["period_key"] = period
    where: list[UnitKindIs | AtLeast] = []
    if unit_kind is not None:
        where.append(UnitKindIs("unit_id", getattr(unit_kind, "value", unit_kind)))
    if instant(updated_since, "updatedSince") is not None:
        where.append(AtLeast("updated_at", updated_since))
    return equals, tuple(where)


def _filters(arguments: dict) -> Filters:
    # A unit's lists have no `unit_kind`, local plans' no `year` or `period`: `get` gives None.
    return Filters(
        *review_filters(
            status=arguments.get("status"),
            year=arguments.get("year"),
            period=arguments.get("period"),
            unit_kind=arguments.get("unit_kind"),
            updated_since=arguments.get("updated_since"),
        )
    )


def _order(arguments: dict) -> tuple[str, ...]:
    return ORDER


def local_plans(column: str) -> Page:
    """The local plans whose `column` is the parent's id, as a page."""
    return Page(models.LocalPlan, column, _order, _filters)


def reports(column: str) -> Page:
    """The reports whose `column` is the parent's id, as a page."""
    return Page(models.Report, column, _order, _filters)


__all__ = ["ReviewStatus", "local_plans", "reports", "review_filters"]
