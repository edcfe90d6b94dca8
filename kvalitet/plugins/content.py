"""The shape of a profile's data files, and how to read them.

A profile brings its plan as data (YAML beside its code), not as Python. These pydantic
models are the one definition of that data: the loader validates every file against them,
the conformance checks use them, and `python -m kvalitet.plugins.content DIR` checks a directory.

Files in a profile's data directory:

- ``profile.yaml``    who the profile is, its perspectives, scale and reporting calendar
- ``vocabulary.yaml`` the local word for each core concept and each kind, in nb, nn and en
- ``plan.yaml``       the municipality's plan: areas, goals, criteria and measures, in order
- ``calendar.yaml``   optional: meetings and milestones (see `CalendarEntry`)
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from kvalitet.models import enums

# kvalitet.models.enums' words, read as plain text (as the database stores them).
if TYPE_CHECKING:
    # A Literal made at run time from the enumeration is no type to the checker: to it they are text.
    UnitKind: TypeAlias = str
    Ownership: TypeAlias = str
    Sector: TypeAlias = str
else:
    UnitKind = Literal[enums.UnitKind.values()]
    Ownership = Literal[enums.Ownership.values()]
    Sector = Literal[enums.Sector.values()]
UNIT_KINDS: tuple[str, ...] = enums.UnitKind.values()

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
MunicipalityNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
IndicatorCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]

# The core concepts a vocabulary must name (DESIGN: the domain).
CORE_CONCEPTS: tuple[str, ...] = (
    "municipality",
    "unit",
    "plan",
    "area",
    "goal",
    "criterion",
    "measure",
    "local_plan",
    "report",
    "sector_report",
    "national_goal",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    """A word or phrase in the three locales the service speaks."""

    nb: Text
    nn: Text
    en: Text


class CriterionContent(_Strict):
    text: Text
    perspective: Key | None = None


class MeasureContent(_Strict):
    text: Text
    owner: Text | None = None
    deadline: dt.date | None = None
    partner: Text | None = None
    target_group: Text | None = None


class GoalContent(_Strict):
    kind: Kind
    text: Text
    national_goals: list[Key] = Field(default_factory=list)
    criteria: list[CriterionContent] = Field(default_factory=list)


class AreaContent(_Strict):
    key: Key
    kind: Kind
    title: Text
    description: Text | None = None
    # None: inherits from the parent area, or from the plan at the top.
    applies_to: list[UnitKind] | None = None
    goals: list[GoalContent] = Field(default_factory=list)
    criteria: list[CriterionContent] = Field(default_factory=list)
    measures: list[MeasureContent] = Field(default_factory=list)
    children: list[AreaContent] = Field(default_factory=list)

    def walk(self) -> Iterator[AreaContent]:
        """This area and every area below it, in plan order (depth first)."""
        yield self
        for child in self.children:
            yield from child.walk()


class PlanContent(_Strict):
    title: Text
    period_start: int = Field(ge=1900, le=2200)
    period_end: int = Field(ge=1900, le=2200)
    description: Text | None = None
    applies_to: list[UnitKind] = Field(default_factory=lambda: list(UNIT_KINDS))
    adopted_on: dt.date | None = None
    adopted_by: Text | None = None
    areas: list[AreaContent]

    @model_validator(mode="after")
    def _check(self) -> PlanContent:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        keys = [area.key for area in self.all_areas()]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"area keys must be unique in a plan; repeated: {', '.join(dupes)}")
        return self

    def all_areas(self) -> Iterator[AreaContent]:
        for area in self.areas:
            yield from area.walk()


class Perspective(_Strict):
    key: Key
    label: Label


class ScaleLevel(_Strict):
    level: Key
    label: Label
    description: Text | None = None


class ReportingPeriod(_Strict):
    """One reporting period of a year: it ends on `ends` (MM-DD) and is due on `due` (MM-DD,
    in the same year, or in the next when `due_next_year`)."""

    key: Key
    label: Label
    starts: Annotated[str, StringConstraints(pattern=r"^[01][0-9]-[0-3][0-9]$")]
    ends: Annotated[str, StringConstraints(pattern=r"^[01][0-9]-[0-3][0-9]$")]
    due: Annotated[str, StringConstraints(pattern=r"^[01][0-9]-[0-3][0-9]$")]
    due_next_year: bool = False


class LocalPlanSectionSpec(_Strict):
    """A free-text part of a unit's local plan that the profile asks for (Vestvågøy's
    «kartlegging», Tromsø's «tegn på god praksis» per quality area). Only declared keys are
    written; a `required` one missing is a finding (`MISSING_SECTION`)."""

    key: Key
    label: Label
    # Written once for the whole plan, or once per area (then with the area's id).
    per_area: bool = False
    # For a per-area section: the kinds of area it is written for (none: any area).
    area_kinds: list[Kind] = Field(default_factory=list)
    # Required for the whole plan, or, per area, for each area of `area_kinds` for the unit's kind.
    required: bool = False

    @model_validator(mode="after")
    def _kinds_per_area(self) -> LocalPlanSectionSpec:
        if self.area_kinds and not self.per_area:
            raise ValueError(f"section {self.key!r}: area_kinds are for a per-area section")
        return self


class Reporting(_Strict):
    frequency: Literal["annual", "half_yearly", "termly"]
    periods: list[ReportingPeriod] = Field(min_length=1)
    # A report assesses the plan's criteria for the unit's kind and the unit's local goals; the
    # reports of these kinds of unit assess the plan's measures too (on the same scale). A plan
    # takes it when it is created.
    measures_assessed_by: list[UnitKind] = Field(default_factory=list)


class DemoUnit(_Strict):
    name: Text
    kind: UnitKind
    ownership: Ownership = enums.Ownership.MUNICIPAL.value
    zone: Text | None = None


class IndicatorLink(_Strict):
    """Indicators that show how an area of the plan is going (codes of the indicator catalogue,
    kvalitet/data/indicators.yaml), with why, in the profile's words."""

    area: Key
    indicators: list[IndicatorCode] = Field(min_length=1)
    why: Text | None = None


