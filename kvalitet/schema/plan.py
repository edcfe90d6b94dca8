"""A municipality's plan and its structure: areas, goals, criteria and measures."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from kvalitet import models
from kvalitet.schema import indicator, labels
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.enums import Gender, PlanStatus, UnitKind
from kvalitet.schema.national_goal import NationalGoal
from kvalitet.schema.reading.relations import Children, Filters, Parent, relation

if TYPE_CHECKING:
    from kvalitet.schema.municipality import Municipality


@strawberry.type(description="What is done to reach a goal (tiltak).")
class Measure(RowNode, Versioned):
    model = models.Measure
    id: relay.NodeID[str]
    text: str = strawberry.field(description="What will be done.")
    owner: str | None = strawberry.field(description="Who is responsible for it (ansvar); null if not given.")
    deadline: dt.date | None = strawberry.field(description="When it should be done by; null if not set.")
    partner: str | None = strawberry.field(
        description="Who it is done together with (samarbeidspartner); null if not given."
    )
    target_group: str | None = strawberry.field(description="Whom it is for (målgruppe); null if not given.")
    position: int = strawberry.field(description="Order among the area's measures.")
    area_id: strawberry.Private[uuid.UUID]


@strawberry.type(description="A sign that a goal is reached (e.g. «tegn på god praksis», «kjennetegn»).")
class Criterion(RowNode, Versioned):
    model = models.Criterion
    id: relay.NodeID[str]
    text: str = strawberry.field(description="The criterion, as the plan words it.")
    perspective: str | None = strawberry.field(description="The key of one of the profile's perspectives.")
    position: int = strawberry.field(description="Order among its goal's criteria, or its area's own.")
    area_id: strawberry.Private[uuid.UUID | None]
    goal_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description=labels.described("The perspective as the profile names it", "perspective"))
    async def perspective_label(self, info: Info) -> str | None:
        return await labels.perspective_label(info, models.Criterion, self.id, self.perspective)


@strawberry.type(description="What an area aims at; its kind comes from the profile.")
class Goal(RowNode, Versioned):
    model = models.Goal
    id: relay.NodeID[str]
    kind: str = strawberry.field(
        description="The goal's kind: a key of the profile's vocabulary of goal kinds (`kindLabel` names it)."
    )
    text: str = strawberry.field(description="The goal, as the plan words it.")
    position: int = strawberry.field(description="Order among the area's goals.")
    area_id: strawberry.Private[uuid.UUID]
    national_goal_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description=labels.described("The goal's kind as the profile's vocabulary names it", "kind"))
    async def kind_label(self, info: Info) -> str | None:
        return await labels.vocabulary_label(info, models.Goal, self.id, self.kind, goal=True)

    @relation(Children(models.Criterion, "goal_id"), description="The goal's own criteria, in order.")
    async def criteria(self, info: Info) -> list[Criterion]: ...

    @relation(
        Parent(models.NationalGoal, "national_goal_id"),
        description="The national sector goal this goal serves, if linked.",
    )
    async def national_goal(self, info: Info) -> NationalGoal | None: ...

    @relation(Parent(models.Area, "area_id"), description="The area the goal belongs to.")
    async def area(self, info: Info) -> Area | None: ...


@strawberry.type(description="A node of a plan's structure; its kind comes from the profile.")
class Area(RowNode, Versioned):
    model = models.Area
    id: relay.NodeID[str]
    key: str | None = strawberry.field(description="Stable name of the area within its plan, from the profile.")
    kind: str = strawberry.field(
        description="The area's kind: a key of the profile's vocabulary of area kinds (`kindLabel` names it)."
    )
    title: str = strawberry.field(description="The area's title in the plan.")
    description: str | None = strawberry.field(description="Text that introduces the area; null if it has none.")
    applies_to: list[UnitKind] = strawberry.field(
        description="The kinds of unit the area is for; units of other kinds neither plan nor report on it."
    )
    position: int = strawberry.field(description="Order in the plan (depth first).")
    plan_id: strawberry.Private[uuid.UUID]
    parent_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description=labels.described("The area's kind as the profile's vocabulary names it", "kind"))
    async def kind_label(self, info: Info) -> str | None:
        return await labels.vocabulary_label(info, models.Area, self.id, self.kind)

    @relation(Parent(models.Area, "parent_id"), description="The area it is part of; null for a top-level area.")
    async def parent(self, info: Info) -> Area | None: ...

    @relation(Children(models.Area, "parent_id"), description="The areas directly below this one, in order.")
    async def children(self, info: Info) -> list[Area]: ...

    @relation(Children(models.Goal, "area_id"), description="The area's goals, in order.")
    async def goals(self, info: Info) -> list[Goal]: ...

    @relation(Children(models.Criterion, "area_id"), description="The area's own criteria (not its goals'), in order.")
    async def criteria(self, info: Info) -> list[Criterion]: ...

    @relation(Children(models.Measure, "area_id"), description="The area's measures, in order.")
    async def measures(self, info: Info) -> list[Measure]: ...

    @strawberry.field(
        description="The figures of the indicators the profile links to this area, for the plan's municipality, "
        "beside the county's and the nation's. " + indicator.arguments_description()
    )
    async def indicators(
        self,
        info: Info,
        codes: list[str] | None = None,
        grade: str | None = None,
        gender: Gender = Gender.ALL,
        from_year: int | None = None,
        to_year: int | None = None,
    ) -> list[indicator.IndicatorSeries]:
        return await indicator.of_area(info, self, indicator.selection(codes, grade, gender, from_year, to_year))

    @relation(Parent(models.Plan, "plan_id"), description="The plan the area belongs to.")
    async def plan(self, info: Info) -> Plan | None: ...


def _areas_of_plan(arguments: dict) -> Filters:
    kind = arguments.get("kind")
    return Filters({"parent_id": None}) if kind is None else Filters({"kind": kind})


@strawberry.type(description="A municipality's quality plan for a period.")
class Plan(RowNode, Versioned):
    model = models.Plan
    id: relay.NodeID[str]
    title: str = strawberry.field(description="The plan's title.")
    description: str | None = strawberry.field(description="Text that introduces the plan; null if it has none.")
    period_start: int = strawberry.field(description="The first year of the plan's period.")
    period_end: int = strawberry.field(description="The last year of the plan's period (inclusive).")
    status: PlanStatus = strawberry.field(
        description="Where it is in its life: a draft (being written), adopted (frozen) or archived."
    )
    applies_to: list[UnitKind] = strawberry.field(description="The kinds of unit the plan is for.")
    adopted_on: dt.date | None = strawberry.field(description="The day it was adopted; null until it is.")
    adopted_by: str | None = strawberry.field(
        description="The body that adopted it, e.g. a committee of the municipal council; null until adopted."
    )
    profile_code: str | None = strawberry.field(description="The profile whose content the plan was made from.")
    measures_assessed_by: list[UnitKind] = strawberry.field(
        description="The kinds of unit whose reports assess the plan's measures, besides its criteria and their "
        "local goals (from the profile when the plan was created)."
    )
    municipality_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description=labels.described("The status", "status"))
    def status_label(self, info: Info) -> str:
        return labels.status_label(self.status, info)

    @relation(
        Children(models.Area, "plan_id", filters=_areas_of_plan),
        description="With no kind: the top-level areas in plan order. With a kind: every area of that kind, "
        "at any depth, in plan order.",
    )
    async def areas(self, info: Info, kind: str | None = None) -> list[Area]: ...

    @relation(
        Children(models.Area, "plan_id"),
        description="Every area of the plan at any depth, in plan order (depth first): the whole tree in one flat "
        "list, each area with its `parent`, for a client that builds the tree itself instead of nesting `children` "
        "(which the query cost multiplies at every level).",
    )
    async def all_areas(self, info: Info) -> list[Area]: ...

    @relation(Parent(models.Municipality, "municipality_id"), description="The municipality whose plan it is.")
    async def municipality(
        self, info: Info
    ) -> Annotated[Municipality, strawberry.lazy("kvalitet.schema.municipality")] | None: ...
