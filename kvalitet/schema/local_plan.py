"""A unit's local plan: its goals, actions, sections, and the profile's findings on it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, NamedTuple

import strawberry
from strawberry import relay
from strawberry.types import Info

from kvalitet import models
from kvalitet.messages import Text
from kvalitet.schema import labels, review_events
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.enums import ActionStatus, ReviewStatus
from kvalitet.schema.mutation_support import MessageParam
from kvalitet.schema.plan import Area, Plan
from kvalitet.schema.reading.relations import Children, Parent, relation

if TYPE_CHECKING:
    from kvalitet.plugins.rules import Finding as RuleFinding
    from kvalitet.schema.context import Context
    from kvalitet.schema.unit import Unit
    from kvalitet.services.local_plan_views import Targets


@strawberry.type(description="Something the profile's rules (or the core's) find missing or wrong.")
class Finding:
    code: str = strawberry.field(
        description="What was found, as a stable code for programs (e.g. `MISSING_ASSESSMENT`, or a profile's own)."
    )
    message: str = strawberry.field(description="What was found, for a person to read, in the request's language.")
    path: str = strawberry.field(
        description="Where it is, as a path into the local plan or report (e.g. `goals`, `areas/<key>`, "
        "`assessments`); empty when it concerns the whole."
    )
    # What it is about, where it is one thing of the plan (an item a report has not assessed …).
    area_id: relay.GlobalID | None = strawberry.field(default=None, description="The area it is about, if one.")
    criterion_id: relay.GlobalID | None = strawberry.field(default=None, description="The criterion, if one.")
    measure_id: relay.GlobalID | None = strawberry.field(default=None, description="The measure, if one.")
    local_goal_id: relay.GlobalID | None = strawberry.field(default=None, description="The local goal, if one.")
    action_id: relay.GlobalID | None = strawberry.field(default=None, description="The local plan's action, if one.")
    section_key: str | None = strawberry.field(
        default=None, description="The local plan's section (its key in `Profile.localPlanSections`), if one."
    )
    message_key: str | None = strawberry.field(
        default=None,
        description="The message's stable key in the catalogues (the core's or its profile's): with `params`, a front "
        "end can write its own text. Null for a message not catalogued.",
    )
    params: list[MessageParam] = strawberry.field(
        default_factory=list, description="The values in the message, in the request's language."
    )

    @staticmethod
    def of_local_plan(found: RuleFinding, targets: Targets, locale: str) -> Finding:
        """A rule's finding on a local plan, pointing by id at what its path names."""
        named = targets.of(found.path)

        def gid(type_name: str, key: str) -> relay.GlobalID | None:
            return relay.GlobalID(type_name, str(named[key])) if key in named else None

        return Finding.said(
            found.code,
            found.message,
            found.path,
            locale,
            area_id=gid("Area", "area_id"),
            local_goal_id=gid("LocalGoal", "local_goal_id"),
            action_id=gid("LocalAction", "action_id"),
            section_key=named.get("section_key"),
        )

    @staticmethod
    def said(
        code: str,
        message: str | Text,
        path: str,
        locale: str,
        *,
        area_id: relay.GlobalID | None = None,
        criterion_id: relay.GlobalID | None = None,
        measure_id: relay.GlobalID | None = None,
        local_goal_id: relay.GlobalID | None = None,
        action_id: relay.GlobalID | None = None,
        section_key: str | None = None,
    ) -> Finding:
        """A finding whose message is written in `locale`, with its key and parameters beside it."""
        return Finding(
            code=code,
            message=message.render(locale) if isinstance(message, Text) else message,
            path=path,
            area_id=area_id,
            criterion_id=criterion_id,
            measure_id=measure_id,
            local_goal_id=local_goal_id,
            action_id=action_id,
            section_key=section_key,
            message_key=message.key if isinstance(message, Text) else None,
            params=[MessageParam(name=k, value=v) for k, v in message.flat_params(locale).items()]
            if isinstance(message, Text)
            else [],
        )


@strawberry.type(description="A unit's goal for an area of the plan (and a perspective, where the profile has them).")
class LocalGoal(RowNode, Versioned):
    model = models.LocalGoal
    id: relay.NodeID[str]
    text: str = strawberry.field(description="The goal, in the unit's words.")
    perspective: str | None = strawberry.field(
        description="The key of one of the profile's perspectives; null when none is given."
    )
    position: int = strawberry.field(description="Order among the local plan's goals.")
    area_id: strawberry.Private[uuid.UUID]
    local_plan_id: strawberry.Private[uuid.UUID]

    @relation(Parent(models.Area, "area_id"), description="The area of the plan the goal is for.")
    async def area(self, info: Info) -> Area | None: ...

    @strawberry.field(description=labels.described("The perspective as the profile names it", "perspective"))
    async def perspective_label(self, info: Info) -> str | None:
        return await labels.perspective_label(info, models.LocalGoal, self.id, self.perspective)


