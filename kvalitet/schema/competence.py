"""Competence plans in GraphQL: a unit's and the municipality's own, with their needs, goals and
measures, and the municipality's roll-up of them for the regional collaboration forum."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry import relay
from strawberry.types import Info

from kvalitet import messages, models
from kvalitet.plugins.content import FollowUp
from kvalitet.schema.base import RowNode, Versioned
from kvalitet.schema.enums import CompetenceScope, TargetGroup
from kvalitet.schema.follow_up import declared_follow_up
from kvalitet.schema.local_plan import Finding
from kvalitet.schema.profile import FundingSchemeSpec, Label, PartnerSpec
from kvalitet.schema.reading.relations import Children, Parent, node_type, relation
from kvalitet.services import competence

if TYPE_CHECKING:
    from kvalitet.schema.municipality import Municipality
    from kvalitet.schema.plan import Area, Criterion, Goal
    from kvalitet.schema.unit import Unit


async def _plan_municipality(info: Info, plan_id: uuid.UUID) -> uuid.UUID | None:
    plan = await info.context.loaders.by_id(models.CompetencePlan).load(plan_id)
    return plan["municipality_id"] if plan else None


@strawberry.type(description="A competence need of a unit (or of the municipality), and what shows it.")
class CompetenceNeed(RowNode, Versioned):
    model = models.CompetenceNeed
    id: relay.NodeID[str]
    text: str = strawberry.field(description="The need, as those who defined it wrote it.")
    position: int = strawberry.field(description="Order among the plan's needs.")
    indicator_code: str | None = strawberry.field(
        description="The indicator that shows it (a code of `indicators`), if one."
    )
    plan_id: strawberry.Private[uuid.UUID]
    area_id: strawberry.Private[uuid.UUID | None]
    goal_id: strawberry.Private[uuid.UUID | None]
    criterion_id: strawberry.Private[uuid.UUID | None]

    @relation(Parent(models.Area, "area_id"), description="The area of the municipality's plan that shows it, if one.")
    async def area(self, info: Info) -> Annotated[Area, strawberry.lazy("kvalitet.schema.plan")] | None: ...

    @relation(Parent(models.Goal, "goal_id"), description="The goal of the municipality's plan it serves, if one.")
    async def goal(self, info: Info) -> Annotated[Goal, strawberry.lazy("kvalitet.schema.plan")] | None: ...

    @relation(
        Parent(models.Criterion, "criterion_id"),
        description="The criterion (a report item) whose assessment shows it, if one.",
    )
    async def criterion(self, info: Info) -> Annotated[Criterion, strawberry.lazy("kvalitet.schema.plan")] | None: ...


async def _of_plan(info: Info, model, plan_id: uuid.UUID, ids: list[uuid.UUID]) -> list:
    """The rows of `ids` (needs or goals of the plan), in the order given."""
    if not ids:
        return []
    rows = await info.context.loaders.children(model, "plan_id").load(plan_id)
    found = {row["id"]: row for row in rows}
    return [found[i] for i in ids if i in found]


@strawberry.type(description="A goal for the competence development: individual or collective.")
class CompetenceGoal(RowNode, Versioned):
    model = models.CompetenceGoal
    id: relay.NodeID[str]
    text: str = strawberry.field(description="The goal.")
    scope: CompetenceScope = strawberry.field(description="Individual or collective competence development.")
    position: int = strawberry.field(description="Order among the plan's goals.")
    plan_id: strawberry.Private[uuid.UUID]
    need_ids: strawberry.Private[list[uuid.UUID]]

    @strawberry.field(description="The needs it answers, in the order given.")
    async def needs(self, info: Info) -> list[CompetenceNeed]:
        return CompetenceNeed.from_rows(await _of_plan(info, models.CompetenceNeed, self.plan_id, self.need_ids))


@strawberry.type(
    description="A competence measure: what is done, its form, for whom, with which partner and funding, when, and "
    "how it is evaluated."
)
class CompetenceMeasure(RowNode, Versioned):
    model = models.CompetenceMeasure
    id: relay.NodeID[str]
    title: str = strawberry.field(description="What the measure is.")
    description: str = strawberry.field(description="More about it.")
    scope: CompetenceScope = strawberry.field(description="Individual or collective competence development.")
    unit_based: bool = strawberry.field(
        description="Kindergarten- or school-based: the workplace is where it is learnt (barnehage-/skolebasert)."
    )
    target_group: TargetGroup = strawberry.field(description="Whom it is for.")
    target_note: str = strawberry.field(description="Who exactly, where it is part of the staff.")
    partner_key: str | None = strawberry.field(description="The partner institution: a key of the profile's partners.")
    partner_note: str = strawberry.field(description="Another partner, or more about the partnership.")
    funding_key: str | None = strawberry.field(description="The funding scheme: a key of the profile's schemes.")
    starts_on: dt.date | None = strawberry.field(description="When it starts.")
    ends_on: dt.date | None = strawberry.field(description="When it ends.")
    evaluation: str = strawberry.field(description="How it is evaluated, and what the evaluation showed.")
    position: int = strawberry.field(description="Order among the plan's measures.")
    plan_id: strawberry.Private[uuid.UUID]
    need_ids: strawberry.Private[list[uuid.UUID]]
    goal_ids: strawberry.Private[list[uuid.UUID]]

    async def _declared_here(self, info: Info) -> FollowUp | None:
        municipality_id = await _plan_municipality(info, self.plan_id)
        return await declared_follow_up(info, municipality_id) if municipality_id else None

    @strawberry.field(description="The partner institution, with its name; null for none (or one the profile dropped).")
    async def partner(self, info: Info) -> PartnerSpec | None:
        declared = await self._declared_here(info)
        found = next((p for p in declared.partners if p.key == self.partner_key), None) if declared else None
        return PartnerSpec(key=found.key, label=Label.of(found.label)) if found else None

    @strawberry.field(description="The funding scheme, with its name; null for none (or one the profile dropped).")
    async def funding(self, info: Info) -> FundingSchemeSpec | None:
        declared = await self._declared_here(info)
        found = next((f for f in declared.funding_schemes if f.key == self.funding_key), None) if declared else None
        return FundingSchemeSpec.of(found) if found else None

    @strawberry.field(description="The needs it answers, in the order given.")
    async def needs(self, info: Info) -> list[CompetenceNeed]:
        return CompetenceNeed.from_rows(await _of_plan(info, models.CompetenceNeed, self.plan_id, self.need_ids))

    @strawberry.field(description="The goals it serves, in the order given.")
    async def goals(self, info: Info) -> list[CompetenceGoal]:
        return CompetenceGoal.from_rows(await _of_plan(info, models.CompetenceGoal, self.plan_id, self.goal_ids))

    @strawberry.field(
        description="What it lacks that its funding scheme asks for (rooted in a local need, kindergarten- or "
        "school-based, a partner): `COMPETENCE_NO_LOCAL_NEED`, `COMPETENCE_NOT_UNIT_BASED`, `COMPETENCE_NO_PARTNER`. "
        "Empty when it meets them, or has no scheme."
    )
    async def findings(self, info: Info) -> list[Finding]:
        declared = await self._declared_here(info)
        row = {
            "funding_key": self.funding_key,
            "need_ids": self.need_ids,
            "unit_based": self.unit_based,
            "partner_key": self.partner_key,
            "partner_note": self.partner_note,
        }
        return [
            Finding.said(f.code, f.message, f.field, info.context.locale)
            for f in competence.measure_findings(declared, row)
        ]


@strawberry.type(
    description="A competence plan for some years: a unit's (its needs, goals and measures), or the municipality's "
    "own (no unit)."
)
class CompetencePlan(RowNode, Versioned):
    model = models.CompetencePlan
    id: relay.NodeID[str]
    start_year: int = strawberry.field(description="Its first year.")
    end_year: int = strawberry.field(description="Its last year.")
    title: str = strawberry.field(description="Its title, if it has one of its own.")
    municipality_id: strawberry.Private[uuid.UUID]
    unit_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(
        description="What the profile calls such a plan for the unit's kind («kompetanseutviklingsplan», "
        "«kompetansehevingsplan»); null where it has no name of its own."
    )
    async def name(self, info: Info) -> Label | None:
        declared = await declared_follow_up(info, self.municipality_id)
        if declared is None or self.unit_id is None:
            return None
        unit = await info.context.loaders.by_id(models.Unit).load(self.unit_id)
        found = declared.competence_plan_names.get(unit["kind"]) if unit else None
        return Label.of(found) if found else None

    @relation(Parent(models.Unit, "unit_id"), description="The unit; null for the municipality's own plan.")
    async def unit(self, info: Info) -> Annotated[Unit, strawberry.lazy("kvalitet.schema.unit")] | None: ...

    @relation(Parent(models.Municipality, "municipality_id"), description="The municipality.")
    async def municipality(
        self, info: Info
    ) -> Annotated[Municipality, strawberry.lazy("kvalitet.schema.municipality")] | None: ...

    @relation(Children(models.CompetenceNeed, "plan_id"), description="Its needs, in order.")
    async def needs(self, info: Info) -> list[CompetenceNeed]: ...

    @relation(Children(models.CompetenceGoal, "plan_id"), description="Its goals, in order.")
    async def goals(self, info: Info) -> list[CompetenceGoal]: ...

    @relation(Children(models.CompetenceMeasure, "plan_id"), description="Its measures, in order.")
    async def measures(self, info: Info) -> list[CompetenceMeasure]: ...


# -- The roll-up -------------------------------------------------------------------------------


@strawberry.type(description="The needs shown in one area of the municipality's plan, across units.")
class CompetenceNeedsInArea:
    area_id: strawberry.Private[uuid.UUID | None]
    unit_count: int = strawberry.field(description="How many units (and the municipality itself) name needs here.")
    needs: list[CompetenceNeed] = strawberry.field(description="The needs, unit by unit.")

    # A resolver, not a relation: the roll-up is worked out by a resolver of its own, which the
    # compiled path does not walk into.
    @strawberry.field(description="The area; null for needs shown in no area.")
    async def area(self, info: Info) -> Annotated[Area, strawberry.lazy("kvalitet.schema.plan")] | None:
        return cast("Area | None", await node_type(models.Area).load(info, self.area_id))


@strawberry.type(description="The measures of one funding scheme (or of none), across units.")
class CompetenceMeasuresByFunding:
    funding_key: str | None = strawberry.field(description="The scheme's key; null for measures with none.")
    funding: FundingSchemeSpec | None = strawberry.field(description="The scheme, with its name.")
    unit_count: int = strawberry.field(description="How many units (and the municipality itself) have such measures.")
    measures: list[CompetenceMeasure] = strawberry.field(description="The measures, unit by unit.")


@strawberry.type(
    description="The municipality's roll-up of competence needs and measures across its units for a year: what it "
    "brings to the regional collaboration forum."
)
class CompetenceRollup:
    year: int = strawberry.field(description="The year.")
    forum: Label | None = strawberry.field(description="The regional forum the profile names, if one.")
    plan_count: int = strawberry.field(
        description="Competence plans covering the year (units' and the municipality's)."
    )
    needs_by_area: list[CompetenceNeedsInArea] = strawberry.field(
        description="The needs, by the area of the plan that shows them (the area of its goal or criterion, where one "
        "of those is named); those in no area last."
    )
    measures_by_funding: list[CompetenceMeasuresByFunding] = strawberry.field(
        description="The measures running in the year, by funding scheme, in the profile's order; those with none last."
    )
    rows: strawberry.Private[list[dict]]
    locale: strawberry.Private[str]

    @strawberry.field(
        description="The roll-up as CSV (UTF-8, `;`-separated, headings in the request's language): one line per need "
        "and per measure, with its unit, for a spreadsheet or the forum."
    )
    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow([messages.text(f"competence.csv.{c}").render(self.locale) for c in CSV_COLUMNS])
        for row in self.rows:
            writer.writerow([_csv_cell(row.get(c)) for c in CSV_COLUMNS])
        return out.getvalue()


CSV_COLUMNS = ("kind", "unit", "unit_kind", "text", "area", "scope", "target_group", "partner", "funding", "period")


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # A cell a spreadsheet would read as a formula is written as text (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def rollup(info: Info, municipality_id: uuid.UUID, year: int) -> CompetenceRollup:
    """Three statements (plans, needs, measures) for every municipality of the request, each
    narrowed by the access policy, and the areas' titles; grouping in Python."""
    loaders, locale = info.context.loaders, info.context.locale

    async def batch(keys: list[uuid.UUID]) -> list[tuple[list, list, list]]:
        needs_sql, measures_sql = competence.rollup_sql(keys, year)
        plans = await loaders.fetch(models.CompetencePlan, competence.plans_in_year(keys, year))
        needs = await loaders.fetch(models.CompetenceNeed, needs_sql)
        measures = await loaders.fetch(models.CompetenceMeasure, measures_sql)

        def of(rows: list, key: uuid.UUID) -> list:
            return [row for row in rows if row["municipality_id"] == key]

        return [(of(plans, key), of(needs, key), of(measures, key)) for key in keys]

    plans, need_rows, measure_rows = await loaders.batched(("competence_rollup", year), batch).load(municipality_id)
    declared = await declared_follow_up(info, municipality_id)
    areas: dict[uuid.UUID | None, list] = {}
    for row in need_rows:
        areas.setdefault(row["shown_in_area_id"], []).append(row)
    known = sorted(
        (area for area in await loaders.by_id(models.Area).load_many([a for a in areas if a is not None]) if area),
        key=lambda area: (area["plan_id"], area["position"]),
    )
    area_titles = {area["id"]: area["title"] for area in known}
    for hidden in [a for a in areas if a is not None and a not in area_titles]:
        # An area the caller may not read (a draft plan's): its needs count as in no area.
        areas.setdefault(None, []).extend(areas.pop(hidden))
    ordered_areas = [a for a in area_titles if a in areas] + ([None] if None in areas else [])
    needs_by_area = [
        CompetenceNeedsInArea(
            area_id=area,
            unit_count=len({r["unit_id"] for r in areas[area]}),
            needs=CompetenceNeed.from_rows(areas[area]),
        )
        for area in ordered_areas
    ]
    schemes = {f.key: f for f in declared.funding_schemes} if declared else {}
    by_funding: dict[str | None, list] = {}
    for row in measure_rows:
        by_funding.setdefault(row["funding_key"], []).append(row)
    order = (
        [k for k in schemes if k in by_funding]
        + sorted(k for k in by_funding if k is not None and k not in schemes)
        + ([None] if None in by_funding else [])
    )
    measures_by_funding = [
        CompetenceMeasuresByFunding(
            funding_key=key,
            funding=FundingSchemeSpec.of(schemes[key]) if key in schemes else None,
            unit_count=len({r["unit_id"] for r in by_funding[key]}),
            measures=CompetenceMeasure.from_rows(by_funding[key]),
        )
        for key in order
    ]
    partners = {p.key: p for p in declared.partners} if declared else {}

    def label(found, key):
        return getattr(found[key].label, locale) if key in found else key

    def unit_name(row) -> str:
        return row["unit_name"] or messages.text("competence.csv.the_municipality").render(locale)

    def kind(row) -> str:
        return messages.kind(row["unit_kind"]).render(locale) if row["unit_kind"] else ""

    rows = [
        {
            "kind": messages.text("competence.csv.need").render(locale),
            "unit": unit_name(r),
            "unit_kind": kind(r),
            "text": r["text"],
            "area": area_titles.get(r["shown_in_area_id"]),
        }
        for r in need_rows
    ] + [
        {
            "kind": messages.text("competence.csv.measure").render(locale),
            "unit": unit_name(r),
            "unit_kind": kind(r),
            "text": r["title"],
            "scope": messages.text(f"competence.scope.{r['scope']}").render(locale),
            "target_group": messages.text(f"competence.target_group.{r['target_group']}").render(locale),
            "partner": label(partners, r["partner_key"]) if r["partner_key"] else r["partner_note"] or None,
            "funding": label(schemes, r["funding_key"]) if r["funding_key"] else None,
            "period": " – ".join(str(d) for d in (r["starts_on"], r["ends_on"]) if d is not None) or None,
        }
        for r in measure_rows
    ]
    return CompetenceRollup(
        year=year,
        forum=Label.of(declared.forum) if declared and declared.forum else None,
        plan_count=len(plans),
        needs_by_area=needs_by_area,
        measures_by_funding=measures_by_funding,
        rows=rows,
        locale=locale,
    )


__all__ = [
    "CompetenceGoal",
    "CompetenceMeasure",
    "CompetenceNeed",
    "CompetencePlan",
    "CompetenceRollup",
    "rollup",
]
