"""What every mutation shares: typed user errors, global-id decoding, one transaction.

A mutation's resolver hands `run_mutation` a function of a `ServiceContext`. It runs in one
transaction with the actor recorded for the change log; a `UserInputError` (or a stale
version, or a uniqueness race) rolls everything back and comes out as `UserError`s in the
payload — never as a 500.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from strawberry.relay import GlobalID, GlobalIDValueError
from strawberry.types import Info

from ..db import current_actor
from ..services.context import ServiceContext
from ..services.errors import DUPLICATE, NOT_FOUND, STALE_VERSION, Problem, UserInputError

T = TypeVar("T")


@strawberry.type(description="Something in the input a person can fix.")
class UserError:
    field: str | None = strawberry.field(description="The input field it concerns, if one.")
    code: str = strawberry.field(
        description="NOT_FOUND, STALE_VERSION, INVALID_STATE, REQUIRED, TOO_LONG, INVALID_VALUE, "
        "INVALID_ORG_NUMBER, DUPLICATE, NOT_APPLICABLE, MISSING_ASSESSMENT, or a profile rule's code."
    )
    message: str = strawberry.field(description="For a person to read.")

    @staticmethod
    def of(problem: Problem) -> UserError:
        return UserError(field=problem.field, code=problem.code, message=problem.message)


# A lost race on a unique constraint means someone else did the same thing just now.
_RACES = {
    "uq_assessment_report_criterion": (STALE_VERSION, "Someone else assessed this at the same time; reload and try again."),
    "uq_assessment_report_local_goal": (STALE_VERSION, "Someone else assessed this at the same time; reload and try again."),
    "uq_unit_org_number": (DUPLICATE, "Another unit already has that organisation number."),
    "uq_local_plan_unit_plan": (DUPLICATE, "The unit already has a local plan on this plan."),
    "uq_report_unit_period": (DUPLICATE, "The unit already has a report for this period."),
    "uq_area_plan_key": (DUPLICATE, "Another area of the plan has that key."),
}


def decode_id(value: strawberry.ID | str | None, type_name: str | tuple[str, ...], field: str) -> uuid.UUID | None:
    """The UUID inside a global ID of `type_name`; a UserInputError (NOT_FOUND) for anything else."""
    if value is None:
        return None
    names = (type_name,) if isinstance(type_name, str) else type_name
    try:
        global_id = GlobalID.from_id(value)
        if global_id.type_name not in names:
            raise ValueError(global_id.type_name)
        return uuid.UUID(global_id.node_id)
    except (GlobalIDValueError, ValueError, TypeError):
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", names[0]).lower().replace("api key", "API key")
        raise UserInputError(Problem(NOT_FOUND, f"No {words} with that id.", field)) from None


async def run_mutation(info: Info, work: Callable[[ServiceContext], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    context = info.context
    token = current_actor.set(context.actor.id or "anonymous")
    try:
        async with context.database.session() as session:
            service = ServiceContext(session, context.actor, context.policy, context.profiles)
            try:
                async with session.begin():
                    result = await work(service)
            except UserInputError as error:
                return None, [UserError.of(p) for p in error.problems]
            except StaleDataError:
                return None, [UserError(field="version", code=STALE_VERSION,
                                        message="It was changed by someone else at the same time; reload it and try again.")]
            except IntegrityError as error:
                constraint = getattr(getattr(error.orig, "__cause__", None), "constraint_name", None) or ""
                for name, (code, message) in _RACES.items():
                    if name == constraint or name in str(error.orig):
                        return None, [UserError(field=None, code=code, message=message)]
                raise
    finally:
        current_actor.reset(token)
    context.loaders.clear()  # what was read before the change may be stale now
    return result, []


def to_node(node_type: type, entity: Any):
    """A committed ORM row as the plain strawberry object (no lazy loading past this point)."""
    if entity is None:
        return None
    state = inspect(entity)
    return node_type.from_row({attr.key: state.dict.get(attr.key) for attr in state.mapper.column_attrs})


def payload_type(node_type: type, field_name: str, *, extra: dict[str, Any] | None = None) -> type:
    """`<Node>Payload { <field>: Node, errors: [UserError!]! }`, shared by the node's mutations."""
    annotations = {field_name: node_type | None, "errors": list[UserError]}
    namespace: dict[str, Any] = {
        "__annotations__": annotations,
        field_name: strawberry.field(default=None, description="The object as it is after the change; null on errors."),
        "errors": strawberry.field(default_factory=list, description="Empty when the mutation succeeded."),
    }
    for name, (annotation, default) in (extra or {}).items():
        annotations[name] = annotation
        namespace[name] = default
    cls = type(f"{node_type.__name__}Payload", (), namespace)
    payload = strawberry.type(cls, description=f"The result of a mutation of a {node_type.__name__}.")
    payload.node_field, payload.node_type = field_name, node_type
    return payload


async def respond(info: Info, payload: type, work: Callable[[ServiceContext], Awaitable[Any]]):
    """Run `work` as a mutation and answer with `payload`: the changed object, or the errors."""
    entity, errors = await run_mutation(info, work)
    return payload(**{payload.node_field: to_node(payload.node_type, entity)}, errors=errors)


@contextlib.asynccontextmanager
async def read_service(info: Info):
    """A read-only service context, for fields that need a service's logic (e.g. rules)."""
    context = info.context
    async with context.database.session() as session:
        yield ServiceContext(session, context.actor, context.policy, context.profiles)
