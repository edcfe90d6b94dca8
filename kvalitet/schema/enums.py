"""Enumerations shared by several types. Values are the database's words."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="What kind of unit: kindergarten (barnehage), school (skole) or SFO.")
class UnitKind(Enum):
    KINDERGARTEN = "kindergarten"
    SCHOOL = "school"
    SFO = "sfo"


@strawberry.enum(description="Where a plan is in its life: a draft, adopted (public, frozen) or archived.")
class PlanStatus(Enum):
    DRAFT = "draft"
    ADOPTED = "adopted"
    ARCHIVED = "archived"


@strawberry.enum(description="Who owns a unit.")
class Ownership(Enum):
    MUNICIPAL = "municipal"
    PRIVATE = "private"


@strawberry.enum(description="A language the service speaks.")
class Locale(Enum):
    NB = "nb"
    NN = "nn"
    EN = "en"
