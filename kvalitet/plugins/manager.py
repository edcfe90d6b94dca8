"""The plugin manager, and `Profiles`: the core's one way to ask about profiles."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pluggy

from ..content import PlanContent, ProfileContent, Vocabulary

PROJECT = "kvalitet"
ENTRY_POINT_GROUP = "kvalitet.profiles"

from . import hookspecs
from .data_profile import DataProfile
from .hookspecs import hookimpl


class ProfileError(LookupError):
    """A profile that is asked for is not installed."""


def new_plugin_manager(*, entry_points: bool = True, data_dirs: Iterable[Path] = ()) -> pluggy.PluginManager:
    """A plugin manager with the hook specs, the installed profiles (entry points) and any
    data-only profiles in `data_dirs`."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for directory in data_dirs:
        pm.register(DataProfile(directory), name=f"data:{directory}")
    return pm


class Profiles:
    """The installed profiles, read through the hooks."""

    def __init__(self, pm: pluggy.PluginManager):
        self.pm = pm
        self._by_code: dict[str, ProfileContent] = {}
        for info in pm.hook.kvalitet_profile():
            if info.code in self._by_code:
                raise ProfileError(f"two plug-ins claim the profile code {info.code!r}")
            self._by_code[info.code] = info

    def all(self) -> list[ProfileContent]:
        return sorted(self._by_code.values(), key=lambda p: p.code)

    def get(self, code: str) -> ProfileContent | None:
        return self._by_code.get(code)

    def require(self, code: str) -> ProfileContent:
        info = self.get(code)
        if info is None:
            known = ", ".join(sorted(self._by_code)) or "none"
            raise ProfileError(f"no profile {code!r} is installed (installed: {known})")
        return info

    def for_municipality(self, number: str) -> ProfileContent | None:
        """The profile that serves municipality `number` (current or former number)."""
        for info in self.all():
            if number in info.municipality_numbers or number in info.municipality_aliases:
                return info
        return None

    def vocabulary(self, code: str) -> Vocabulary | None:
        return self.pm.hook.kvalitet_vocabulary(profile=code)

    def plan_content(self, code: str) -> PlanContent | None:
        return self.pm.hook.kvalitet_plan_content(profile=code)

    def perspectives(self, code: str) -> list:
        return self.pm.hook.kvalitet_perspectives(profile=code) or []

    def assessment_scale(self, code: str) -> list:
        return self.pm.hook.kvalitet_assessment_scale(profile=code) or []

    def reporting(self, code: str):
        return self.pm.hook.kvalitet_reporting(profile=code)

    def demo_units(self, code: str) -> list:
        return self.pm.hook.kvalitet_demo_units(profile=code) or []

    def validate_local_plan(self, code: str, local_plan) -> list:
        """Every plug-in's findings on `local_plan` (a `kvalitet.rules.LocalPlanView`)."""
        results = self.pm.hook.kvalitet_validate_local_plan(profile=code, local_plan=local_plan)
        return [finding for findings in results if findings for finding in findings]

    def validate_report(self, code: str, report) -> list:
        """Every plug-in's findings on `report` (a `kvalitet.rules.ReportView`)."""
        results = self.pm.hook.kvalitet_validate_report(profile=code, report=report)
        return [finding for findings in results if findings for finding in findings]

    def graphql_query_types(self) -> list[type]:
        return [t for types in self.pm.hook.kvalitet_graphql_query_types() for t in (types or [])]
