"""The database model: one module per domain concept."""

from .api_key import ApiKey
from .base import UNIT_KINDS, Base, Entity
from .change_log import ChangeLog
from .idempotency import IdempotencyRecord
from .local_plan import LocalAction, LocalGoal, LocalPlan, LocalPlanSection
from .municipality import Municipality
from .national_goal import NationalGoal
from .plan import Area, Criterion, Goal, Measure, Plan
from .report import Assessment, Report
from .sector_report import SectorReport
from .unit import Unit
from .webhook import OutboxEvent, WebhookDelivery, WebhookSubscription

__all__ = [
    "UNIT_KINDS",
    "ApiKey",
    "Area",
    "Assessment",
    "Base",
    "ChangeLog",
    "Criterion",
    "Entity",
    "Goal",
    "IdempotencyRecord",
    "LocalAction",
    "LocalGoal",
    "LocalPlan",
    "LocalPlanSection",
    "Measure",
    "Municipality",
    "NationalGoal",
    "OutboxEvent",
    "Plan",
    "Report",
    "SectorReport",
    "Unit",
    "WebhookDelivery",
    "WebhookSubscription",
]
