"""Profile plug-ins: hook specifications, the plugin manager and the data-file profile."""

from .data_profile import DataProfile
from .manager import ENTRY_POINT_GROUP, ProfileError, Profiles, hookimpl, new_plugin_manager

__all__ = ["ENTRY_POINT_GROUP", "DataProfile", "ProfileError", "Profiles", "hookimpl", "new_plugin_manager"]
