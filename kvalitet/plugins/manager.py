"""The plugin manager, and `Profiles`: the core's one way to ask about profiles."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Iterable
from pathlib import Path

import pluggy

from kvalitet.messages import add_catalogues
from kvalitet.plugins import hookspecs
from kvalitet.plugins.content import (
    CouncilReportStructure,
    DemoUnit,
    FollowUp,
    IndicatorLink,
    LocalPlanSectionSpec,
    Perspective,
    PlanContent,
    ProfileContent,
    Reporting,
    ScaleLevel,
    Vocabulary,
    default_council_report,
    default_follow_up,
)
from kvalitet.plugins.data_profile import DataProfile
from kvalitet.plugins.hookspecs import PROJECT, hookimpl
from kvalitet.plugins.rules import Finding, LocalPlanView, ReportView
from kvalitet.plugins.sections import missing_sections

ENTRY_POINT_GROUP = "kvalitet.profiles"
HOOK_PREFIX = f"{PROJECT}_"

__all__ = [
    "ENTRY_POINT_GROUP",
    "HookError",
    "ProfileError",
    "Profiles",
    "check_hooks",
    "hookimpl",
    "new_plugin_manager",
]


class ProfileError(LookupError):
    """A profile that is asked for is not installed."""


class HookError(pluggy.PluginValidationError):
    """A plug-in breaks the hook contract: it has a method named like a hook (`kvalitet_…`)
    that is no hook, or a hook's name without the `hookimpl` mark, so the core would never
    call it. Raised at start-up; `plugin_name` and `hooks` say which plug-in and names."""

    def __init__(self, plugin: object, plugin_name: str, hooks: list[str], message: str):
        super().__init__(plugin, message)
        self.plugin_name = plugin_name
        self.hooks = hooks


def _hook_names(pm: pluggy.PluginManager) -> list[str]:
    return sorted(name for name, caller in vars(pm.hook).items() if not name.startswith("_") and caller.has_spec())


def _did_you_mean(name: str, hooks: list[str]) -> str:
    # Compared without the shared prefix, which would make every name look alike.
    tails = {hook.removeprefix(HOOK_PREFIX): hook for hook in hooks}
    close = difflib.get_close_matches(name.removeprefix(HOOK_PREFIX), list(tails), n=1, cutoff=0.7)
    return f" (did you mean {tails[close[0]]!r}?)" if close else ""


def _unknown_hooks(pm: pluggy.PluginManager, plugin: object) -> list[str]:
    """The names of `plugin`'s marked implementations that match no hook spec."""
    return sorted(
        caller.name
        for caller in pm.get_hookcallers(plugin) or []
        if not caller.has_spec()
        and any(impl.plugin is plugin and not impl.optionalhook for impl in caller.get_hookimpls())
    )


def _unmarked_methods(pm: pluggy.PluginManager, plugin: object) -> list[str]:
    """The names of `plugin`'s methods that start with `kvalitet_` but are not marked `hookimpl`
    (pluggy skips those silently). Read statically, so no property of the plug-in runs."""
    names = []
    for name in dir(plugin):
        if not name.startswith(HOOK_PREFIX):
            continue
        value = inspect.getattr_static(plugin, name, None)
        if not (inspect.isroutine(value) or isinstance(value, (staticmethod, classmethod))):
            continue
        if pm.parse_hookimpl_opts(plugin, name) is None:
            names.append(name)
    return names


def _error(pm: pluggy.PluginManager, plugin: object, unknown: list[str], unmarked: list[str]) -> HookError:
    plugin_name = pm.get_name(plugin) or repr(plugin)
    hooks = _hook_names(pm)
    problems = [
        f"{name!r} is not a kvalitet hook{_did_you_mean(name, hooks)}, so it would never be called" for name in unknown
    ]
    for name in unmarked:
        if name in hooks:
            problems.append(f"{name!r} is not marked with @kvalitet.plugins.hookimpl, so it would never be called")
        else:
            problems.append(
                f"{name!r} is not a kvalitet hook{_did_you_mean(name, hooks)}; only hook implementations may "
                f"start with {HOOK_PREFIX!r}"
            )
    message = (
        f"plug-in {plugin_name!r} ({plugin!r}) breaks the hook contract: "
        + "; ".join(problems)
        + f". The hooks are: {', '.join(hooks)} (docs/plugins.md)."
    )
    return HookError(plugin, plugin_name, [*unknown, *unmarked], message)


