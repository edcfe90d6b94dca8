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


class Register(TextEnum):
    """The national registers units are synced with."""

    NSR = "nsr"  # Nasjonalt skoleregister: schools
    NBR = "nbr"  # Nasjonalt barnehageregister: kindergartens


class RefreshOutcome(TextEnum):
    """How a scheduled refresh of an indicator table, or a sync with a register, went."""

    WRITTEN = "written"  # Udir's answer differed from the last import: figures written
    UNCHANGED = "unchanged"  # the same data as the last import: nothing written
    FAILED = "failed"  # Udir could not be read, or answered in a shape not known here


class IndicatorSource(TextEnum):
    """Where an indicator's figures come from."""

    UDIR = "udir"  # Udir's statistics bank (statistikkbanken, statistikkportalen)
    LOCAL = "local"  # the municipality's own survey, uploaded by it


class IndicatorMeasure(TextEnum):
    """What an indicator's number is."""

    SCORE = "score"  # a mean on the indicator's scale (Elevundersøkelsen's 1–5)
    PERCENT = "percent"  # a share of respondents (bullied, participating)
    SCALE_POINTS = "scale_points"  # nasjonale prøver's skalapoeng (national mean 50)
    POINTS = "points"  # grunnskolepoeng


class IndicatorLevel(TextEnum):
    """Whose figure it is: the nation's, a county's, a municipality's or one unit's."""

    NATION = "nation"
    COUNTY = "county"
    MUNICIPALITY = "municipality"
    UNIT = "unit"


class Gender(TextEnum):
    ALL = "all"
    GIRLS = "girls"
    BOYS = "boys"


class FigureStatus(TextEnum):
    """Whether a figure can be shown."""

    REPORTED = "reported"
    SUPPRESSED = "suppressed"  # hidden for privacy («prikket»): never a number, never derivable
    MISSING = "missing"  # the source has no figure (no respondents, not run that year)


class FigureReason(TextEnum):
    """Why a figure is not reported (a catalogued text `figure.<reason>` says it to people)."""

    SOURCE = "source"  # the source suppressed it («*»)
    BELOW_THRESHOLD = "below_threshold"  # fewer respondents than the indicator's threshold
    COMPLEMENTARY = "complementary"  # hidden too, so a suppressed figure cannot be had by difference
    CONTAINS_SUPPRESSED = "contains_suppressed"  # a roll-up over a group with a suppressed member
    NO_DATA = "no_data"  # the source says there is no figure («-», empty)
    SERIES_BREAK = "series_break"  # the region was split or merged: earlier figures are another region's


class ReportLocale(TextEnum):
    """The written standards a report to the council is written and rendered in."""

    NB = "nb"
    NN = "nn"


__all__ = [
    "ReportLocale",
    "ActionStatus",
    "ChangeAction",
    "DeliveryStatus",
    "FigureReason",
    "FigureStatus",
    "Gender",
    "IndicatorLevel",
    "IndicatorMeasure",
    "IndicatorSource",
    "Ownership",
    "PlanStatus",
    "ReviewStatus",
    "Sector",
    "TextEnum",
    "UnitKind",
]


class MeetingStatus(TextEnum):
    """Where a follow-up meeting between the municipality and a unit stands."""

    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class ParticipantRole(TextEnum):
    """Who takes part in a follow-up meeting, by role (the title beside it says more)."""

    OWNER = "owner"  # the municipality as owner: the sector office, the head of the sector
    UNIT_LEADER = "unit_leader"
    UNIT_STAFF = "unit_staff"
    EMPLOYEE_REPRESENTATIVE = "employee_representative"
    OTHER = "other"


class FollowUpStatus(TextEnum):
    """How far a point agreed in a follow-up meeting has come."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class CompetenceScope(TextEnum):
    """Individual or collective competence development (Udir: «individuell og kollektiv»)."""

    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"


class TargetGroup(TextEnum):
    """Whom a competence measure is for (Udir: «hele personalet … deler av personalet»)."""

    WHOLE_STAFF = "whole_staff"
    PART_OF_STAFF = "part_of_staff"
    LEADERS = "leaders"
