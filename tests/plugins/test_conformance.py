"""The conformance kit passes every shipped profile and catches a broken one."""

import pytest

from kvalitet.messages import text
from kvalitet.plugins import DataProfile, hookimpl
from kvalitet.plugins.conformance import assert_profile_conforms, check_profile
from kvalitet.plugins.rules import Finding
from kvalitet_profiles import drammen, tromso, vestvagoy
from tests.fixtures.plugin import FixtureProfile
from tests.support.paths import FIXTURES, REPO


@pytest.mark.parametrize(
    "plugin",
    [
        tromso.plugin,
        vestvagoy.plugin,
        drammen.plugin,
        DataProfile(REPO / "profiles" / "barnehage-kvalitetsplan" / "data"),
        FixtureProfile(FIXTURES / "testprofile"),
    ],
    ids=["tromso", "vestvagoy", "drammen", "barnehage-kvalitetsplan", "testprofil"],
)
def test_shipped_profiles_conform(plugin):
    assert_profile_conforms(plugin)


class Greedy(DataProfile):
    """Answers for every profile code, and breaks a few other rules."""

    @hookimpl
    def kvalitet_assessment_scale(self, profile: str):
        return list(self.data.profile.assessment_scale)

    @hookimpl
    def kvalitet_validate_local_plan(self, profile: str, local_plan):
        return [Finding("lowercase", ""), Finding("IN_BOKMAL", "Bare på bokmål."), Finding("UNKNOWN", text("nope.x"))]

    @hookimpl
    def kvalitet_demo_units(self, profile: str):
        from kvalitet.plugins.content import DemoUnit

        return [DemoUnit(name="Nordlys skole", kind="school")] if profile == self.code else None


def test_the_kit_names_what_is_wrong():
    problems = check_profile(Greedy(FIXTURES / "testprofile"))
    assert "kvalitet_demo_units: 'Nordlys skole' does not start with «Demo»" in problems
    assert any(p.startswith("kvalitet_assessment_scale answered for a profile that is not its own") for p in problems)
    assert any("needs an UPPER_CASE code and a message" in p for p in problems)
    assert "kvalitet_validate_local_plan answered for a profile that is not its own" in problems
    assert (
        "kvalitet_validate_local_plan: finding IN_BOKMAL is plain text; catalogue it (kvalitet_messages) in nb, nn and en"
        in problems
    )
    assert "kvalitet_validate_local_plan: finding UNKNOWN names 'nope.x' that no catalogue has" in problems
    with pytest.raises(AssertionError, match="does not conform"):
        assert_profile_conforms(Greedy(FIXTURES / "testprofile"))


class Misspelt(DataProfile):
    @hookimpl
    def kvalitet_reportin(self, profile: str):
        return None


def test_the_kit_refuses_a_misspelt_hook_naming_it():
    [problem] = check_profile(Misspelt(FIXTURES / "testprofile"))
    assert "'kvalitet_reportin' is not a kvalitet hook (did you mean 'kvalitet_reporting'?)" in problem
    with pytest.raises(AssertionError, match="kvalitet_reportin"):
        assert_profile_conforms(Misspelt(FIXTURES / "testprofile"))
