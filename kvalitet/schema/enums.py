"""The GraphQL enums. Those the database stores are kvalitet.models.enums' enumerations, made GraphQL
types here with their GraphQL name and description: the members' names are the GraphQL values,
their values the database's words."""

from __future__ import annotations

from enum import Enum

import strawberry

from kvalitet.models import enums

# strawberry.enum marks the class it is given (and returns it): the GraphQL enums below are
# kvalitet.models.enums' classes themselves, and so are types to the type checker too.
UnitKind = enums.UnitKind
PlanStatus = enums.PlanStatus
Ownership = enums.Ownership
Sector = enums.Sector
ChangeAction = enums.ChangeAction
DeliveryStatus = enums.DeliveryStatus
ReviewStatus = enums.ReviewStatus
ActionStatus = enums.ActionStatus
IndicatorSource = enums.IndicatorSource
IndicatorMeasure = enums.IndicatorMeasure
IndicatorLevel = enums.IndicatorLevel
Gender = enums.Gender
FigureStatus = enums.FigureStatus
FigureReason = enums.FigureReason
ReportLanguage = enums.ReportLocale
RefreshOutcome = enums.RefreshOutcome
Register = enums.Register

strawberry.enum(
    UnitKind,
    name="UnitKind",
    description="What kind of unit: kindergarten (barnehage), school (skole) or SFO.",
)
strawberry.enum(
    PlanStatus,
    name="PlanStatus",
    description="Where a plan is in its life: a draft, adopted (public, frozen) or archived.",
)
strawberry.enum(Ownership, name="Ownership", description="Who owns a unit.")
strawberry.enum(Sector, name="Sector", description="The sector a national goal is set for.")
strawberry.enum(ChangeAction, name="ChangeAction", description="What a change did.")
strawberry.enum(
    DeliveryStatus,
    name="DeliveryStatus",
    description="Where a delivery is: waiting (to be tried or retried), delivered, or dead (gave up).",
)
strawberry.enum(ReviewStatus, name="ReviewStatus", description="Where a local plan or report is in its review.")
strawberry.enum(ActionStatus, name="ActionStatus", description="How far an action has come.")


# Not stored: the languages of a `Label`.
@strawberry.enum(description="A language the service speaks.")
class Locale(Enum):
    NB = "nb"
    NN = "nn"
    EN = "en"


strawberry.enum(
    IndicatorSource,
    name="IndicatorSource",
    description="Where an indicator's figures come from: Udir's statistics, or the municipality's own survey.",
)
strawberry.enum(
    IndicatorMeasure,
    name="IndicatorMeasure",
    description="What an indicator's number is: a mean score on its scale, a percentage, nasjonale prøver's "
    "scale points, or grunnskolepoeng.",
)
strawberry.enum(
    IndicatorLevel,
    name="IndicatorLevel",
    description="Whose figure: the nation's, a county's, a municipality's or one unit's.",
)
strawberry.enum(Gender, name="Gender", description="Whose answers a figure counts: everyone's, girls' or boys'.")
strawberry.enum(
    FigureStatus,
    name="FigureStatus",
    description="Whether a figure can be shown: reported, suppressed (hidden for privacy, «prikket»: never a "
    "number), or missing (the source has none).",
)
strawberry.enum(FigureReason, name="FigureReason", description="Why a figure is not reported.")
strawberry.enum(
    RefreshOutcome,
    name="RefreshOutcome",
    description="How the last scheduled refresh of a table, or sync with a register, went: new data written, "
    "the same data as before, or failed (what was there before is kept).",
)
strawberry.enum(
    Register,
    name="Register",
    description="A national register units are synced with: NSR (Nasjonalt skoleregister, schools) or NBR "
    "(Nasjonalt barnehageregister, kindergartens).",
)
strawberry.enum(
    ReportLanguage,
    name="ReportLanguage",
    description="The written standard of Norwegian a report to the council is written and shown in: bokmål or nynorsk.",
)


__all__ = [
    "ReportLanguage",
    "IndicatorSource",
    "IndicatorMeasure",
    "IndicatorLevel",
    "Gender",
    "FigureStatus",
    "FigureReason",
    "RefreshOutcome",
    "Register",
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


MeetingStatus = enums.MeetingStatus
ParticipantRole = enums.ParticipantRole
FollowUpStatus = enums.FollowUpStatus
CompetenceScope = enums.CompetenceScope
TargetGroup = enums.TargetGroup
strawberry.enum(
    MeetingStatus,
    name="MeetingStatus",
    description="Where a follow-up meeting stands: planned, held (with the day and minutes) or cancelled.",
)
strawberry.enum(
    ParticipantRole,
    name="ParticipantRole",
    description="Who takes part in a follow-up meeting: the municipality as owner (the sector office), the unit's "
    "leader, the unit's staff, an employee representative (tillitsvalgt), or someone else.",
)
strawberry.enum(
    FollowUpStatus,
    name="FollowUpStatus",
    description="How far a point agreed in a follow-up meeting has come: open, in progress, done or dropped.",
)
strawberry.enum(
    CompetenceScope,
    name="CompetenceScope",
    description="Individual or collective competence development.",
)
strawberry.enum(
    TargetGroup,
    name="TargetGroup",
    description="Whom a competence measure is for: the whole staff, part of the staff, or the leaders.",
)
