"""Tromsø (5501): «Du og jeg og vi to – VI VIL!», quality development plan 2021–2025.

The content is data in `data/` (see `kvalitet.plugins.content`); the rule for the unit's
«fremtidsbilde» is in `rules.py`.
"""

from pathlib import Path

from kvalitet.plugins import DataProfile, hookimpl
from kvalitet_profiles.tromso.rules import validate_fremtidsbilde


class TromsoProfile(DataProfile):
    @hookimpl
    def kvalitet_validate_local_plan(self, profile: str, local_plan):
        if not self._mine(profile):
            return None
        return validate_fremtidsbilde(local_plan, self.data.profile.perspectives)


plugin = TromsoProfile(Path(__file__).parent / "data")
