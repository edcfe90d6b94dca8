"""Integrators' API keys (never the key itself: it is shown once, when made)."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry import relay

from kvalitet import models
from kvalitet.schema.base import RowNode, Versioned


@strawberry.type(description="An integrator's API key for one municipality, with its scopes.")
class ApiKey(RowNode, Versioned):
    model = models.ApiKey
    id: relay.NodeID[str]
    name: str = strawberry.field(
        description="What the key is called, as given when it was made (e.g. the system using it)."
    )
    prefix: str = strawberry.field(description="The key starts with `kv_<prefix>_`; it identifies the key in logs.")
    scopes: list[str] = strawberry.field(
        description="What the key may do (e.g. `read`, `reports:write`): each scope is a permission of the same name."
    )
    created_by: str | None = strawberry.field(
        description="Who made it, as the change log names callers (`user:<subject>`); null if not recorded."
    )
    revoked_at: dt.datetime | None = strawberry.field(
        description="When it was revoked (`revokeApiKey`); null while the key works."
    )
    last_used_at: dt.datetime | None = strawberry.field(
        description="When it last authenticated a request (recorded at most every five minutes); null if never used."
    )
    municipality_id: strawberry.Private[uuid.UUID]
