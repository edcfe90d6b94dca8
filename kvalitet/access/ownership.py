"""Whose each row is: the one map that access, the change log and bulk export/import read.

A table either names its owner itself (`Owned`: the columns that hold its municipality and,
for a unit's rows, its unit) or belongs to the owner of a parent row (`Below`: the column that
points at the parent, and the parent's model; a criterion has two, an area or a goal). From
this map come:

- `parent_ref`: the parent row of a row (access targets, the change log's owner columns);
- `owner_of`: a row's (municipality, unit), walking up through the session;
- `scoped`: a SQL clause over a table, given the clause for the tables that own themselves; the
  access policy's `visible` and the export's scopes (and so the import's check) are built with it.

What a table's rows mean to each reader (which are public, which permission reads them) is the
reader's; only whose they are is here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select, union_all

from kvalitet.models import (
    ApiKey,
    Area,
    Assessment,
    ChangeLog,
    CompetenceGoal,
    CompetenceMeasure,
    CompetenceNeed,
    CompetencePlan,
    CouncilReport,
    CouncilReportEdition,
    CouncilReportPdf,
    CouncilReportSection,
    Criterion,
    FollowUpMeeting,
    FollowUpPoint,
    FollowUpRhythm,
    Goal,
    IdempotencyRecord,
    Indicator,
    IndicatorBatch,
    IndicatorRefresh,
    IndicatorValue,
    LocalAction,
    LocalGoal,
    LocalPlan,
    LocalPlanSection,
    Measure,
    Municipality,
    NationalGoal,
    OutboxEvent,
    Plan,
    RegisterSync,
    Report,
    SectorReport,
    Unit,
    WebhookDelivery,
    WebhookSubscription,
)
from kvalitet.models.base import Base, Entity
from kvalitet.models.enums import PlanStatus

# An adopted or archived plan is a public document; so is its content.
PUBLIC_PLAN_STATUSES = (PlanStatus.ADOPTED.value, PlanStatus.ARCHIVED.value)


@dataclass(frozen=True)
class Owned:
    """Rows that name their owner: `municipality` and `unit` are the columns holding them (the
    row's own id for a municipality or a unit). `public`: every row is public (municipalities,
    the national goals, which have no owner); `public_statuses`: rows in these statuses are."""

    municipality: str | None = None
    unit: str | None = None
    public: bool = False
    public_statuses: tuple[str, ...] = ()
    # Rows with no municipality are everyone's (the national indicator catalogue and its imports).
    public_unowned: bool = False


@dataclass(frozen=True)
class Below:
    """Rows that belong to their parent's owner: (column, parent model), the first set wins."""

    parents: tuple[tuple[str, type[Entity]], ...]


OWNERSHIP: dict[type[Base], Owned | Below] = {
    Municipality: Owned(municipality="id", public=True),
    NationalGoal: Owned(public=True),
    Unit: Owned(municipality="municipality_id", unit="id"),
    Plan: Owned(municipality="municipality_id", public_statuses=PUBLIC_PLAN_STATUSES),
    Area: Below((("plan_id", Plan),)),
    Goal: Below((("area_id", Area),)),
    Measure: Below((("area_id", Area),)),
    Criterion: Below((("area_id", Area), ("goal_id", Goal))),
    LocalPlan: Owned(municipality="municipality_id", unit="unit_id"),
    LocalGoal: Below((("local_plan_id", LocalPlan),)),
    LocalAction: Below((("local_plan_id", LocalPlan),)),
    LocalPlanSection: Below((("local_plan_id", LocalPlan),)),
    Report: Owned(municipality="municipality_id", unit="unit_id"),
    Assessment: Below((("report_id", Report),)),
    SectorReport: Owned(municipality="municipality_id"),
    # The year's draft is the sector office's; its published editions are everyone's to read.
    CouncilReport: Owned(municipality="municipality_id"),
    CouncilReportSection: Below((("council_report_id", CouncilReport),)),
    CouncilReportEdition: Owned(municipality="municipality_id", public=True),
    CouncilReportPdf: Below((("edition_id", CouncilReportEdition),)),
    ApiKey: Owned(municipality="municipality_id"),
    WebhookSubscription: Owned(municipality="municipality_id"),
    WebhookDelivery: Below((("subscription_id", WebhookSubscription),)),
    OutboxEvent: Owned(municipality="municipality_id"),
    ChangeLog: Owned(municipality="municipality_id", unit="unit_id"),
    # National indicators are public; a municipality's own are its. Unit figures are read only
    # through `Unit.indicators`, which asks for the unit's reports first (kvalitet.indicators.series).
    Indicator: Owned(municipality="municipality_id", public_unowned=True),
    IndicatorBatch: Owned(municipality="municipality_id", public_unowned=True),
    IndicatorValue: Below((("indicator_id", Indicator),)),
    # When each national table was last refreshed: Udir's schedule, nobody's data.
    IndicatorRefresh: Owned(public=True),
    # Where the municipality's sync with the national registers stands.
    RegisterSync: Owned(municipality="municipality_id"),
    # Follow-up of each unit: its meetings with the municipality and the points agreed there.
    FollowUpMeeting: Owned(municipality="municipality_id", unit="unit_id"),
    FollowUpPoint: Owned(municipality="municipality_id", unit="unit_id"),
    FollowUpRhythm: Owned(municipality="municipality_id"),
    # A unit's competence plan is the unit's; the municipality's own (no unit) the sector office's.
    CompetencePlan: Owned(municipality="municipality_id", unit="unit_id"),
    CompetenceNeed: Below((("plan_id", CompetencePlan),)),
    CompetenceGoal: Below((("plan_id", CompetencePlan),)),
    CompetenceMeasure: Below((("plan_id", CompetencePlan),)),
}
# Tables whose rows are kept per caller, not per owner (`Actor.identity`).
NOT_OWNED = {IdempotencyRecord: "a caller's record of a mutation, keyed by the caller's identity"}


