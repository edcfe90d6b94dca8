"""The national sector goals (sektormål) for kindergarten and basic education."""

from __future__ import annotations

import strawberry
from strawberry import relay

from kvalitet import models
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.enums import Sector


@strawberry.type(description="A goal the government sets for the sector (sektormål).")
class NationalGoal(RowNode, Versioned):
    model = models.NationalGoal
    id: relay.NodeID[str]
    key: str
    sector: Sector
    text: str
