"""What every service call gets: the session of its transaction, who acts, and the rules."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from kvalitet.access.actor import AccessPolicy, Actor, Target
from kvalitet.access.ownership import OWNERSHIP, Owned
from kvalitet.messages import noun, text, verb
from kvalitet.models import Municipality, Unit
from kvalitet.models.base import Base, Entity
from kvalitet.plugins import Profiles
from kvalitet.services.errors import FORBIDDEN, fail, not_found, stale
from kvalitet.services.targets import target_of

E = TypeVar("E", bound=Entity)  # the row `load` reads


def _what(model: type[Base]) -> str:
    """A model as messages name it: its words (`LocalPlanSection`: "local plan section"), but a
    local plan's action is, to its users, just an action."""
    return "action" if model.__name__ == "LocalAction" else re.sub(r"(?<=[a-z])(?=[A-Z])", " ", model.__name__)


def held(session: AsyncSession, model: type[E], id_: uuid.UUID) -> E | None:
    """The row `id_` of `model` if the session holds it already (read earlier in the request),
    without a statement; None otherwise."""
    found: E | None = session.sync_session.identity_map.get(identity_key(model, id_))
    return found


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
        row = await self._get(model, id_, share_lock) if id_ is not None else None
        if row is None:
            not_found(what, field_name)
        target = await target_of(self.session, row)
        if not self.policy.can(self.actor, "read", model, target):
            not_found(what, field_name)
        if action != "read" and not self.policy.can(self.actor, action, model, target):
            fail(
                FORBIDDEN, text("error.forbidden", action=verb(action), the_what=noun(what, definite=True)), field_name
            )
        return row

    async def _get(self, model: type[E], id_: uuid.UUID, share_lock: bool) -> E | None:
        """The row, with the unit and municipality it names read in the same statement (the
        access check and most rules read them next, from the identity map)."""
        if not share_lock:
            known = held(self.session, model, id_)
            if known is not None:
                return known
        rule = OWNERSHIP.get(model)
        if not isinstance(rule, Owned) or model in (Unit, Municipality) or not (rule.unit or rule.municipality):
            options: dict[str, Any] = (
                {"with_for_update": {"read": True}, "populate_existing": True} if share_lock else {}
            )
            return await self.session.get(model, id_, **options)
        query = select(model).where(model.id == id_)
        if rule.unit:
            query = query.add_columns(Unit).outerjoin(Unit, Unit.id == getattr(model, rule.unit))
        if rule.municipality:
            query = query.add_columns(Municipality).outerjoin(
                Municipality, Municipality.id == getattr(model, rule.municipality)
            )
        if share_lock:
            query = query.with_for_update(read=True, of=model.__table__).execution_options(populate_existing=True)
        found = (await self.session.execute(query)).first()
        return found[0] if found is not None else None

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
            fail(FORBIDDEN, text("error.forbidden_create", what=noun(_what(model))), None)