class CouncilReportSectionSpec(_Strict):
    """A section of the yearly report to the council: its title, the indicators it shows (the
    municipality against county and nation), and the plan areas whose self-assessment it rolls up."""

    key: Key
    title: Label
    unit_kinds: list[UnitKind] = Field(default_factory=list)
    indicators: list[IndicatorCode] = Field(default_factory=list)
    areas: list[Key] = Field(default_factory=list)
    all_areas: bool = False
    # Each unit's own figure for the latest school year too (Udir publishes them; a suppressed
    # one shows as suppressed, with its reason).
    per_unit: bool = False


class CouncilReportStructure(_Strict):
    """The report's title and its sections in order (kvalitet/data/council_report.yaml is the
    default a profile replaces with `council_report:` in its profile.yaml)."""

    title: Label
    sections: list[CouncilReportSectionSpec] = Field(min_length=1)

    @field_validator("sections")
    @classmethod
    def _unique_keys(cls, value: list[CouncilReportSectionSpec]) -> list[CouncilReportSectionSpec]:
        keys = [s.key for s in value]
        if len(keys) != len(set(keys)):
            raise ValueError("council_report: a section key is declared twice")
        return value


def default_council_report() -> CouncilReportStructure:
    """The structure every profile starts with (opplæringslova § 17-12, and the kindergartens)."""
    path = Path(str(resources.files("kvalitet") / "data" / "council_report.yaml"))
    return CouncilReportStructure.model_validate(_read_yaml(path))


class MeetingKind(_Strict):
    """A kind of follow-up meeting between the municipality and a unit, in the profile's words
    (Tromsø's «kvalitetsmøte» and «ledersamtale», Drammen's «fagsamtale»)."""

    key: Key
    label: Label
    # The kinds of unit it is held with (none: any unit).
    unit_kinds: list[UnitKind] = Field(default_factory=list)
    # How often, when the document says so (months between meetings). Shown to front ends; the
    # overdue units follow the municipality's rhythm (`setFollowUpRhythm`), set from it or not.
    every_months: int | None = Field(default=None, ge=1, le=60)


