"""The database model: one module per domain concept."""

from kvalitet.models.api_key import ApiKey
from kvalitet.models.base import UNIT_KINDS, Base, Entity
from kvalitet.models.change_log import ChangeLog
from kvalitet.models.competence import CompetenceGoal, CompetenceMeasure, CompetenceNeed, CompetencePlan
from kvalitet.models.council_report import (
    CouncilReport,
    CouncilReportEdition,
    CouncilReportPdf,
    CouncilReportSection,
)
from kvalitet.models.follow_up import FollowUpMeeting, FollowUpPoint, FollowUpRhythm
from kvalitet.models.idempotency import IdempotencyRecord
from kvalitet.models.indicator import Indicator, IndicatorBatch, IndicatorRefresh, IndicatorValue
from kvalitet.models.local_plan import LocalAction, LocalGoal, LocalPlan, LocalPlanSection
from kvalitet.models.municipality import Municipality
from kvalitet.models.national_goal import NationalGoal
from kvalitet.models.plan import Area, Criterion, Goal, Measure, Plan
from kvalitet.models.register_sync import RegisterSync
from kvalitet.models.report import Assessment, Report
from kvalitet.models.sector_report import SectorReport
from kvalitet.models.unit import Unit
from kvalitet.models.webhook import OutboxEvent, WebhookDelivery, WebhookSubscription

__all__ = [
    "UNIT_KINDS",
    "ApiKey",
    "Area",
    "Assessment",
    "Base",
    "ChangeLog",
    "CompetenceGoal",
    "CompetenceMeasure",
    "CompetenceNeed",
    "CompetencePlan",
    "CouncilReport",
    "CouncilReportEdition",
    "CouncilReportPdf",
    "CouncilReportSection",
    "Criterion",
    "Entity",
    "FollowUpMeeting",
    "FollowUpPoint",
    "FollowUpRhythm",
    "Goal",
    "IdempotencyRecord",
    "Indicator",
    "IndicatorBatch",
    "IndicatorRefresh",
    "IndicatorValue",
    "LocalAction",
    "LocalGoal",
    "LocalPlan",
    "LocalPlanSection",
    "Measure",
    "Municipality",
    "NationalGoal",
    "OutboxEvent",
    "Plan",
    "RegisterSync",
    "Report",
    "SectorReport",
    "Unit",
    "WebhookDelivery",
    "WebhookSubscription",
]
