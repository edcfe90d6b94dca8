"""The enumerations the service stores as text: one home for each.

Every enumeration is a `StrEnum` here, its values the database's words. Everything else is
built from it:

- the table's CHECK constraint: `one_of("status", PlanStatus)` (kvalitet.models.base);
- the services' validation of input: `Checker.choice(value, Ownership, "ownership")`
  (kvalitet.services.validation);
- the GraphQL enum: `strawberry.enum(PlanStatus, name=…, description=…)` in
  kvalitet.schema.enums, whose GraphQL names are the members' names.

A new value is added here and in a migration that swaps the CHECK constraint (the migration
test tells when one is missing). This module imports nothing of the service, so models,
services and schema can all use it.
"""

from __future__ import annotations

from enum import StrEnum


class TextEnum(StrEnum):
    """An enumeration stored as text. Members compare and hash as their values, so a value
    read from the database equals its member (`"draft" == PlanStatus.DRAFT`)."""

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """The stored words, in declaration order (the order of the CHECK constraint)."""
        return tuple(member.value for member in cls)


class UnitKind(TextEnum):
    KINDERGARTEN = "kindergarten"
    SCHOOL = "school"
    SFO = "sfo"


class Ownership(TextEnum):
    MUNICIPAL = "municipal"
    PRIVATE = "private"


class PlanStatus(TextEnum):
    DRAFT = "draft"
    ADOPTED = "adopted"
    ARCHIVED = "archived"


class ReviewStatus(TextEnum):
    """Where a local plan or a report is in its review (both tables share the words)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class ActionStatus(TextEnum):
    """How far a local plan's action has come."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Sector(TextEnum):
    """The sector a national goal is set for."""

    KINDERGARTEN = "kindergarten"
    BASIC_EDUCATION = "basic_education"


class ChangeAction(TextEnum):
    """What a change in the change log did."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class DeliveryStatus(TextEnum):
    """Where a webhook delivery is."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


__all__ = [
    "ActionStatus",
    "ChangeAction",
    "DeliveryStatus",
    "Ownership",
    "PlanStatus",
    "ReviewStatus",
    "Sector",
    "TextEnum",
    "UnitKind",
]
