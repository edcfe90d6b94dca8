"""A profile made of data files only: the plug-in object behind every shipped profile.

Point it at a directory holding `profile.yaml`, `vocabulary.yaml`, `plan.yaml` (and
optionally `calendar.yaml`, see `kvalitet.plugins.content`, and its rules' texts in `nb.po`,
`nn.po` and `en.po`, see `kvalitet.messages`); it answers every descriptive hook
for its code. A profile package adds Python only for what data cannot say (rules,
schema additions) by subclassing it or by registering a second plug-in. A subclass marks each
hook it overrides with `hookimpl` again, and names no other method `kvalitet_…` (the plug-in
manager refuses both mistakes at start-up).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from kvalitet.messages import LOCALES, Catalogues, read_catalogue
from kvalitet.plugins.content import (
    CouncilReportStructure,
    DemoUnit,
    FollowUp,
    IndicatorLink,
    LocalPlanSectionSpec,
    Perspective,
    PlanContent,
    ProfileContent,
    ProfileData,
    Reporting,
    ScaleLevel,
    Vocabulary,
    load_profile_data,
)
from kvalitet.plugins.hookspecs import hookimpl


class DataProfile:
    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.directory)!r})"

    @cached_property
    def data(self) -> ProfileData:
        return load_profile_data(self.directory)

    @property
    def code(self) -> str:
        return self.data.profile.code

    def _mine(self, profile: str) -> bool:
        return profile == self.code

    @hookimpl
    def kvalitet_profile(self) -> ProfileContent:
        return self.data.profile

    @hookimpl
    def kvalitet_messages(self) -> Catalogues | None:
        files = {locale: self.directory / f"{locale}.po" for locale in LOCALES}
        if not any(file.exists() for file in files.values()):
            return None
        texts = {}
        for locale, path in files.items():
            if path.exists():
                with path.open("rb") as file:
                    texts[locale] = read_catalogue(file, locale)
        return Catalogues(self.code, texts)

    @hookimpl
    def kvalitet_vocabulary(self, profile: str) -> Vocabulary | None:
        return self.data.vocabulary if self._mine(profile) else None

    @hookimpl
    def kvalitet_plan_content(self, profile: str) -> PlanContent | None:
        return self.data.plan if self._mine(profile) else None

    @hookimpl
    def kvalitet_perspectives(self, profile: str) -> list[Perspective] | None:
        return list(self.data.profile.perspectives) if self._mine(profile) else None

    @hookimpl
    def kvalitet_assessment_scale(self, profile: str) -> list[ScaleLevel] | None:
        return list(self.data.profile.assessment_scale) if self._mine(profile) else None

    @hookimpl
    def kvalitet_reporting(self, profile: str) -> Reporting | None:
        return self.data.profile.reporting if self._mine(profile) else None

    @hookimpl
    def kvalitet_local_plan_sections(self, profile: str) -> list[LocalPlanSectionSpec] | None:
        sections = self.data.profile.local_plan_sections
        return list(sections) if self._mine(profile) and sections is not None else None

    @hookimpl
    def kvalitet_indicator_links(self, profile: str) -> list[IndicatorLink] | None:
        return list(self.data.profile.indicator_links) if self._mine(profile) else None

    @hookimpl
    def kvalitet_council_report(self, profile: str) -> CouncilReportStructure | None:
        return self.data.profile.council_report if self._mine(profile) else None

    @hookimpl
    def kvalitet_follow_up(self, profile: str) -> FollowUp | None:
        return self.data.profile.follow_up if self._mine(profile) else None

    @hookimpl
    def kvalitet_demo_units(self, profile: str) -> list[DemoUnit] | None:
        return list(self.data.profile.demo_units) if self._mine(profile) else None
