"""Vestvågøy (1860): development plan for sector Utdanning/Oppvekst.

The content is data in `data/` (see `kvalitet.plugins.content`); the rule for the unit's «lokal
utviklingsplan» is in `rules.py`, and the calendar of meetings and milestones is added to the
GraphQL API by `calendar.py`.
"""

from pathlib import Path

from kvalitet.plugins import DataProfile, hookimpl
from kvalitet_profiles.vestvagoy.calendar import calendar_query_type
from kvalitet_profiles.vestvagoy.rules import validate_local_development_plan


class VestvagoyProfile(DataProfile):
    @hookimpl
    def kvalitet_validate_local_plan(self, profile: str, local_plan):
        if not self._mine(profile):
            return None
        return validate_local_development_plan(local_plan)

    @hookimpl
    def kvalitet_graphql_query_types(self):
        return [calendar_query_type(lambda: self.data.calendar)]


plugin = VestvagoyProfile(Path(__file__).parent / "data")
