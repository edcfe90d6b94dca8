"""What every resolver gets as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kvalitet.access import AccessPolicy, Actor
from kvalitet.config import Settings
from kvalitet.db import Database
from kvalitet.loaders import Loaders
from kvalitet.plugins import Profiles


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
    compiled_cache: Any = None  # kvalitet.compiled.prepared.LRUCache of compiled statements
