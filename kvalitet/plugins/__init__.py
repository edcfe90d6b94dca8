"""Profile plug-ins: hook specifications, the plugin manager and the data-file profile."""

from kvalitet.plugins.data_profile import DataProfile
from kvalitet.plugins.manager import ENTRY_POINT_GROUP, HookError, ProfileError, Profiles, check_hooks, hookimpl, new_plugin_manager

__all__ = [
    "ENTRY_POINT_GROUP",
    "DataProfile",
    "HookError",
    "ProfileError",
    "Profiles",
    "check_hooks",
    "hookimpl",
    "new_plugin_manager",
]