def parent_ref(row: Base) -> tuple[type[Entity], uuid.UUID] | None:
    """The row whose owner `row` shares, as (model, id); None for a row that names its owner."""
    rule = OWNERSHIP.get(type(row))
    if isinstance(rule, Below):
        for column, model in rule.parents:
            value = getattr(row, column)
            if value is not None:
                return model, value
    return None


def owner_of(row, get: Callable[[type[Entity], uuid.UUID], Any]) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """(municipality id, unit id) of `row`; `get(model, id)` reads a parent (None if gone)."""
    rule = OWNERSHIP.get(type(row))
    if isinstance(rule, Owned):
        return (
            getattr(row, rule.municipality) if rule.municipality else None,
            getattr(row, rule.unit) if rule.unit else None,
        )
    ref = parent_ref(row)
    parent = get(*ref) if ref is not None else None
    return owner_of(parent, get) if parent is not None else (None, None)


def municipality_id_of(model: type[Base], table) -> ColumnElement:
    """The municipality a row of `table` (the model's table or an alias) belongs to, as a SQL
    expression: its own column, or its parent's municipality (the first parent set)."""
    rule = OWNERSHIP[model]
    if isinstance(rule, Owned):
        if rule.municipality is None:
            raise ValueError(f"{model.__name__} rows belong to no municipality")
        return table.c[rule.municipality]
    found = []
    for column, parent in rule.parents:
        above = parent.__table__.alias()
        found.append(select(municipality_id_of(parent, above)).where(above.c.id == table.c[column]).scalar_subquery())
    return found[0] if len(found) == 1 else func.coalesce(*found)


def is_public(row) -> bool:
    rule = OWNERSHIP.get(type(row))
    return isinstance(rule, Owned) and (
        rule.public
        or getattr(row, "status", None) in rule.public_statuses
        or (rule.public_unowned and rule.municipality is not None and getattr(row, rule.municipality) is None)
    )


def scoped(model: type[Base], table, own: Callable[[type[Base], Owned, Any], Any], *, apart: bool = False):
    """The clause over `table` (the model's table or an alias) for the rows of `model` that a
    reader takes: `own(model, rule, table)` for a table that names its owner (None: every row),
    and for a table below others, the rows whose parent is taken (recursively).

    `apart`: a table below two kinds of parent (a criterion) is read as the union of the rows
    under each, for a reader that takes few parents of many (one municipality's export):
    PostgreSQL answers `area_id IN (…) OR goal_id IN (…)` by scanning the whole table, every
    municipality's rows, where each branch alone uses its own index."""
    rule = OWNERSHIP[model]
    if isinstance(rule, Owned):
        return own(model, rule, table)
    inner = model.__table__.alias() if apart and len(rule.parents) > 1 else table
    clauses = []
    for column, parent in rule.parents:
        parents = scoped(parent, parent.__table__, own, apart=apart)
        if parents is None:
            return None  # a parent whose every row is taken: so is every row here
        clauses.append(inner.c[column].in_(select(parent.__table__.c.id).where(parents)))
    if inner is not table:
        return table.c.id.in_(union_all(*(select(inner.c.id).where(clause) for clause in clauses)))
    return or_(*clauses) if clauses else false()


__all__ = [
    "NOT_OWNED",
    "OWNERSHIP",
    "PUBLIC_PLAN_STATUSES",
    "Below",
    "Owned",
    "is_public",
    "municipality_id_of",
    "owner_of",
    "parent_ref",
    "scoped",
]
