"""`me`: who the caller is, the roles they hold with the municipality or unit each covers, and
what each role lets them do, so a client can route a principal to their unit without decoding
a token. The permissions are the roles table's (`kvalitet.access.roles`), not a copy."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from kvalitet import models
from kvalitet.access.actor import Actor
from kvalitet.access.roles import ROLES
from kvalitet.schema.reading.relations import Parent, relation

if TYPE_CHECKING:
    from kvalitet.schema.municipality import Municipality
    from kvalitet.schema.unit import Unit


@strawberry.type(description="A role the caller holds: at a whole municipality, or at one unit.")
class RoleGrant:
    role: str = strawberry.field(
        description="`sector_admin`, `unit_leader`, `staff` or `viewer`; `integrator` for an API key."
    )
    permissions: list[str] = strawberry.field(
        description="What the role lets the caller do there (e.g. `reports:submit`). A `staff` role also writes "
        "the unit's drafts when the unit allows it (`Unit.staffMayEdit`)."
    )
    municipality_id: strawberry.Private[uuid.UUID | None]
    unit_id: strawberry.Private[uuid.UUID | None]

    @relation(
        Parent(models.Municipality, "municipality_id"), description="The municipality, for a municipality's role."
    )
    async def municipality(
        self, info: Info
    ) -> Annotated[Municipality, strawberry.lazy("kvalitet.schema.municipality")] | None: ...

    @relation(
        Parent(models.Unit, "unit_id"), description="The unit, for a role at one unit; null for the whole municipality."
    )
    async def unit(self, info: Info) -> Annotated[Unit, strawberry.lazy("kvalitet.schema.unit")] | None: ...


@strawberry.type(description="Who is calling, and what they may do where.")
class Me:
    id: str | None = strawberry.field(
        description="`user:<subject>` for a person, the key's name for an integrator; null when anonymous."
    )
    anonymous: bool = strawberry.field(
        description="True when the request carries no credentials (then it has no roles and no scopes)."
    )
    roles: list[RoleGrant] = strawberry.field(description="The caller's roles (none when anonymous).")
    scopes: list[str] = strawberry.field(description="An integrator's API key's scopes (none for a person).")

    @staticmethod
    def of(actor: Actor) -> Me:
        return Me(
            id=actor.id,
            anonymous=actor.anonymous,
            roles=[
                RoleGrant(
                    role=grant.role,
                    # An API key's grant (`integrator`) may do what its scopes say.
                    permissions=sorted(ROLES.get(grant.role, actor.scopes)),
                    municipality_id=grant.municipality_id,
                    unit_id=grant.unit_id,
                )
                for grant in actor.grants
            ],
            scopes=sorted(actor.scopes),
        )


__all__ = ["Me", "RoleGrant"]
