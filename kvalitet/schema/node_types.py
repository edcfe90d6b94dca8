"""Every node type, so the schema knows them even where no field returns them directly."""

from .api_key import ApiKey
from .local_plan import LocalAction, LocalGoal, LocalPlan, LocalPlanSection
from .municipality import Municipality
from .national_goal import NationalGoal
from .plan import Area, Criterion, Goal, Measure, Plan
from .report import Assessment, Report
from .sector_report import PublishedSectorReport
from .unit import Unit
from .webhook import WebhookSubscription

NODE_TYPES = [
    Municipality,
    Unit,
    Plan,
    Area,
    Goal,
    Criterion,
    Measure,
    NationalGoal,
    LocalPlan,
    LocalGoal,
    LocalAction,
    LocalPlanSection,
    Report,
    Assessment,
    PublishedSectorReport,
    ApiKey,
    WebhookSubscription,
]
