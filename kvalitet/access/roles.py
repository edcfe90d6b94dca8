"""Roles and the permissions they give, in one table (the README's roles table says the same).

A role is granted at a municipality (it covers the municipality and every unit of it) or at
one unit. A permission names what may be done; `required_permission` says which one an action
on a kind of row needs.
"""

from __future__ import annotations

from kvalitet.models import (
    ApiKey,
    Area,
    Assessment,
    CompetenceGoal,
    CompetenceMeasure,
    CompetenceNeed,
    CompetencePlan,
    CouncilReport,
    CouncilReportEdition,
    CouncilReportSection,
    Criterion,
    FollowUpMeeting,
    FollowUpPoint,
    FollowUpRhythm,
    Goal,
    LocalAction,
    LocalGoal,
    LocalPlan,
    LocalPlanSection,
    Measure,
    Municipality,
    Plan,
    RegisterSync,
    Report,
    SectorReport,
    Unit,
    WebhookSubscription,
)
from kvalitet.models.base import Base

READ = "read"

ROLES: dict[str, frozenset[str]] = {
    # The municipality's plans and all its units.
    "sector_admin": frozenset(
        {
            READ,
            "plans:write",
            "units:write",
            "municipality:update",
            "local_plans:review",
            "reports:review",
            "sector_reports:read",
            "sector_reports:publish",
            "api_keys:manage",
            "webhooks:manage",
            "municipality:export",
            "follow_ups:write",
            "follow_ups:respond",
            "competence:write",
        }
    ),
    # The unit's local plan and reports; how far the points agreed with the municipality have
    # come; the unit's competence plan.
    "unit_leader": frozenset(
        {
            READ,
            "local_plans:write",
            "local_plans:submit",
            "reports:write",
            "reports:submit",
            "units:staff_editing",
            "follow_ups:respond",
            "competence:write",
        }
    ),
    # Reads the unit; edits its drafts when the unit leader allows (see STAFF_WHEN_ALLOWED).
    "staff": frozenset({READ}),
    # Reads (a municipality, or one unit).
    "viewer": frozenset({READ, "sector_reports:read", "municipality:export"}),
}
# Staff take part in defining the unit's competence needs (Udir: «Ledere og ansatte må ha en aktiv rolle»).
STAFF_WHEN_ALLOWED = frozenset({"local_plans:write", "reports:write", "competence:write"})

# What an integrator's API key may be given; each scope is a permission of the same name.
API_KEY_SCOPES = frozenset(
    {
        READ,
        "units:write",
        "plans:write",
        "local_plans:write",
        "local_plans:submit",
        "reports:write",
        "reports:submit",
        "sector_reports:read",
        "webhooks:manage",
        "follow_ups:write",
        "follow_ups:respond",
        "competence:write",
    }
)

PLAN_CONTENT = (Plan, Area, Goal, Criterion, Measure)
LOCAL_PLAN_CONTENT = (LocalPlan, LocalGoal, LocalAction, LocalPlanSection)
REPORT_CONTENT = (Report, Assessment)
FOLLOW_UP_CONTENT = (FollowUpMeeting, FollowUpRhythm)
COMPETENCE_CONTENT = (CompetencePlan, CompetenceNeed, CompetenceGoal, CompetenceMeasure)
# The sector report and the yearly report to the council: made and published by the sector office.
COUNCIL_REPORT_CONTENT = (SectorReport, CouncilReport, CouncilReportSection, CouncilReportEdition)


def required_permission(model: type[Base], action: str) -> str:
    """The permission `action` on a `model` row needs; unknown pairs need what no role has."""
    if action == READ:
        # API keys and the sector report are read only with permissions of their own.
        own: dict[type[Base], str] = {
            ApiKey: "api_keys:manage",
            SectorReport: "sector_reports:read",
            CouncilReport: "sector_reports:read",
            CouncilReportSection: "sector_reports:read",
            WebhookSubscription: "webhooks:manage",
            # The sync with the registers is read by those who manage the units.
            RegisterSync: "units:write",
        }
        return own.get(model, READ)
    if model in PLAN_CONTENT:
        return "plans:write"
    if model is Unit:
        return "units:staff_editing" if action == "staff_editing" else "units:write"
    if model is Municipality:
        return {
            "create": "municipalities:create",
            "update": "municipality:update",
            "publish": "sector_reports:publish",
            "read_sector_report": "sector_reports:read",
            "manage_api_keys": "api_keys:manage",
            "manage_webhooks": "webhooks:manage",
            "export": "municipality:export",
        }.get(action, "-")
    if model in LOCAL_PLAN_CONTENT:
        return {"approve": "local_plans:review", "return": "local_plans:review", "submit": "local_plans:submit"}.get(
            action, "local_plans:write"
        )
    if model in REPORT_CONTENT:
        return {"approve": "reports:review", "return": "reports:review", "submit": "reports:submit"}.get(
            action, "reports:write"
        )
    if model in COUNCIL_REPORT_CONTENT:
        return "sector_reports:publish"
    if model in FOLLOW_UP_CONTENT:
        return "follow_ups:write"
    if model is FollowUpPoint:
        # The unit tells how far a point has come; what was agreed is the meeting's.
        return "follow_ups:respond" if action == "respond" else "follow_ups:write"
    if model in COMPETENCE_CONTENT:
        return "competence:write"
    if model is ApiKey:
        return "api_keys:manage"
    if model is WebhookSubscription:
        return "webhooks:manage"
    return "-"
