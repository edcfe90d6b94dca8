"""Every node type, so the schema knows them even where no field returns them directly."""

from kvalitet.schema.api_key import ApiKey
from kvalitet.schema.competence import CompetenceGoal, CompetenceMeasure, CompetenceNeed, CompetencePlan
from kvalitet.schema.council_report import CouncilReport, CouncilReportEdition, CouncilReportSection
from kvalitet.schema.follow_up import FollowUpMeeting, FollowUpPoint, FollowUpRhythm
from kvalitet.schema.local_plan import LocalAction, LocalGoal, LocalPlan, LocalPlanSection
from kvalitet.schema.municipality import Municipality
from kvalitet.schema.national_goal import NationalGoal
from kvalitet.schema.plan import Area, Criterion, Goal, Measure, Plan
from kvalitet.schema.report import Assessment, Report
from kvalitet.schema.sector_report import PublishedSectorReport
from kvalitet.schema.unit import Unit
from kvalitet.schema.webhook import WebhookSubscription

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
    CouncilReport,
    CouncilReportSection,
    CouncilReportEdition,
    FollowUpMeeting,
    FollowUpPoint,
    FollowUpRhythm,
    CompetencePlan,
    CompetenceNeed,
    CompetenceGoal,
    CompetenceMeasure,
    ApiKey,
    WebhookSubscription,
]
