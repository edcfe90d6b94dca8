"""What every resolver gets as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kvalitet.access.actor import AccessPolicy, Actor
from kvalitet.db import Database
from kvalitet.infra.settings import Settings
from kvalitet.messages import DEFAULT_LOCALE
from kvalitet.plugins import Profiles
from kvalitet.schema.reading.loaders import Loaders

if TYPE_CHECKING:
    from kvalitet.infra.caches import LRUCache
    from kvalitet.schema.compiled.prepared import PreparedQuery


@dataclass
class Context:
    settings: Settings
    profiles: Profiles
    policy: AccessPolicy
    actor: Actor
    loaders: Loaders
    database: Database
    request: Any = None
    response: Any = None
    # Queries may take the compiled path (HTTP requests, unless the settings turn it off).
    compiled: bool = False
    compiled_cache: LRUCache[PreparedQuery] | None = None  # compiled statements, by operation and caller
    # The language messages are written in (kvalitet.messages.negotiate): nb, nn or en.
    locale: str = DEFAULT_LOCALE
