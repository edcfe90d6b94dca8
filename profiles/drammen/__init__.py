"""Drammen (3301): «Kvalitetsplan for helhetlig læringsløp».

The content is data in `data/` (see `kvalitet.plugins.content`); the rules that a unit works only on
the foundations and ambitions of its own kind, and says which it prioritises, are in `rules.py`.
"""

from pathlib import Path

from kvalitet.plugins import DataProfile, hookimpl
from kvalitet_profiles.drammen.rules import (
    validate_local_plan_kind,
    validate_local_plan_priorities,
    validate_report_kind,
)


class DrammenProfile(DataProfile):
    @hookimpl
    def kvalitet_validate_local_plan(self, profile: str, local_plan):
        if not self._mine(profile):
            return None
        return validate_local_plan_kind(local_plan) + validate_local_plan_priorities(local_plan)

    @hookimpl
    def kvalitet_validate_report(self, profile: str, report):
        return validate_report_kind(report) if self._mine(profile) else None


plugin = DrammenProfile(Path(__file__).parent / "data")
