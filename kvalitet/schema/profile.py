"""Profiles: a municipality's words, perspectives, scale and reporting calendar."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types import Info

from kvalitet.plugins.content import ProfileContent
from kvalitet.schema.enums import Locale, UnitKind


@strawberry.enum(description="What a term names.")
class TermCategory(Enum):
    CONCEPT = "concept"
    AREA_KIND = "area_kind"
    GOAL_KIND = "goal_kind"


@strawberry.type(description="A word or phrase in each of the service's languages.")
class Label:
    nb: str = strawberry.field(description="In bokmål.")
    nn: str = strawberry.field(description="In nynorsk.")
    en: str = strawberry.field(description="In English.")

    @strawberry.field(description="The label in one language.")
    def text(self, locale: Locale) -> str:
        return getattr(self, locale.value)

    @staticmethod
    def of(label) -> Label:
        return Label(nb=label.nb, nn=label.nn, en=label.en)


@strawberry.type(description="The profile's word for a core concept (plan, area …) or for one of its kinds.")
class Term:
    category: TermCategory = strawberry.field(
        description="Whether it names a core concept, a kind of area or a kind of goal."
    )
    key: str = strawberry.field(description="The concept (e.g. `local_plan`) or kind (e.g. `quality_area`).")
    label: Label = strawberry.field(description="The profile's word for it, in each language.")


@strawberry.type(description="A point of view a criterion or local goal may be seen from.")
class Perspective:
    key: str = strawberry.field(description="Its key, as criteria and local goals give it (`perspective`).")
    label: Label = strawberry.field(description="Its name in each language.")


@strawberry.type(description="A level on the profile's assessment scale, lowest first.")
class ScaleLevel:
    level: str = strawberry.field(description="Its key, as assessments give it (`Assessment.level`).")
    label: Label = strawberry.field(description="Its name in each language.")
    description: str | None = strawberry.field(
        description="What the level means, in the profile's words; null if the profile does not say."
    )


@strawberry.type(description="A reporting period of a year, with its due date (month-day).")
class ReportingPeriod:
    key: str = strawberry.field(description="Its key (e.g. `h1`): `openReport`'s `period`, and a report's `periodKey`.")
    label: Label = strawberry.field(description="Its name in each language.")
    starts: str = strawberry.field(description="First day, as MM-DD.")
    ends: str = strawberry.field(description="Last day, as MM-DD.")
    due: str = strawberry.field(description="Due date, as MM-DD.")
    due_next_year: bool = strawberry.field(
        description="The due date falls in the year after the period's (e.g. a period that ends in December)."
    )


@strawberry.type(description="A free-text part of a unit's local plan, as the profile declares it.")
class LocalPlanSectionSpec:
    key: str = strawberry.field(description="The `key` a section is saved with (`saveLocalPlanSection`).")
    label: Label = strawberry.field(description="Its heading in each language.")
    per_area: bool = strawberry.field(description="Written once per area (with `areaId`), not for the whole plan.")
    area_kinds: list[str] = strawberry.field(description="The kinds of area it is written for (empty: any).")
    required: bool = strawberry.field(
        description="A local plan is not complete without it (for each area it is written for, when per area)."
    )


@strawberry.type(description="Indicators the profile links to an area of its plan (`Area.indicators` reads them).")
class IndicatorLink:
    area: str = strawberry.field(description="The area's `key`.")
    indicators: list[str] = strawberry.field(description="Codes of the indicator catalogue (`Query.indicators`).")
    why: str | None = strawberry.field(description="Why, in the profile's words.")


@strawberry.type(description="A section of the yearly report to the council, as the profile structures it.")
class CouncilReportSectionSpec:
    key: str = strawberry.field(description="Its key (`CouncilReportSection.key`).")
    title: Label = strawberry.field(description="Its title.")
    unit_kinds: list[str] = strawberry.field(description="The kinds of unit it is about (empty: all).")
    indicators: list[str] = strawberry.field(
        description="Codes of the indicators it shows: the municipality against its county and the nation."
    )
    areas: list[str] = strawberry.field(description="Keys of the plan's areas whose self-assessment it rolls up.")
    all_areas: bool = strawberry.field(description="True when it rolls up every area of the plan.")
    per_unit: bool = strawberry.field(
        description="True when it shows each unit's own figure of the latest school year as well."
    )


@strawberry.type(description="A kind of follow-up meeting between the municipality and a unit, in the profile's words.")
class MeetingKindSpec:
    key: str = strawberry.field(description="Its key (`FollowUpMeeting.kind`).")
    label: Label = strawberry.field(description="Its name («kvalitetsmøte», «ledersamtale» …).")
    unit_kinds: list[UnitKind] = strawberry.field(description="The kinds of unit it is held with; empty: any.")
    every_months: int | None = strawberry.field(
        description="How often, where the profile's document says so (null: it does not). Which units are overdue "
        "follows the municipality's own rhythm (`setFollowUpRhythm`), which it may set from this."
    )


@strawberry.type(description="A scheme that funds competence measures, and what a measure it funds must have.")
class FundingSchemeSpec:
    key: str = strawberry.field(description="Its key (`CompetenceMeasure.fundingKey`).")
    label: Label = strawberry.field(description="Its name.")
    criteria: list[str] = strawberry.field(
        description="What a measure it funds must be: `local_need` (rooted in a locally defined need), `unit_based` "
        "(kindergarten- or school-based), `partnership` (with a university or college)."
    )

    @staticmethod
    def of(scheme) -> FundingSchemeSpec:
        return FundingSchemeSpec(key=scheme.key, label=Label.of(scheme.label), criteria=list(scheme.criteria))


@strawberry.type(description="An institution the municipality develops competence with.")
class PartnerSpec:
    key: str = strawberry.field(description="Its key (`CompetenceMeasure.partnerKey`).")
    label: Label = strawberry.field(description="Its name.")


@strawberry.type(
    description="Follow-up of the units and their competence development, as the profile's document says it (or "
    "the default: one kind of meeting, and Udir's national scheme)."
)
class FollowUpSpec:
    meeting_kinds: list[MeetingKindSpec] = strawberry.field(description="The kinds of follow-up meeting.")
    competence_plan_names: list[CompetencePlanName] = strawberry.field(
        description="What a unit's competence plan is called, by kind of unit (empty: «kompetanseplan»)."
    )
    funding_schemes: list[FundingSchemeSpec] = strawberry.field(description="The funding schemes it names.")
    partners: list[PartnerSpec] = strawberry.field(description="The universities and colleges it names.")
    forum: Label | None = strawberry.field(description="The regional collaboration forum it names, if one.")


@strawberry.type(description="What a unit's competence plan is called for one kind of unit.")
class CompetencePlanName:
    unit_kind: UnitKind = strawberry.field(description="The kind of unit.")
    label: Label = strawberry.field(description="The plan's name.")


@strawberry.type(description="The structure of the yearly report to the council: its title and sections in order.")
class CouncilReportStructure:
    title: Label = strawberry.field(description="The report's name, e.g. «Kvalitets- og utviklingsmelding».")
    sections: list[CouncilReportSectionSpec] = strawberry.field(description="Its sections, in order.")


@strawberry.type(
    description="A municipality's profile: its plan's structure and content, its words, calendar and rules."
)
class Profile:
    code: str = strawberry.field(
        description="Its code: what `createMunicipality` and `updateMunicipality` take as `profile`."
    )
    name: str = strawberry.field(description="Its name, e.g. «Tromsø kommune».")
    municipality_name: str | None = strawberry.field(
        description="The municipality it is made for; null for a template any municipality may use."
    )
    municipality_numbers: list[str] = strawberry.field(
        description="The numbers of the municipalities it is made for (empty for a template)."
    )
    municipality_aliases: list[str] = strawberry.field(description="Former numbers of the same municipality.")
    default_locale: Locale = strawberry.field(
        description="The written standard of its municipality: the language of messages to its users when a "
        "request asks for none."
    )

    @staticmethod
    def of(info: ProfileContent) -> Profile:
        return Profile(
            code=info.code,
            name=info.name,
            municipality_name=info.municipality_name,
            municipality_numbers=list(info.municipality_numbers),
            municipality_aliases=list(info.municipality_aliases),
            default_locale=Locale(info.default_locale),
        )

    @strawberry.field(description="The profile's words for the core concepts and its kinds.")
    def vocabulary(self, info: Info, category: TermCategory | None = None) -> list[Term]:
        vocabulary = info.context.profiles.vocabulary(self.code)
        if vocabulary is None:
            return []
        groups = (
            (TermCategory.CONCEPT, vocabulary.concepts),
            (TermCategory.AREA_KIND, vocabulary.area_kinds),
            (TermCategory.GOAL_KIND, vocabulary.goal_kinds),
        )
        return [
            Term(category=cat, key=key, label=Label.of(label))
            for cat, terms in groups
            if category is None or category == cat
            for key, label in terms.items()
        ]

    @strawberry.field(
        description="The structure of the yearly report to the council: the profile's, or the default (the three "
        "parts of opplæringslova § 17-12 and a kindergarten part)."
    )
    def council_report(self, info: Info) -> CouncilReportStructure:
        structure = info.context.profiles.council_report(self.code)
        return CouncilReportStructure(
            title=Label.of(structure.title),
            sections=[
                CouncilReportSectionSpec(
                    key=s.key,
                    title=Label.of(s.title),
                    unit_kinds=list(s.unit_kinds),
                    indicators=list(s.indicators),
                    areas=list(s.areas),
                    all_areas=s.all_areas,
                    per_unit=s.per_unit,
                )
                for s in structure.sections
            ],
        )

    @strawberry.field(description="Follow-up meetings and competence development, as the profile's document says.")
    def follow_up(self, info: Info) -> FollowUpSpec:
        declared = info.context.profiles.follow_up(self.code)
        return FollowUpSpec(
            meeting_kinds=[
                MeetingKindSpec(
                    key=k.key,
                    label=Label.of(k.label),
                    unit_kinds=[UnitKind(kind) for kind in k.unit_kinds],
                    every_months=k.every_months,
                )
                for k in declared.meeting_kinds
            ],
            competence_plan_names=[
                CompetencePlanName(unit_kind=UnitKind(kind), label=Label.of(label))
                for kind, label in declared.competence_plan_names.items()
            ],
            funding_schemes=[FundingSchemeSpec.of(f) for f in declared.funding_schemes],
            partners=[PartnerSpec(key=p.key, label=Label.of(p.label)) for p in declared.partners],
            forum=Label.of(declared.forum) if declared.forum else None,
        )

    @strawberry.field(description="The indicators linked to the areas of the profile's plan.")
    def indicator_links(self, info: Info) -> list[IndicatorLink]:
        return [
            IndicatorLink(area=link.area, indicators=list(link.indicators), why=link.why)
            for link in info.context.profiles.indicator_links(self.code)
        ]

    @strawberry.field(description="The perspectives of the profile (empty when it has none).")
    def perspectives(self, info: Info) -> list[Perspective]:
        return [Perspective(key=p.key, label=Label.of(p.label)) for p in info.context.profiles.perspectives(self.code)]

    @strawberry.field(description="The assessment scale, lowest level first.")
    def assessment_scale(self, info: Info) -> list[ScaleLevel]:
        return [
            ScaleLevel(level=s.level, label=Label.of(s.label), description=s.description)
            for s in info.context.profiles.assessment_scale(self.code)
        ]

    @strawberry.field(description="How often units report: `annual`, `half_yearly` or `termly`.")
    def reporting_frequency(self, info: Info) -> str | None:
        reporting = info.context.profiles.reporting(self.code)
        return reporting.frequency if reporting else None

    @strawberry.field(description="The reporting periods of a year.")
    def reporting_periods(self, info: Info) -> list[ReportingPeriod]:
        reporting = info.context.profiles.reporting(self.code)
        return [
            ReportingPeriod(
                key=p.key,
                label=Label.of(p.label),
                starts=p.starts,
                ends=p.ends,
                due=p.due,
                due_next_year=p.due_next_year,
            )
            for p in (reporting.periods if reporting else [])
        ]

    @strawberry.field(
        description="The sections of a unit's local plan; null when the profile declares none (then any key is taken)."
    )
    def local_plan_sections(self, info: Info) -> list[LocalPlanSectionSpec] | None:
        sections = info.context.profiles.local_plan_sections(self.code)
        if sections is None:
            return None
        return [
            LocalPlanSectionSpec(
                key=s.key,
                label=Label.of(s.label),
                per_area=s.per_area,
                area_kinds=list(s.area_kinds),
                required=s.required,
            )
            for s in sections
        ]
