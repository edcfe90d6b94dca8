"""The access policy: the one place every read and write asks.

Reads: every loader passes its SELECT through `scope`, which may narrow it (e.g. to the
caller's municipality). What it filters out is simply not found, so no caller learns that
a row exists. Writes: every service calls `authorize` before it changes a row.

`PermissiveAccessPolicy` lets everything through; the authentication work replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Select


@dataclass(frozen=True)
class Actor:
    """Who is calling: a person, an integrator's key, or the system itself."""

    id: str | None = None
    roles: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return self.id or "anonymous"


ANONYMOUS = Actor()
SYSTEM = Actor(id="system", roles=("system",))


class AccessDenied(PermissionError):
    """The actor may not do this; shown to the caller as *not found* for reads."""


class AccessPolicy(Protocol):
    def scope(self, actor: Actor, model: type, statement: Select) -> Select:
        """Narrow a SELECT over `model` to the rows `actor` may read."""

    def authorize(self, actor: Actor, action: str, model: type, row: object | None) -> None:
        """Raise AccessDenied unless `actor` may do `action` ('create', 'update', 'delete',
        or a domain verb such as 'adopt') on `row` of `model`."""


class PermissiveAccessPolicy:
    def scope(self, actor: Actor, model: type, statement: Select) -> Select:
        return statement

    def authorize(self, actor: Actor, action: str, model: type, row: object | None) -> None:
        return None
