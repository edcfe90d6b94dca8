"""Mutations, one module per domain concept; each returns a payload with the changed object
and `errors: [UserError!]!`, and runs in one transaction."""

from strawberry.tools import merge_types
from strawberry.types.base import get_object_definition

from kvalitet.schema.mutations.api_keys import ApiKeyMutations
from kvalitet.schema.mutations.competence import CompetenceMutations
from kvalitet.schema.mutations.council_reports import CouncilReportMutations
from kvalitet.schema.mutations.follow_ups import FollowUpMutations
from kvalitet.schema.mutations.indicators import IndicatorMutations
from kvalitet.schema.mutations.local_plans import LocalPlanMutations
from kvalitet.schema.mutations.municipalities import MunicipalityMutations
from kvalitet.schema.mutations.plans import PlanMutations
from kvalitet.schema.mutations.reports import ReportMutations
from kvalitet.schema.mutations.units import UnitMutations
from kvalitet.schema.mutations.webhooks import WebhookMutations

Mutation = merge_types(
    "Mutation",
    (
        MunicipalityMutations,
        UnitMutations,
        PlanMutations,
        LocalPlanMutations,
        ReportMutations,
        ApiKeyMutations,
        WebhookMutations,
        IndicatorMutations,
        CouncilReportMutations,
        FollowUpMutations,
        CompetenceMutations,
    ),
)
# merge_types makes its type without a description (and takes none): the merged type is given one here.
get_object_definition(Mutation, strict=True).description = (
    "Every change, one mutation each: it takes one `input` and answers a payload with the changed object, or with "
    "`errors` a person can fix; it runs in one transaction, so an error changes nothing."
)

__all__ = ["Mutation"]