class FundingScheme(_Strict):
    """A scheme that funds competence measures, and the criteria a measure it funds must meet
    (Udir's «tilskuddsordning for lokal kompetanseutvikling»: measures rooted in locally defined
    needs, kindergarten- or school-based, in partnership with a university or university college)."""

    key: Key
    label: Label
    criteria: list[Literal["local_need", "unit_based", "partnership"]] = Field(default_factory=list)


class Partner(_Strict):
    """An institution the municipality develops competence with (a university or college)."""

    key: Key
    label: Label


class FollowUp(_Strict):
    """Follow-up of the units and their competence development, as the profile's document says
    it (kvalitet/data/follow_up.yaml is the default a profile replaces with `follow_up:`)."""

    meeting_kinds: list[MeetingKind] = Field(min_length=1)
    # What a unit's competence plan is called, by kind of unit (Drammen's schools write a
    # «kompetansehevingsplan», its kindergartens a «kompetanseutviklingsplan»); else «kompetanseplan».
    competence_plan_names: dict[UnitKind, Label] = Field(default_factory=dict)
    funding_schemes: list[FundingScheme] = Field(default_factory=list)
    partners: list[Partner] = Field(default_factory=list)
    # The regional forum the municipality brings its roll-up of needs and measures to, if named.
    forum: Label | None = None

    @model_validator(mode="after")
    def _unique_keys(self) -> FollowUp:
        for name, keys in (
            ("meeting_kinds", [k.key for k in self.meeting_kinds]),
            ("funding_schemes", [f.key for f in self.funding_schemes]),
            ("partners", [p.key for p in self.partners]),
        ):
            if len(keys) != len(set(keys)):
                raise ValueError(f"follow_up: a key of {name} is declared twice")
        return self


@functools.cache  # read once: every field that names a kind of meeting, scheme or partner asks for it
def default_follow_up() -> FollowUp:
    """What every profile starts with (one kind of meeting, and Udir's national scheme)."""
    path = Path(str(resources.files("kvalitet") / "data" / "follow_up.yaml"))
    return FollowUp.model_validate(_read_yaml(path))


class ProfileContent(_Strict):
    code: Key
    name: Text
    # A profile may serve no particular municipality (a template any municipality can pick).
    municipality_name: Text | None = None
    municipality_numbers: list[MunicipalityNumber] = Field(default_factory=list)
    # Earlier numbers of the same municipality (e.g. before the 2024 county reform).
    municipality_aliases: list[MunicipalityNumber] = Field(default_factory=list)
    default_locale: Literal["nb", "nn", "en"] = "nb"
    perspectives: list[Perspective] = Field(default_factory=list)
    assessment_scale: list[ScaleLevel] = Field(min_length=2)
    reporting: Reporting
    demo_units: list[DemoUnit] = Field(default_factory=list)
    # The sections of a unit's local plan; None: not declared (any key is taken).
    local_plan_sections: list[LocalPlanSectionSpec] | None = None
    # The national indicators linked to the plan's areas.
    indicator_links: list[IndicatorLink] = Field(default_factory=list)
    # The yearly report to the council; None: the default (kvalitet/data/council_report.yaml).
    council_report: CouncilReportStructure | None = None
    # Follow-up meetings and competence development; None: the default (kvalitet/data/follow_up.yaml).
    follow_up: FollowUp | None = None

    @field_validator("local_plan_sections")
    @classmethod
    def _unique_sections(cls, value: list[LocalPlanSectionSpec] | None) -> list[LocalPlanSectionSpec] | None:
        keys = [s.key for s in value or []]
        if len(keys) != len(set(keys)):
            raise ValueError("local_plan_sections: a key is declared twice")
        return value


