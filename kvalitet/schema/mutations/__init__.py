"""Mutations, one module per domain concept; each returns a payload with the changed object
and `errors: [UserError!]!`, and runs in one transaction."""

from strawberry.tools import merge_types

from .api_keys import ApiKeyMutations
from .local_plans import LocalPlanMutations
from .municipalities import MunicipalityMutations
from .plans import PlanMutations
from .reports import ReportMutations
from .units import UnitMutations
from .webhooks import WebhookMutations

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
    ),
)

__all__ = ["Mutation"]
