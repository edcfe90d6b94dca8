"""The GraphQL enums. Those the database stores are kvalitet.models.enums' enumerations, made GraphQL
types here with their GraphQL name and description: the members' names are the GraphQL values,
their values the database's words."""

from __future__ import annotations

from enum import Enum

import strawberry

from kvalitet.models import enums

UnitKind = strawberry.enum(
    enums.UnitKind,
    name="UnitKind",
    description="What kind of unit: kindergarten (barnehage), school (skole) or SFO.",
)
PlanStatus = strawberry.enum(
    enums.PlanStatus,
    name="PlanStatus",
    description="Where a plan is in its life: a draft, adopted (public, frozen) or archived.",
)
Ownership = strawberry.enum(enums.Ownership, name="Ownership", description="Who owns a unit.")
Sector = strawberry.enum(enums.Sector, name="Sector", description="The sector a national goal is set for.")
ChangeAction = strawberry.enum(enums.ChangeAction, name="ChangeAction", description="What a change did.")
DeliveryStatus = strawberry.enum(
    enums.DeliveryStatus,
    name="DeliveryStatus",
    description="Where a delivery is: waiting (to be tried or retried), delivered, or dead (gave up).",
)
ReviewStatus = strawberry.enum(
    enums.ReviewStatus, name="ReviewStatus", description="Where a local plan or report is in its review."
)
ActionStatus = strawberry.enum(enums.ActionStatus, name="ActionStatus", description="How far an action has come.")


# Not stored: the languages of a `Label`.
@strawberry.enum(description="A language the service speaks.")
class Locale(Enum):
    NB = "nb"
    NN = "nn"
    EN = "en"


__all__ = [
    "ActionStatus",
    "ChangeAction",
    "DeliveryStatus",
    "Locale",
    "Ownership",
    "PlanStatus",
    "ReviewStatus",
    "Sector",
    "UnitKind",
]
