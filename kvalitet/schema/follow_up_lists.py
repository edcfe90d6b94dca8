"""Lists of follow-up meetings and points, for a municipality or a unit: filtered and paged by a
keyset cursor (meetings by their day, points by when they were agreed)."""

from __future__ import annotations

from typing import Any

from kvalitet import models
from kvalitet.schema.reading.loaders import UnitKindIs
from kvalitet.schema.reading.relations import Filters, Page


def _filters(arguments: dict) -> Filters:
    # A unit's lists have no `unit_kind`; points have no `kind` or `year`: `get` gives None.
    equals: dict[str, Any] = {}
    for argument, column in (("kind", "kind"), ("year", "year"), ("status", "status")):
        value = arguments.get(argument)
        if value is not None:
            equals[column] = getattr(value, "value", value)
    unit_kind = arguments.get("unit_kind")
    where = (UnitKindIs("unit_id", getattr(unit_kind, "value", unit_kind)),) if unit_kind is not None else ()
    return Filters(equals, where)


def _by_day(arguments: dict) -> tuple[str, ...]:
    return ("planned_on", "id")


def _as_agreed(arguments: dict) -> tuple[str, ...]:
    return ("created_at", "id")


def meetings(column: str) -> Page:
    """The follow-up meetings whose `column` is the parent's id, earliest first."""
    return Page(models.FollowUpMeeting, column, _by_day, _filters)


def points(column: str) -> Page:
    """The follow-up points whose `column` is the parent's id, in the order they were agreed."""
    return Page(models.FollowUpPoint, column, _as_agreed, _filters)


def competence_plans(column: str) -> Page:
    """The competence plans whose `column` is the parent's id, oldest first."""
    return Page(models.CompetencePlan, column, lambda arguments: ("start_year", "id"), _filters)
