"""What local plans and reports share: their review states, and loading one to change it."""

from __future__ import annotations

import uuid
from typing import TypeVar

from kvalitet.models import LocalPlan, Report
from kvalitet.models.enums import ReviewStatus
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import INVALID_STATE, fail

EDITABLE = (ReviewStatus.DRAFT, ReviewStatus.RETURNED)
# The review decisions and the status each leaves (its word in messages: "cannot be approved now").
DONE = {"approve": ReviewStatus.APPROVED, "return": ReviewStatus.RETURNED}
# What may be decided, in which status: approve a submitted one; return a submitted or approved one.
DECIDABLE = {"approve": (ReviewStatus.SUBMITTED,), "return": (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)}


Reviewed = TypeVar("Reviewed", LocalPlan, Report)


async def load_editable(
    ctx: ServiceContext,
    model: type[Reviewed],
    id_: uuid.UUID | None,
    what: str,
    field_name: str,
    *,
    locked: bool = False,
) -> Reviewed:
    """The local plan or report `id_`, read FOR SHARE (so a submit waits for this change and a
    change waits for a submit), refused unless it is a draft or returned. `locked`: the caller
    has just read it FOR SHARE into the session."""
    row = await ctx.load(model, id_, what, action="update", field_name=field_name, share_lock=not locked)
    if row.status not in EDITABLE:
        fail(INVALID_STATE, f"The {what} is {row.status}; it can be changed only after it is returned.", field_name)
    return row
