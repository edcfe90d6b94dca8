"""The hook contract is checked at start-up: a plug-in whose hook implementation the core would
never call (a misspelt name, a missing `hookimpl` mark) stops the service, the CLI and the
tests' plugin managers, with an error that names it. And the package ships `py.typed`."""

from __future__ import annotations

import sys
import textwrap
import tomllib
from pathlib import Path

import pluggy
import pytest
from typer.testing import CliRunner

import kvalitet
from kvalitet.app import create_app
from kvalitet.cli import app as cli
from kvalitet.infra.settings import Settings
from kvalitet.plugins import DataProfile, HookError, Profiles, check_hooks, hookimpl, new_plugin_manager
from tests.fixtures.plugin import FixtureProfile
from tests.support.paths import FIXTURES, REPO


class MisspeltProfile(FixtureProfile):
    """The test profile, with one hook misspelt: pluggy alone would never call it, silently."""

    @hookimpl
    def kvalitet_vocabulery(self, profile: str):
        return None


def _with(*plugins: object) -> pluggy.PluginManager:
    """A manager built as the tests' `profiles` fixture builds it: the installed profiles, then
    more plug-ins registered afterwards."""
    pm = new_plugin_manager()
    for number, plugin in enumerate(plugins):
        pm.register(plugin, name=f"extra-{number}")
    return pm


def test_a_misspelt_hook_stops_start_up_naming_it():
    pm = _with(MisspeltProfile(FIXTURES / "testprofile"))
    with pytest.raises(HookError, match=r"'extra-0' .*'kvalitet_vocabulery' is not a kvalitet hook") as caught:
        Profiles(pm)
    assert "did you mean 'kvalitet_vocabulary'?" in str(caught.value)
    assert caught.value.plugin_name == "extra-0" and caught.value.hooks == ["kvalitet_vocabulery"]
    assert isinstance(caught.value, pluggy.PluginValidationError)  # what pluggy's own check raises


def test_check_pending_is_what_finds_it():
    pm = _with(MisspeltProfile(FIXTURES / "testprofile"))
    with pytest.raises(pluggy.PluginValidationError, match="kvalitet_vocabulery"):
        pm.check_pending()
    with pytest.raises(HookError, match="kvalitet_vocabulery"):
        check_hooks(pm)


@pytest.fixture
def installed_misspelt_profile(tmp_path, monkeypatch):
    """A distribution on sys.path whose `kvalitet.profiles` entry point is a profile with a
    misspelt hook: installed as a municipality would install its own profile."""
    module = "kvalitet_misspelt_test_profile"
    (tmp_path / f"{module}.py").write_text(
        textwrap.dedent(f"""
        from kvalitet.plugins import DataProfile, hookimpl

        class Misspelt(DataProfile):
            @hookimpl
            def kvalitet_vocabulery(self, profile):
                return None

        plugin = Misspelt({str(FIXTURES / "testprofile")!r})
    """)
    )
    dist_info = tmp_path / "kvalitet_misspelt_test_profile-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: kvalitet-misspelt-test-profile\nVersion: 0.1\n")
    (dist_info / "entry_points.txt").write_text(f"[kvalitet.profiles]\nmisspelt = {module}:plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "misspelt"
    sys.modules.pop(module, None)


def test_an_installed_profile_with_a_misspelt_hook_stops_the_service(installed_misspelt_profile):
    with pytest.raises(HookError, match=r"plug-in 'misspelt' .*'kvalitet_vocabulery'"):
        new_plugin_manager()  # the entry point's name names the plug-in
    settings = Settings(database_url="postgresql+asyncpg://nobody@localhost/none", _env_file=None)
    with pytest.raises(HookError, match="kvalitet_vocabulery"):
        create_app(settings)  # as `kvalitet serve` starts it


def test_an_installed_profile_with_a_misspelt_hook_stops_the_cli(installed_misspelt_profile):
    result = CliRunner().invoke(cli, ["profiles", "list"])
    assert result.exit_code != 0
    assert isinstance(result.exception, HookError) and "kvalitet_vocabulery" in str(result.exception)


class UnmarkedOverride(DataProfile):
    """Overrides a hook but forgets the mark: pluggy takes the unmarked method, so neither it
    nor DataProfile's implementation would be called."""

    def kvalitet_assessment_scale(self, profile: str):
        return []


class PrefixedHelper(DataProfile):
    """A helper method named like a hook."""

    def kvalitet_helper(self) -> str:
        return "not a hook"


def test_a_hook_without_its_mark_stops_start_up():
    with pytest.raises(HookError, match="'kvalitet_assessment_scale' is not marked with @kvalitet.plugins.hookimpl"):
        Profiles(_with(UnmarkedOverride(FIXTURES / "testprofile")))


def test_a_method_named_like_a_hook_stops_start_up():
    with pytest.raises(HookError, match=r"'kvalitet_helper' is not a kvalitet hook; only hook implementations"):
        Profiles(_with(PrefixedHelper(FIXTURES / "testprofile")))


def test_a_parameter_the_hook_lacks_is_refused_when_registered():
    class WrongParameter:
        @hookimpl
        def kvalitet_vocabulary(self, code: str):
            return None

    pm = new_plugin_manager(entry_points=False)
    with pytest.raises(pluggy.PluginValidationError, match="kvalitet_vocabulary"):
        pm.register(WrongParameter(), name="wrong")


def test_correct_plug_ins_pass():
    class Helpful:
        """Leaves out a parameter it does not use, has helpers, and one optional hook."""

        @hookimpl
        def kvalitet_validate_report(self, report):
            return None

        @hookimpl(optionalhook=True)
        def kvalitet_future_hook(self):
            return None

        def helper(self) -> None:
            pass

    profiles = Profiles(_with(FixtureProfile(FIXTURES / "testprofile"), Helpful()))
    assert {"testprofil", "tromso", "vestvagoy", "drammen"} <= {p.code for p in profiles.all()}


def test_the_package_ships_py_typed():
    assert (Path(kvalitet.__file__).parent / "py.typed").is_file()
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "py.typed" in package_data["kvalitet"]
