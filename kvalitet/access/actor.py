"""The access policy: the one place every read and write asks.

Reads: every loader passes its SELECT through `scope`, which narrows it to what the actor
may see. What it filters out is simply not found, so no caller learns that a row exists.
Writes: every service asks `can` for the row it changes (or, for a new row, its parent),
described by a `Target`: whose it is and whether it is public.

`PermissiveAccessPolicy` lets everything through (tests of other concerns, and the CLI);
`kvalitet.access.policy.RolePolicy` is the service's policy.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import ColumnElement, FromClause, Select

from kvalitet.models.base import Base


@dataclass(frozen=True)
class Grant:
    """A role at a municipality, or at one unit of it."""

    role: str
    municipality_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Actor:
    """Who is calling: a person, an integrator's key, the system itself, or nobody."""

    id: str | None = None
    grants: tuple[Grant, ...] = ()
    # An API key's scopes (integrators); people get theirs from their roles.
    scopes: frozenset[str] = field(default_factory=frozenset)
    system: bool = False

    @property
    def name(self) -> str:
        return self.id or "anonymous"

    @property
    def anonymous(self) -> bool:
        return self.id is None and not self.system

    @property
    def identity(self) -> str:
        """The caller's whole identity (subject, grants, scopes) as a 64-character digest.
        What is kept per caller between requests is keyed by it, not by the name alone: two
        tokens with the same subject and other roles are two callers."""
        grants = sorted((g.role, str(g.municipality_id or ""), str(g.unit_id or "")) for g in self.grants)
        text = json.dumps([self.id, self.system, grants, sorted(self.scopes)], separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


ANONYMOUS = Actor()
SYSTEM = Actor(id="system", system=True)


@dataclass(frozen=True)
class Target:
    """What a row belongs to, as far as access is concerned."""

    municipality_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None
    public: bool = False  # adopted or archived plan content, municipalities, national goals
    staff_may_edit: bool = False  # the unit's leader lets staff edit drafts


class AccessDenied(PermissionError):
    """The actor may see the row but not do this to it."""


class AccessPolicy(Protocol):
    def scope(self, actor: Actor, model: type[Base], statement: Select) -> Select:
        """Narrow a SELECT over `model` to the rows `actor` may read."""

    def visible(self, actor: Actor, model: type[Base], table: FromClause) -> ColumnElement[bool] | None:
        """The WHERE clause `scope` adds, over the columns of `table` (the model's table or an
        alias of it, as the compiled path uses); None when every row is visible."""

    def visible_below(self, actor: Actor, model: type[Base], column: str, parent: type[Base]) -> bool:
        """Is every `model` row whose `column` names a `parent` row that `actor` may read one
        `actor` may read too? (Then a read of a visible row's children needs no clause of its own.)"""

    def can(self, actor: Actor, action: str, model: type[Base], target: Target) -> bool:
        """May `actor` do `action` ('read', 'create', 'update', 'delete', 'submit', 'approve' …)
        to a `model` row belonging to `target`?"""


class PermissiveAccessPolicy:
    def scope(self, actor: Actor, model: type[Base], statement: Select) -> Select:
        return statement

    def visible(self, actor: Actor, model: type[Base], table: FromClause) -> ColumnElement[bool] | None:
        return None

    def visible_below(self, actor: Actor, model: type[Base], column: str, parent: type[Base]) -> bool:
        return True

    def can(self, actor: Actor, action: str, model: type[Base], target: Target) -> bool:
        return True

    def owners(self, actor: Actor, action: str, model: type[Base]) -> None:
        return None  # every row
