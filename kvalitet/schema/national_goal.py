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
    key: str = strawberry.field(description="Its stable key in the catalogue, e.g. `barnehage-1`.")
    sector: Sector = strawberry.field(description="The sector it is set for: kindergarten or basic education.")
    text: str = strawberry.field(description="The goal, as the government words it.")
