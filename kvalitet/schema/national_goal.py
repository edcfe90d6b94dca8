"""The national sector goals (sektormål) for kindergarten and basic education."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import relay

from .. import models
from .base import RowNode, Versioned


@strawberry.enum(description="The sector a national goal is set for.")
class Sector(Enum):
    KINDERGARTEN = "kindergarten"
    BASIC_EDUCATION = "basic_education"


@strawberry.type(description="A goal the government sets for the sector (sektormål).")
class NationalGoal(RowNode, Versioned):
    model = models.NationalGoal
    id: relay.NodeID[str]
    key: str
    sector: Sector
    text: str
