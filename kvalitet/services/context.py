"""What every service call gets: the session of its transaction, who acts, and the rules."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from ..access import AccessDenied, AccessPolicy, Actor
from ..plugins import Profiles
from .errors import not_found, stale


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


@dataclass
class ServiceContext:
    session: AsyncSession
    actor: Actor
    policy: AccessPolicy
    profiles: Profiles
    today: dt.date = field(default_factory=_today)

    async def load(self, model: type, id_: uuid.UUID | None, what: str, *, action: str = "read", field_name: str = "id"):
        """The row with `id_`, after the access policy allows `action` on it; NOT_FOUND when
        it does not exist or the actor may not see it (no leak of existence)."""
        row = await self.session.get(model, id_) if id_ is not None else None
        if row is None:
            not_found(what, field_name)
        try:
            self.policy.authorize(self.actor, action, model, row)
        except AccessDenied:
            not_found(what, field_name)
        return row

    async def load_for_change(self, model: type, id_: uuid.UUID | None, version: int | None, what: str, *, action: str = "update"):
        """As `load`, and refuse a stale `version` (the one the caller read) before any change."""
        row = await self.load(model, id_, what, action=action)
        if version is not None and row.version != version:
            stale(what)
        return row

    def authorize(self, action: str, model: type, row: object | None) -> None:
        self.policy.authorize(self.actor, action, model, row)
