"""The role-based access policy: the service's one enforcement point.

Reads are narrowed in SQL (`scope`), so another municipality's or unit's rows are simply not
there — through `node(id:)`, connections, nested fields and mutations alike. Writes are
checked with `can` against the row's `Target`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, and_, false, or_, select

from ..access import Actor, Grant, Target
from ..models import (
    ApiKey,
    Area,
    Assessment,
    ChangeLog,
    Criterion,
    Goal,
    LocalAction,
    LocalGoal,
    LocalPlan,
    LocalPlanSection,
    Measure,
    Plan,
    Report,
    SectorReport,
    Unit,
    WebhookDelivery,
    WebhookSubscription,
)
from ..services.targets import PUBLIC_PLAN_STATUSES
from .roles import READ, ROLES, STAFF_WHEN_ALLOWED, required_permission


def permissions(actor: Actor, grant: Grant, target: Target | None = None) -> frozenset[str]:
    if grant.role == "integrator":
        # A key that may change things may read its municipality (it must find what it changes).
        writes = actor.scopes - {READ, "sector_reports:read"}
        granted = actor.scopes | {READ} if writes else actor.scopes
        return granted | {"municipality:export"} if READ in granted else granted
    granted = ROLES.get(grant.role, frozenset())
    if grant.role == "staff" and target is not None and target.staff_may_edit:
        granted = granted | STAFF_WHEN_ALLOWED
    return granted


def covers(grant: Grant, target: Target) -> bool:
    """Does the grant reach the target? A municipality grant reaches everything of the
    municipality; a unit grant only what belongs to that unit."""
    if grant.unit_id is not None:
        return target.unit_id == grant.unit_id
    return grant.municipality_id is not None and grant.municipality_id == target.municipality_id


class RolePolicy:
    def can(self, actor: Actor, action: str, model: type, target: Target) -> bool:
        if actor.system:
            return True
        needed = required_permission(model, action)
        if needed == READ and target.public:
            return True
        return any(covers(g, target) and needed in permissions(actor, g, target) for g in actor.grants)

    # -- reads ------------------------------------------------------------------------------

    def _ids(self, actor: Actor, permission: str) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
        """Municipalities and units where `actor` has `permission`."""
        municipalities = [
            g.municipality_id for g in actor.grants if g.unit_id is None and g.municipality_id and permission in permissions(actor, g)
        ]
        units = [g.unit_id for g in actor.grants if g.unit_id is not None and permission in permissions(actor, g)]
        return municipalities, units

    def _owned(self, actor: Actor, municipality_column, unit_column=None, permission: str = READ):
        municipalities, units = self._ids(actor, permission)
        clauses = [municipality_column.in_(municipalities)] if municipalities else []
        if unit_column is not None and units:
            clauses.append(unit_column.in_(units))
        return or_(*clauses) if clauses else false()

    def _plans(self, actor: Actor):
        return select(Plan.id).where(
            or_(Plan.status.in_(PUBLIC_PLAN_STATUSES), self._owned(actor, Plan.municipality_id))
        )

    def _areas(self, actor: Actor):
        return select(Area.id).where(Area.plan_id.in_(self._plans(actor)))

    def _local_plans(self, actor: Actor):
        return select(LocalPlan.id).where(self._owned(actor, LocalPlan.municipality_id, LocalPlan.unit_id))

    def _reports(self, actor: Actor):
        return select(Report.id).where(self._owned(actor, Report.municipality_id, Report.unit_id))

    def visible(self, actor: Actor, model: type, table):
        """The WHERE clause for rows of `model` (columns of `table`, the model's table or an
        alias of it) that `actor` may read; None when all are visible."""
        if actor.system:
            return None
        c = table.c
        if model is Plan:
            return or_(c.status.in_(PUBLIC_PLAN_STATUSES), self._owned(actor, c.municipality_id))
        if model is Area:
            return c.plan_id.in_(self._plans(actor))
        if model in (Goal, Measure):
            return c.area_id.in_(self._areas(actor))
        if model is Criterion:
            goals = select(Goal.id).where(Goal.area_id.in_(self._areas(actor)))
            return or_(c.area_id.in_(self._areas(actor)), c.goal_id.in_(goals))
        if model is Unit:
            return self._owned(actor, c.municipality_id, c.id)
        if model in (LocalPlan, Report):
            return self._owned(actor, c.municipality_id, c.unit_id)
        if model in (LocalGoal, LocalAction, LocalPlanSection):
            return c.local_plan_id.in_(self._local_plans(actor))
        if model is Assessment:
            return c.report_id.in_(self._reports(actor))
        if model is SectorReport:
            return self._owned(actor, c.municipality_id, permission="sector_reports:read")
        if model is ApiKey:
            return self._owned(actor, c.municipality_id, permission="api_keys:manage")
        if model is WebhookSubscription:
            return self._owned(actor, c.municipality_id, permission="webhooks:manage")
        if model is WebhookDelivery:
            subscriptions = select(WebhookSubscription.id).where(
                self._owned(actor, WebhookSubscription.municipality_id, permission="webhooks:manage")
            )
            return c.subscription_id.in_(subscriptions)
        if model.__name__ == "ChangeFeedScope":
            # The feed: changes of the municipalities and units the caller reads; changes of API
            # keys and webhook subscriptions only for those who manage them.
            return and_(
                self._owned(actor, c.municipality_id, c.unit_id),
                or_(
                    c.entity_type.not_in(("ApiKey", "WebhookSubscription")),
                    and_(c.entity_type == "ApiKey", self._owned(actor, c.municipality_id, permission="api_keys:manage")),
                    and_(
                        c.entity_type == "WebhookSubscription",
                        self._owned(actor, c.municipality_id, permission="webhooks:manage"),
                    ),
                ),
            )
        if model is ChangeLog:
            # History is reached only through a node the actor can see; anonymous callers,
            # who see only public plans, do not see who changed them.
            return false() if actor.anonymous else None
        return None  # municipalities, national goals: public

    def scope(self, actor: Actor, model: type, statement: Select) -> Select:
        clause = self.visible(actor, model, model.__table__)
        return statement if clause is None else statement.where(clause)


__all__ = ["RolePolicy", "covers", "permissions"]
