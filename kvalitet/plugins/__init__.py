"""Everything a profile author imports: the hook specifications (`hookspecs`), the plugin
manager (`manager`), the data-file profile (`data_profile`), the content format (`content`),
the views and findings of the rules (`rules`) and the conformance kit (`conformance`)."""

from kvalitet.plugins.data_profile import DataProfile
from kvalitet.plugins.manager import (
    ENTRY_POINT_GROUP,
    HookError,
    ProfileError,
    Profiles,
    check_hooks,
    hookimpl,
    new_plugin_manager,
)

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