class Vocabulary(_Strict):
    concepts: dict[str, Label]
    area_kinds: dict[Kind, Label]
    goal_kinds: dict[Kind, Label] = Field(default_factory=dict)

    @field_validator("concepts")
    @classmethod
    def _all_concepts(cls, value: dict[str, Label]) -> dict[str, Label]:
        missing = [c for c in CORE_CONCEPTS if c not in value]
        if missing:
            raise ValueError(f"vocabulary lacks the core concepts: {', '.join(missing)}")
        return value


class CalendarEntry(_Strict):
    """A meeting or milestone in a profile's yearly calendar (Vestvågøy's «årshjul»)."""

    week: int | None = Field(default=None, ge=1, le=53)
    date: dt.date | None = None
    time: Annotated[str, StringConstraints(pattern=r"^[0-2][0-9]:[0-5][0-9](-[0-2][0-9]:[0-5][0-9])?$")] | None = None
    topic: Text
    reading: Text | None = None
    participants: Text | None = None


class ProfileData(_Strict):
    """Everything in one profile's data directory, validated together."""

    profile: ProfileContent
    vocabulary: Vocabulary
    plan: PlanContent
    calendar: list[CalendarEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> ProfileData:
        problems: list[str] = []
        perspectives = {p.key for p in self.profile.perspectives}
        for area in self.plan.all_areas():
            if area.kind not in self.vocabulary.area_kinds:
                problems.append(f"area {area.key!r}: kind {area.kind!r} has no word in vocabulary.area_kinds")
            for goal in area.goals:
                if goal.kind not in self.vocabulary.goal_kinds:
                    problems.append(f"area {area.key!r}: goal kind {goal.kind!r} has no word in vocabulary.goal_kinds")
            criteria = list(area.criteria) + [c for g in area.goals for c in g.criteria]
            for criterion in criteria:
                if criterion.perspective and criterion.perspective not in perspectives:
                    problems.append(
                        f"area {area.key!r}: perspective {criterion.perspective!r} is not in profile.perspectives"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_profile_data(directory: Path) -> ProfileData:
    """Read and validate a profile's data directory; raises pydantic's ValidationError."""
    directory = Path(directory)
    calendar_file = directory / "calendar.yaml"
    return ProfileData.model_validate(
        {
            "profile": _read_yaml(directory / "profile.yaml"),
            "vocabulary": _read_yaml(directory / "vocabulary.yaml"),
            "plan": _read_yaml(directory / "plan.yaml"),
            "calendar": _read_yaml(calendar_file) if calendar_file.exists() else [],
        }
    )


class NationalGoalContent(_Strict):
    key: Key
    sector: Sector
    text: Text


def load_national_goals() -> list[NationalGoalContent]:
    """The government's sector goals (sektormål), shipped with the core."""
    # The package data of `kvalitet` (kvalitet/data/), wherever the package is installed.
    path = Path(str(resources.files("kvalitet") / "data" / "national_goals.yaml"))
    return [NationalGoalContent.model_validate(item) for item in _read_yaml(path)]


def summarize(data: ProfileData) -> str:
    areas = list(data.plan.all_areas())
    kinds: dict[str, int] = {}
    for area in areas:
        kinds[area.kind] = kinds.get(area.kind, 0) + 1
    goals = sum(len(a.goals) for a in areas)
    criteria = sum(len(a.criteria) + sum(len(g.criteria) for g in a.goals) for a in areas)
    measures = sum(len(a.measures) for a in areas)
    kind_text = ", ".join(f"{k}={n}" for k, n in kinds.items())
    return (
        f"{data.profile.code}: {len(areas)} areas ({kind_text}), {goals} goals, "
        f"{criteria} criteria, {measures} measures, {len(data.calendar)} calendar entries"
    )


def _main(argv: list[str]) -> int:
    status = 0
    for arg in argv or ["."]:
        try:
            print(summarize(load_profile_data(Path(arg))))
        except Exception as error:  # report every directory, not just the first bad one
            print(f"{arg}: INVALID\n{error}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
