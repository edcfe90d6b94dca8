"""The role-based access policy: the service's one enforcement point.

Reads are narrowed in SQL (`scope`), so another municipality's or unit's rows are simply not
there — through `node(id:)`, connections, nested fields and mutations alike. Writes are
checked with `can` against the row's `Target`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, and_, false, or_

from kvalitet.access.actor import Actor, Grant, Target
from kvalitet.access.ownership import OWNERSHIP, Below, Owned, scoped
from kvalitet.access.roles import READ, ROLES, STAFF_WHEN_ALLOWED, required_permission
from kvalitet.bulk.codec import TABLES as EXPORTED_TABLES
from kvalitet.models import ChangeLog
from kvalitet.models.base import Base

# The models read with a permission of their own (the roles table's `required_permission`), by
# the name their changes carry in the change log.
OWN_READS = {
    model.__name__: permission for model in OWNERSHIP if (permission := required_permission(model, READ)) != READ
}
# What reading every table of an export takes (kvalitet.bulk.codec.TABLES).
EXPORT_READS = frozenset(
    required_permission(model, READ) for model in OWNERSHIP if model.__tablename__ in EXPORTED_TABLES
)


def permissions(actor: Actor, grant: Grant, target: Target | None = None) -> frozenset[str]:
    if grant.role == "integrator":
        # A key that may change things may read its municipality (it must find what it changes).
        writes = actor.scopes - {READ, "sector_reports:read"}
        granted = actor.scopes | {READ} if writes else actor.scopes
        # An export holds every exported table: a key exports only if it reads them all.
        return granted | {"municipality:export"} if EXPORT_READS <= granted else granted
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
    def can(self, actor: Actor, action: str, model: type[Base], target: Target) -> bool:
        if actor.system:
            return True
        needed = required_permission(model, action)
        if needed == READ and target.public:
            return True
        return any(covers(g, target) and needed in permissions(actor, g, target) for g in actor.grants)

    # -- reads ------------------------------------------------------------------------------

    def owners(self, actor: Actor, action: str, model: type[Base]) -> tuple[list[uuid.UUID], list[uuid.UUID]] | None:
        """(municipalities, units) whose rows of `model` `actor` may do `action` to, for a
        check in SQL (a write in one statement); None when every row. Leaves out what `can`
        adds for a single target (public rows, staff where a unit lets staff edit): a caller
        not found here is asked again with `can`."""
        return None if actor.system else self._ids(actor, required_permission(model, action))

    def _ids(self, actor: Actor, permission: str) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
        """Municipalities and units where `actor` has `permission`."""
        municipalities = [
            g.municipality_id
            for g in actor.grants
            if g.unit_id is None and g.municipality_id and permission in permissions(actor, g)
        ]
        units = [g.unit_id for g in actor.grants if g.unit_id is not None and permission in permissions(actor, g)]
        return municipalities, units

    def _owned(self, actor: Actor, municipality_column, unit_column=None, permission: str = READ):
        municipalities, units = self._ids(actor, permission)
        clauses = [municipality_column.in_(municipalities)] if municipalities else []
        if unit_column is not None and units:
            clauses.append(unit_column.in_(units))
        return or_(*clauses) if clauses else false()

    def visible(self, actor: Actor, model: type[Base], table):
        """The WHERE clause for rows of `model` (columns of `table`, the model's table or an
        alias of it) that `actor` may read; None when all are visible. Whose each row is comes
        from the ownership map; what is public and which permission reads a table, from here
        and the roles table."""
        if actor.system:
            return None
        c = table.c
        if model.__name__ == "ChangeFeedScope":
            # The feed: changes of the municipalities and units the caller reads; changes of the
            # rows read with a permission of their own (API keys, webhook subscriptions, sector
            # reports, the report to the council's drafts) only for those who have it.
            return and_(
                self._owned(actor, c.municipality_id, c.unit_id),
                or_(
                    c.entity_type.not_in(tuple(OWN_READS)),
                    *(
                        and_(c.entity_type == name, self._owned(actor, c.municipality_id, permission=permission))
                        for name, permission in OWN_READS.items()
                    ),
                ),
            )
        if model is ChangeLog:
            # History is reached only through a node the actor can see; anonymous callers,
            # who see only public plans, do not see who changed them.
            return false() if actor.anonymous else None
        if model not in OWNERSHIP:
            return None

        def readable(owned_model: type[Base], rule: Owned, owned_table):
            if rule.public:
                return None
            columns = owned_table.c
            clause = self._owned(
                actor,
                columns[rule.municipality],
                columns[rule.unit] if rule.unit else None,
                permission=required_permission(owned_model, READ),
            )
            if rule.public_unowned:
                clause = or_(columns[rule.municipality].is_(None), clause)
            return or_(columns.status.in_(rule.public_statuses), clause) if rule.public_statuses else clause

        return scoped(model, table, readable)

    def visible_below(self, actor: Actor, model: type[Base], column: str, parent: type[Base]) -> bool:
        # A row below others (the ownership map's `Below`) is read exactly when one of its
        # parents is (`scoped`): through `column` to `parent`, that parent being read says it.
        rule = OWNERSHIP.get(model)
        return isinstance(rule, Below) and (column, parent) in rule.parents

    def scope(self, actor: Actor, model: type[Base], statement: Select) -> Select:
        clause = self.visible(actor, model, model.__table__)
        return statement if clause is None else statement.where(clause)


__all__ = ["RolePolicy", "covers", "permissions"]
