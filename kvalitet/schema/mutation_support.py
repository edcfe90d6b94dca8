"""What every mutation shares: typed user errors, global-id decoding, one transaction.

A mutation's resolver hands `run_mutation` a function of a `ServiceContext`. It runs in one
transaction with the actor recorded for the change log; a `UserInputError` (or a stale
version, or a uniqueness race) rolls everything back and comes out as `UserError`s in the
payload — never as a 500.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar, overload

import strawberry
from sqlalchemy import inspect, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from strawberry.relay import GlobalID, GlobalIDValueError
from strawberry.types import Info

from kvalitet import models
from kvalitet.db import current_actor
from kvalitet.db.outage import is_dead_connection
from kvalitet.messages import Text, noun, text
from kvalitet.schema.base import RowNode
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import (
    DUPLICATE,
    IDEMPOTENCY_KEY_REUSED,
    INVALID_VALUE,
    NOT_FOUND,
    STALE_VERSION,
    Problem,
    UserInputError,
    user_error_codes,
)
from kvalitet.services.targets import target_of

T = TypeVar("T")
P = TypeVar("P")  # a payload type (`payload_type`)
N = TypeVar("N", bound=RowNode)


@strawberry.type(description="A value in a message (`UserError.params`): its name and its value as text.")
class MessageParam:
    name: str = strawberry.field(description="The parameter's name in the catalogued message, e.g. `field`.")
    value: str = strawberry.field(description="Its value as text, in the request's language.")


@strawberry.type(description="Something in the input a person can fix.")
class UserError:
    field: str | None = strawberry.field(description="The input field it concerns, if one.")
    code: str = strawberry.field(description=user_error_codes())
    message: str = strawberry.field(
        description="For a person to read, in the request's language (`Accept-Language` or `?locale=`: nb, nn, en; "
        "bokmål by default)."
    )
    message_key: str | None = strawberry.field(
        default=None,
        description="The message's stable key in the catalogues (e.g. `report.nothing_to_assess`): with `params`, "
        "a front end can write its own text. Null for a message not catalogued yet.",
    )
    params: list[MessageParam] = strawberry.field(
        default_factory=list, description="The values in the message, in the request's language."
    )

    @staticmethod
    def of(problem: Problem, locale: str) -> UserError:
        message = problem.message
        if not isinstance(message, Text):
            return UserError(field=problem.field, code=problem.code, message=message)
        return UserError(
            field=problem.field,
            code=problem.code,
            message=message.render(locale),
            message_key=message.key,
            params=[MessageParam(name=k, value=v) for k, v in message.flat_params(locale).items()],
        )


# A lost race on a unique constraint means someone else did the same thing just now.
_RACES = {
    "uq_assessment_report_criterion": (STALE_VERSION, text("error.assessed_at_once")),
    "uq_assessment_report_local_goal": (STALE_VERSION, text("error.assessed_at_once")),
    "uq_assessment_report_measure": (STALE_VERSION, text("error.assessed_at_once")),
    "uq_unit_org_number": (DUPLICATE, text("error.org_number_taken")),
    "uq_local_plan_unit_plan": (DUPLICATE, text("error.local_plan_exists")),
    "uq_report_unit_period": (DUPLICATE, text("error.report_exists")),
    "uq_area_plan_key": (DUPLICATE, text("error.area_key_taken")),
    "uq_council_report_municipality_id_year": (DUPLICATE, text("error.council_report_exists")),
    "uq_follow_up_rhythm_municipality_id_kind": (STALE_VERSION, text("error.changed_at_once")),
    "uq_competence_plan_unit_start": (DUPLICATE, text("error.competence_plan_exists")),
    "uq_competence_plan_own_start": (DUPLICATE, text("error.competence_plan_exists")),
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
        # Catalogued as every NOT_FOUND is (`noun.<words>`); a local plan's action is, to its
        # users, just an action (as kvalitet.services.context names it).
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", names[0]).lower().replace("local action", "action")
        raise UserInputError(Problem(NOT_FOUND, text("error.not_found", what=noun(words)), field)) from None


@strawberry.input
class MutationInput:
    """What every mutation's input may carry."""

    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Repeat a mutation safely: the same key with the same input returns the first result and "
        "changes nothing; the same key with other input is refused (IDEMPOTENCY_KEY_REUSED). Keys are "
        "per caller, at most 200 characters.",
    )


def _valid_key(key: str) -> bool:
    """1 to 200 printable characters (no control character, NUL or lone surrogate is printable)."""
    return 0 < len(key) <= 200 and key.isprintable()


