"""What every service call gets: the session of its transaction, who acts, and the rules."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from kvalitet.access.actor import AccessPolicy, Actor, Target
from kvalitet.models.base import Base, Entity
from kvalitet.plugins import Profiles
from kvalitet.services.errors import FORBIDDEN, fail, not_found, stale
from kvalitet.services.targets import target_of

E = TypeVar("E", bound=Entity)  # the row `load` reads


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass
class ServiceContext:
    session: AsyncSession
    actor: Actor
    policy: AccessPolicy
    profiles: Profiles
    today: dt.date = field(default_factory=_today)

    async def load(
        self,
        model: type[E],
        id_: uuid.UUID | None,
        what: str,
        *,
        action: str = "read",
        field_name: str = "id",
        share_lock: bool = False,
    ) -> E:
        """The row with `id_`, after the access policy allows `action` on it. NOT_FOUND when it
        does not exist or the actor may not see it (no leak of existence); FORBIDDEN when the
        actor sees it but may not do `action`.

        `share_lock` reads it FOR SHARE: a change of what belongs to the row (an assessment of
        a report) then waits for, and sees, a concurrent change of the row's state (a submit).
        """
        options: dict[str, Any] = {"with_for_update": {"read": True}, "populate_existing": True} if share_lock else {}
        row = await self.session.get(model, id_, **options) if id_ is not None else None
        if row is None:
            not_found(what, field_name)
        target = await target_of(self.session, row)
        if not self.policy.can(self.actor, "read", model, target):
            not_found(what, field_name)
        if action != "read" and not self.policy.can(self.actor, action, model, target):
            fail(FORBIDDEN, f"You may not {action} this {what}.", field_name)
        return row

    async def load_for_change(
        self,
        model: type[E],
        id_: uuid.UUID | None,
        version: int | None,
        what: str,
        *,
        action: str = "update",
        field_name: str = "id",
    ) -> E:
        """As `load`, and refuse a stale `version` (the one the caller read) before any change."""
        row = await self.load(model, id_, what, action=action, field_name=field_name)
        if version is not None and row.version != version:
            stale(what)
        return row

    async def authorize(self, action: str, model: type[Base], row: Base | None) -> None:
        """Refuse (FORBIDDEN) unless the actor may do `action` to a `model` row belonging where
        `row` belongs. For "create", `row` is the parent the new row goes under (None: none)."""
        target = await target_of(self.session, row) if row is not None else Target()
        if not self.policy.can(self.actor, action, model, target):
            fail(FORBIDDEN, f"You may not {action} a {model.__name__} here.", None)
