"""Profiles as plug-ins: loading, hook calls, documentation of every hook and its signature."""

import ast
import inspect
import re
import typing

import pytest

from kvalitet.plugins import DataProfile, ProfileError, Profiles, hookspecs, new_plugin_manager
from kvalitet.plugins.rules import LocalPlanView, ReportView
from tests.support.paths import FIXTURES, REPO

DOCS = REPO / "docs" / "plugins.md"


def _hook_names() -> list[str]:
    return sorted(name for name in dir(hookspecs) if name.startswith("kvalitet_"))


@pytest.mark.parametrize("hook", _hook_names())
def test_every_hook_is_documented(hook):
    headings = re.findall(r"^### (\w+)$", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert hook in headings, f"docs/plugins.md has no '### {hook}' section"


@pytest.mark.parametrize("hook", _hook_names())
def test_every_hook_has_a_docstring(hook):
    assert (getattr(hookspecs, hook).__doc__ or "").strip()


def _annotation(value) -> str:
    # hookspecs uses `from __future__ import annotations`: annotations are their source text.
    return value if isinstance(value, str) else inspect.formatannotation(value)


def _spec_signature(hook: str) -> str:
    """The spec as one line of text: `name(param: type, …) -> type`."""
    signature = inspect.signature(getattr(hookspecs, hook))
    params = ", ".join(f"{p.name}: {_annotation(p.annotation)}" for p in signature.parameters.values())
    return f"{hook}({params}) -> {_annotation(signature.return_annotation)}"


def _documented_signatures(hook: str) -> list[str]:
    """The code blocks of the hook's section in docs/plugins.md (up to the next heading)."""
    text = DOCS.read_text(encoding="utf-8")
    section = re.search(rf"^### {hook}\n(.*?)(?=^##)", text + "\n##", flags=re.MULTILINE | re.DOTALL)
    assert section, f"docs/plugins.md has no '### {hook}' section"
    return [block.strip() for block in re.findall(r"^```python\n(.*?)^```", section.group(1), re.MULTILINE | re.DOTALL)]


@pytest.mark.parametrize("hook", _hook_names())
def test_every_hook_is_annotated(hook):
    """Every parameter and the return are annotated, with names that resolve to real types."""
    spec = getattr(hookspecs, hook)
    signature = inspect.signature(spec)
    missing = [p.name for p in signature.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not missing, f"{hook}: parameters without an annotation: {missing}"
    assert signature.return_annotation is not inspect.Signature.empty, f"{hook} has no return annotation"
    hints = typing.get_type_hints(spec)
    assert set(hints) == {*signature.parameters, "return"}


@pytest.mark.parametrize("hook", _hook_names())
def test_every_hook_documents_its_signature(hook):
    """The section shows one signature, the spec's exactly (parameter names, their annotations
    and the return annotation), as a line of Python."""
    blocks = _documented_signatures(hook)
    assert len(blocks) == 1, f"the '### {hook}' section of docs/plugins.md needs one ```python signature block"
    [documented] = blocks
    ast.parse(f"def {documented}: ...")  # a signature a reader could paste
    assert documented == _spec_signature(hook), (
        f"docs/plugins.md shows {documented!r}, the spec is {_spec_signature(hook)!r}"
    )


def test_the_signature_check_reads_names_and_annotations():
    assert _spec_signature("kvalitet_validate_local_plan") == (
        "kvalitet_validate_local_plan(profile: str, local_plan: LocalPlanView) -> list[Finding] | None"
    )
    assert _spec_signature("kvalitet_profile") == "kvalitet_profile() -> ProfileContent | None"


def test_every_documented_hook_is_a_hook():
    headings = re.findall(r"^### (kvalitet_\w+)$", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert sorted(headings) == _hook_names()


def test_shipped_profiles_load_from_entry_points():
    profiles = Profiles(new_plugin_manager())
    codes = {p.code: p for p in profiles.all()}
    assert {"tromso", "vestvagoy", "drammen"} <= set(codes)
    assert codes["tromso"].municipality_numbers == ["5501"]
    assert codes["drammen"].municipality_aliases == ["3005"]
    assert profiles.for_municipality("5401").code == "tromso"


async def test_the_core_asks_the_profile_through_its_hooks(gql, test_profile, profiles, demo):
    query = """{ profile(code: "testprofil") {
        code name municipalityNumbers municipalityAliases defaultLocale
        vocabulary { category key label { nb nn en text(locale: NN) } }
        perspectives { key label { nb } }
        assessmentScale { level label { en } }
        reportingFrequency reportingPeriods { key starts ends due dueNextYear label { nb } }
        localPlanSections { key } indicatorLinks { area } councilReport { title { nb } sections { key } }
        followUp { meetingKinds { key } fundingSchemes { key criteria } partners { key } forum { nb } } }
      testprofilGreeting }"""
    data = await gql(query)
    profile = data["profile"]
    assert profile["municipalityNumbers"] == ["9901"] and profile["municipalityAliases"] == ["9801"]
    assert profile["defaultLocale"] == "NN"
    terms = {(t["category"], t["key"]): t["label"] for t in profile["vocabulary"]}
    assert terms[("CONCEPT", "unit")] == {"nb": "Enhet", "nn": "Eining", "en": "Unit", "text": "Eining"}
    assert terms[("AREA_KIND", "sub_theme")]["nb"] == "Deltema"
    assert terms[("GOAL_KIND", "aim")]["en"] == "Aim"
    assert [p["key"] for p in profile["perspectives"]] == ["barn", "personal"]
    assert [s["level"] for s in profile["assessmentScale"]] == ["1", "2"]
    assert profile["reportingFrequency"] == "half_yearly"
    assert [(p["key"], p["due"], p["dueNextYear"]) for p in profile["reportingPeriods"]] == [
        ("h1", "08-15", False),
        ("h2", "01-15", True),
    ]
    assert data["testprofilGreeting"] == "Hei fra testprofilen"
    assert profile["localPlanSections"] is None  # declares none: any key is taken
    assert profile["indicatorLinks"] == []
    # It declares no council report: the default structure (opplæringslova § 17-12 first).
    assert [s["key"] for s in profile["councilReport"]["sections"]][:3] == [
        "laeringsmiljo",
        "laeringsresultat",
        "gjennomforing",
    ]
    # It declares no follow-up: the default kind of meeting, and Udir's scheme with its three criteria.
    assert profile["followUp"] == {
        "meetingKinds": [{"key": "oppfolgingsmote"}],
        "fundingSchemes": [
            {"key": "lokal-kompetanseutvikling", "criteria": ["local_need", "unit_based", "partnership"]}
        ],
        "partners": [],
        "forum": None,
    }
    # The rules are asked through the profiles, and other profiles' plug-ins stay silent.
    empty = LocalPlanView(unit_kind="school", areas=())
    assert [f.code for f in profiles.validate_local_plan("testprofil", empty)] == ["MISSING_GOALS"]
    report = ReportView(unit_kind="school", period_key="h1", year=2025, areas=())
    assert [f.code for f in profiles.validate_report("testprofil", report)] == ["NO_ASSESSMENTS"]
    # Every hook the profile implements was asked (the demo used plan content and demo units).
    assert set(test_profile.calls) == set(_hook_names())


async def test_vocabulary_can_be_filtered_by_category(gql):
    data = await gql('{ profile(code: "testprofil") { vocabulary(category: AREA_KIND) { key } } }')
    assert [t["key"] for t in data["profile"]["vocabulary"]] == ["theme", "sub_theme"]


def test_a_data_only_profile_is_loaded_from_a_directory():
    directory = REPO / "profiles" / "barnehage-kvalitetsplan" / "data"
    profiles = Profiles(new_plugin_manager(entry_points=False, data_dirs=[directory]))
    [info] = profiles.all()
    assert info.code == "barnehage-kvalitetsplan"
    assert profiles.plan_content(info.code).applies_to == ["kindergarten"]


def test_two_plugins_claiming_one_code_is_an_error():
    pm = new_plugin_manager(entry_points=False)
    pm.register(DataProfile(FIXTURES / "testprofile"), name="one")
    pm.register(DataProfile(FIXTURES / "testprofile"), name="two")
    with pytest.raises(ProfileError, match="testprofil"):
        Profiles(pm)


def test_asking_for_a_missing_profile_names_the_installed_ones():
    profiles = Profiles(new_plugin_manager(entry_points=False, data_dirs=[FIXTURES / "testprofile"]))
    with pytest.raises(ProfileError, match=r"no profile 'oslo' is installed \(installed: testprofil\)"):
        profiles.require("oslo")
