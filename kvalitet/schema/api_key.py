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
    name: str
    prefix: str = strawberry.field(description="The key starts with `kv_<prefix>_`; it identifies the key in logs.")
    scopes: list[str]
    created_by: str | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None
    municipality_id: strawberry.Private[uuid.UUID]