def _request_hash(info: Info, input_: Any) -> str:
    def plain(value):
        if dataclasses.is_dataclass(value):
            return {
                f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "idempotency_key"
            }
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if value is strawberry.UNSET:
            return "<unset>"
        return value.value if isinstance(value, Enum) else value

    text = json.dumps([info.field_name, plain(input_)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _snapshot(entity: Any) -> dict:
    """The changed object's columns, as JSON, to answer a repeat with the first result."""
    if entity is None:
        return {}
    state = inspect(entity)
    values = {attr.key: state.dict.get(attr.key) for attr in state.mapper.column_attrs}
    return {"model": type(entity).__name__, "row": json.loads(json.dumps(values, default=str))}


def _restore(snapshot: dict) -> dict | None:
    """The snapshot's row with its columns' Python types again (for `to_node`)."""
    if not snapshot:
        return None
    model = getattr(models, snapshot["model"])
    row = {}
    for column in model.__table__.columns:
        value = snapshot["row"].get(column.key)
        kind = column.type.python_type if value is not None else None
        if kind is uuid.UUID:
            value = uuid.UUID(value)
        elif kind is dt.datetime:
            value = dt.datetime.fromisoformat(value)
        elif kind is dt.date:
            value = dt.date.fromisoformat(value)
        row[column.key] = value
    return row


async def _claim_key(session, context, info: Info, key: str, request_hash: str):
    """Take the key for this caller (waiting for a concurrent call with the same key to end).
    Returns None when taken, else the stored record of the caller's first call. Records are
    keyed by the caller's whole identity, so another caller's key is never found here."""
    caller = context.actor.identity
    taken = await session.execute(
        pg_insert(models.IdempotencyRecord)
        .values(
            caller=caller,
            actor=context.actor.name,
            key=key,
            mutation=info.field_name,
            request_hash=request_hash,
            result={},
        )
        .on_conflict_do_nothing()
        .returning(models.IdempotencyRecord.key)
    )
    if taken.first() is not None:
        return None
    return await session.get(models.IdempotencyRecord, (caller, key))


async def _replay(service: ServiceContext, snapshot: dict) -> dict | None:
    """The first call's result, if the caller may still read it (re-authorised now: its
    grants or the row's owner may have changed since); a UserInputError otherwise."""
    row = _restore(snapshot)
    if row is None:
        return None
    model = getattr(models, snapshot["model"])
    try:
        target = await target_of(service.session, model(**row))
    except TypeError:  # its owner is gone
        target = None
    if target is None or not service.policy.can(service.actor, "read", model, target):
        raise UserInputError(Problem(NOT_FOUND, "What this call changed is no longer there for you."))
    return row


@overload
async def run_mutation(
    info: Info, work: Callable[[ServiceContext], Awaitable[T]]
) -> tuple[T | None, list[UserError]]: ...


@overload
async def run_mutation(
    info: Info, work: Callable[[ServiceContext], Awaitable[T]], input_: Any
) -> tuple[T | dict[str, Any] | None, list[UserError]]: ...


async def run_mutation(
    info: Info, work: Callable[[ServiceContext], Awaitable[T]], input_: Any = None
) -> tuple[T | dict[str, Any] | None, list[UserError]]:
    """`work`'s result, or the user errors. With `input_`, a repeat of its idempotency key answers
    with the first call's row instead (a mapping, as `to_node` takes it)."""
    context = info.context
    key = getattr(input_, "idempotency_key", None)
    if key is not None and not _valid_key(key):
        return None, [
            UserError.of(
                Problem(INVALID_VALUE, text("error.idempotency_key_invalid"), "idempotencyKey"), context.locale
            )
        ]
    token = current_actor.set(context.actor.id or "anonymous")
    attempt = _Attempt()
    try:
        try:
            outcome = await _transaction(info, work, input_, key, attempt)
        except Exception as error:
            # A dead pooled connection fails the first statement; nothing was written, so the
            # mutation runs once more on a new one (the pool does not ping before each use).
            if attempt.committing or not is_dead_connection(error):
                raise
            outcome = await _transaction(info, work, input_, key, attempt)
    finally:
        current_actor.reset(token)
    context.loaders.clear()  # what was read before the change may be stale now
    return outcome


@dataclass
class _Attempt:
    # Set once the transaction's work is done and its commit begins: a failure after that may
    # have committed, so the mutation is not run again.
    committing: bool = False


async def _transaction(
    info: Info, work: Callable[[ServiceContext], Awaitable[T]], input_: Any, key: str | None, attempt: _Attempt
) -> tuple[T | dict[str, Any] | None, list[UserError]]:
    context = info.context
    # The request holds no other connection meanwhile (kvalitet.db.shared).
    async with context.loaders.shared.apart(), context.database.session() as session:
        service = ServiceContext(session, context.actor, context.policy, context.profiles)
        try:
            async with session.begin():
                if key is not None:
                    request_hash = _request_hash(info, input_)
                    first = await _claim_key(session, context, info, key, request_hash)
                    if first is not None:
                        if (first.mutation, first.request_hash) != (info.field_name, request_hash):
                            reused = text("error.idempotency_key_reused")
                            return None, [
                                UserError.of(Problem(IDEMPOTENCY_KEY_REUSED, reused, "idempotencyKey"), context.locale)
                            ]
                        replayed = await _replay(service, first.result)
                        attempt.committing = True
                        return replayed, []
                result = await work(service)
                if key is not None:
                    await session.execute(
                        update(models.IdempotencyRecord)
                        .where(
                            models.IdempotencyRecord.caller == context.actor.identity,
                            models.IdempotencyRecord.key == key,
                        )
                        .values(result=_snapshot(result))
                    )
                attempt.committing = True
        except UserInputError as error:
            return None, [UserError.of(p, context.locale) for p in error.problems]
        except StaleDataError:
            return None, [
                UserError.of(Problem(STALE_VERSION, text("error.changed_at_once"), "version"), context.locale)
            ]
        except IntegrityError as error:
            constraint = getattr(getattr(error.orig, "__cause__", None), "constraint_name", None) or ""
            for name, (code, message) in _RACES.items():
                if name == constraint or name in str(error.orig):
                    return None, [UserError.of(Problem(code, message), context.locale)]
            raise
    return result, []


@overload
def to_node(node_type: type[N], entity: None) -> None: ...


@overload
def to_node(node_type: type[N], entity: models.Base | dict[str, Any]) -> N: ...


@overload
def to_node(node_type: type[N], entity: models.Base | dict[str, Any] | None) -> N | None: ...


def to_node(node_type: type[N], entity: models.Base | dict[str, Any] | None) -> N | None:
    """A committed ORM row (or a restored row mapping) as the plain strawberry object."""
    if entity is None:
        return None
    if isinstance(entity, dict):
        return node_type.from_row(entity)
    state = inspect(entity)
    return node_type.from_row({attr.key: state.dict.get(attr.key) for attr in state.mapper.column_attrs})


# Each payload type's node field and node type, for `respond`.
_PAYLOAD_NODES: dict[type, tuple[str, type[RowNode]]] = {}


def payload_type(node_type: type[RowNode], field_name: str) -> Callable[[type[P]], type[P]]:
    """`<Node>Payload { <field>: Node, errors: [UserError!]! }`, shared by the node's mutations:
    the (empty) class it decorates becomes that strawberry type.

        @payload_type(Plan, "plan")
        class PlanPayload: ...
    """

    def declare(cls: type[P]) -> type[P]:
        cls.__annotations__ = {field_name: node_type | None, "errors": list[UserError]}
        fields = {
            field_name: strawberry.field(
                default=None, description="The object as it is after the change; null on errors."
            ),
            "errors": strawberry.field(default_factory=list, description="Empty when the mutation succeeded."),
        }
        for name, field in fields.items():
            setattr(cls, name, field)
        payload = strawberry.type(
            cls,
            name=f"{node_type.__name__}Payload",
            description=f"The result of a mutation of a {node_type.__name__}.",
        )
        _PAYLOAD_NODES[payload] = (field_name, node_type)
        return payload

    return declare


async def respond(
    info: Info, payload: type[P], work: Callable[[ServiceContext], Awaitable[Any]], input_: Any = None
) -> P:
    """Run `work` as a mutation and answer with `payload`: the changed object, or the errors.
    With `input_`, its idempotency key (if any) makes a repeat return the first result."""
    entity, errors = await run_mutation(info, work, input_)
    node_field, node_type = _PAYLOAD_NODES[payload]
    made: Callable[..., P] = payload  # strawberry gave it a dataclass's __init__ of its fields
    return made(**{node_field: to_node(node_type, entity)}, errors=errors)


@contextlib.asynccontextmanager
async def read_service(info: Info):
    """A read-only service context, for fields that need a service's logic (e.g. rules)."""
    context = info.context
    # The request holds no other connection meanwhile (kvalitet.db.shared).
    async with context.loaders.shared.apart(), context.database.read_session() as session:
        yield ServiceContext(session, context.actor, context.policy, context.profiles)