def check_hooks(pm: pluggy.PluginManager) -> None:
    """Refuse a plug-in whose hook implementations the core would never call: pluggy's
    `check_pending()` (a marked implementation whose name matches no spec), and any method
    named `kvalitet_…` that is not marked `hookimpl`. Raises `HookError` naming the plug-in
    and every such name."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as error:
        unknown = _unknown_hooks(pm, error.plugin)
        if not unknown:  # not the case this module knows; still say it as a HookError
            name = pm.get_name(error.plugin) or repr(error.plugin)
            raise HookError(error.plugin, name, [], str(error)) from error
        raise _error(pm, error.plugin, unknown, _unmarked_methods(pm, error.plugin)) from error
    for _, plugin in pm.list_name_plugin():
        if plugin is None:  # a blocked name
            continue
        unmarked = _unmarked_methods(pm, plugin)
        if unmarked:
            raise _error(pm, plugin, [], unmarked)


def new_plugin_manager(*, entry_points: bool = True, data_dirs: Iterable[Path] = ()) -> pluggy.PluginManager:
    """A plugin manager with the hook specs, the installed profiles (entry points) and any
    data-only profiles in `data_dirs`, checked (`check_hooks`). A caller that registers more
    plug-ins afterwards is checked again by `Profiles`."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for directory in data_dirs:
        pm.register(DataProfile(directory), name=f"data:{directory}")
    check_hooks(pm)
    return pm


class Profiles:
    """The installed profiles, read through the hooks.

    Every start-up (the service, the CLI, the conformance kit, the tests) builds one from its
    plugin manager, so the manager's plug-ins are checked here, after every registration."""

    def __init__(self, pm: pluggy.PluginManager):
        check_hooks(pm)
        self.pm = pm
        self._by_code: dict[str, ProfileContent] = {}
        for info in pm.hook.kvalitet_profile():
            if info.code in self._by_code:
                raise ProfileError(f"two plug-ins claim the profile code {info.code!r}")
            self._by_code[info.code] = info
        for catalogues in pm.hook.kvalitet_messages():
            if catalogues is not None:
                add_catalogues(catalogues)

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
        vocabulary: Vocabulary | None = self.pm.hook.kvalitet_vocabulary(profile=code)
        return vocabulary

    def plan_content(self, code: str) -> PlanContent | None:
        plan: PlanContent | None = self.pm.hook.kvalitet_plan_content(profile=code)
        return plan

    def perspectives(self, code: str) -> list[Perspective]:
        return self.pm.hook.kvalitet_perspectives(profile=code) or []

    def assessment_scale(self, code: str) -> list[ScaleLevel]:
        return self.pm.hook.kvalitet_assessment_scale(profile=code) or []

    def reporting(self, code: str) -> Reporting | None:
        reporting: Reporting | None = self.pm.hook.kvalitet_reporting(profile=code)
        return reporting

    def demo_units(self, code: str) -> list[DemoUnit]:
        return self.pm.hook.kvalitet_demo_units(profile=code) or []

    def indicator_links(self, code: str) -> list[IndicatorLink]:
        """The indicators the profile links to its plan's areas."""
        links: list[IndicatorLink] | None = self.pm.hook.kvalitet_indicator_links(profile=code)
        return links or []

    def council_report(self, code: str) -> CouncilReportStructure:
        """The profile's structure of the yearly report to the council, else the default."""
        structure: CouncilReportStructure | None = self.pm.hook.kvalitet_council_report(profile=code)
        return structure if structure is not None else default_council_report()

    def follow_up(self, code: str) -> FollowUp:
        """The profile's follow-up meetings and competence development, else the default."""
        default = default_follow_up()
        declared: FollowUp | None = self.pm.hook.kvalitet_follow_up(profile=code)
        if declared is None:
            return default
        # The national scheme is every municipality's, whatever its document names: a profile's
        # schemes come after it (a profile may not declare one under the same key).
        national = [f for f in default.funding_schemes if f.key not in {s.key for s in declared.funding_schemes}]
        return declared.model_copy(update={"funding_schemes": national + declared.funding_schemes})

    def local_plan_sections(self, code: str) -> list[LocalPlanSectionSpec] | None:
        """The sections a local plan may have; None when the profile declares none (any key)."""
        sections: list[LocalPlanSectionSpec] | None = self.pm.hook.kvalitet_local_plan_sections(profile=code)
        return sections

    def validate_local_plan(self, code: str, local_plan: LocalPlanView) -> list[Finding]:
        """Every plug-in's findings, then the required sections missing (`kvalitet.plugins.sections`)."""
        results = self.pm.hook.kvalitet_validate_local_plan(profile=code, local_plan=local_plan)
        found = [finding for findings in results if findings for finding in findings]
        return found + missing_sections(local_plan, self.local_plan_sections(code) or [])

    def validate_report(self, code: str, report: ReportView) -> list[Finding]:
        """Every plug-in's findings on `report`."""
        results = self.pm.hook.kvalitet_validate_report(profile=code, report=report)
        return [finding for findings in results if findings for finding in findings]

    def graphql_query_types(self) -> list[type]:
        return [t for types in self.pm.hook.kvalitet_graphql_query_types() for t in (types or [])]