@strawberry.type(description="What the unit will do: with owner, deadline and status.")
class LocalAction(RowNode, Versioned):
    model = models.LocalAction
    id: relay.NodeID[str]
    text: str = strawberry.field(description="What will be done.")
    owner: str | None = strawberry.field(description="Who is responsible for it; null if not given.")
    deadline: dt.date | None = strawberry.field(description="When it should be done by; null if not set.")
    status: ActionStatus = strawberry.field(description="How far it has come.")
    position: int = strawberry.field(description="Order among the local plan's actions.")
    area_id: strawberry.Private[uuid.UUID | None]
    local_goal_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description=labels.described("The status", "status"))
    def status_label(self, info: Info) -> str:
        return labels.status_label(self.status, info)

    @relation(Parent(models.Area, "area_id"), description="The area of the plan it is for; null for none.")
    async def area(self, info: Info) -> Area | None: ...

    @relation(Parent(models.LocalGoal, "local_goal_id"), description="The local goal it serves; null for none.")
    async def local_goal(self, info: Info) -> LocalGoal | None: ...


@strawberry.type(description="A free-text part of a local plan the profile asks for (e.g. «kartlegging»).")
class LocalPlanSection(RowNode, Versioned):
    model = models.LocalPlanSection
    id: relay.NodeID[str]
    key: str = strawberry.field(description="Which section it is: its key in `Profile.localPlanSections`.")
    text: str = strawberry.field(description="What the unit wrote.")
    area_id: strawberry.Private[uuid.UUID | None]

    @relation(
        Parent(models.Area, "area_id"), description="The area it is written for; null for a section of the whole plan."
    )
    async def area(self, info: Info) -> Area | None: ...


@strawberry.type(description="A unit's own plan for the period, built on the municipality's plan.")
class LocalPlan(RowNode, Versioned):
    model = models.LocalPlan
    id: relay.NodeID[str]
    status: ReviewStatus = strawberry.field(
        description="Where it is in its review: a draft, submitted, returned or approved."
    )
    submitted_at: dt.datetime | None = strawberry.field(description="When it was last submitted; null until it is.")
    decided_at: dt.datetime | None = strawberry.field(
        description="When it was last approved or returned; null until it is."
    )
    comment: str | None = strawberry.field(description="The reviewer's comment when it was returned or approved.")
    unit_id: strawberry.Private[uuid.UUID]
    plan_id: strawberry.Private[uuid.UUID]
    review_events, submitted_by, decided_by = review_events.fields(models.LocalPlan)

    @strawberry.field(description=labels.described("The status", "status"))
    def status_label(self, info: Info) -> str:
        return labels.status_label(self.status, info)

    @relation(Parent(models.Unit, "unit_id"), description="The unit whose plan it is.")
    async def unit(self, info: Info) -> Annotated[Unit, strawberry.lazy("kvalitet.schema.unit")] | None: ...

    @relation(Parent(models.Plan, "plan_id"), description="The municipality's plan it is built on.")
    async def plan(self, info: Info) -> Plan | None: ...

    @relation(Children(models.LocalGoal, "local_plan_id"), description="The unit's goals, in order.")
    async def goals(self, info: Info) -> list[LocalGoal]: ...

    @relation(Children(models.LocalAction, "local_plan_id"), description="What the unit will do, in order.")
    async def actions(self, info: Info) -> list[LocalAction]: ...

    @relation(Children(models.LocalPlanSection, "local_plan_id"), description="The sections written so far, in order.")
    async def sections(self, info: Info) -> list[LocalPlanSection]: ...

    @strawberry.field(description="What the profile's rules find missing; empty when the plan can be submitted.")
    async def findings(self, info: Info) -> list[Finding]:
        context = info.context
        loader = context.loaders.batched("local_plan_findings", lambda keys: _findings_of(context, keys))
        found: list[Finding] = await loader.load(_LocalPlanKey(uuid.UUID(self.id), self.unit_id, self.plan_id))
        return found


class _LocalPlanKey(NamedTuple):
    id: uuid.UUID
    unit_id: uuid.UUID
    plan_id: uuid.UUID


async def _findings_of(context: Context, keys: list[_LocalPlanKey]) -> list[list[Finding]]:
    """The findings of every local plan of a request at once, in the same few statements for a
    page of plans as for one; the profiles' rules then run on each plan's view."""
    from kvalitet.services.local_plan_views import views_of

    async with context.loaders.shared.apart(), context.database.read_session() as session:
        views = await views_of(session, keys)
    answers = []
    for key in keys:
        code, view, targets = views[key.id]
        found = context.profiles.validate_local_plan(code, view) if code else []
        answers.append([Finding.of_local_plan(f, targets, context.locale) for f in found])
    return answers
