"""What local plans and reports share: their review states, and loading one to change it."""

from __future__ import annotations

import uuid
from typing import TypeVar

from kvalitet import messages
from kvalitet.messages import Text, noun, text
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


def status_text(key: str, what: str, status: str) -> Text:
    """A review message about `what` (a noun) in `status`: «The report is submitted; …»."""
    return text(key, what=noun(what), status=messages.status(status))


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
        fail(INVALID_STATE, status_text("review.not_editable", what, row.status), field_name)
    return row
