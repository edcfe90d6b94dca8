"""Each shipped profile's rules: a complete local plan passes, an incomplete one is refused
with findings that name what is missing."""

import dataclasses
import datetime as dt

import pytest

from kvalitet.messages import render
from kvalitet.plugins import Profiles, new_plugin_manager
from kvalitet.plugins.rules import (
    AssessmentView,
    LocalActionView,
    LocalGoalView,
    LocalPlanView,
    ReportView,
    SectionView,
    area_refs,
)


def nb(message) -> str:
    """A finding's text in bokmål (the profiles' and the core's are catalogued)."""
    return render(message, "nb")


@pytest.fixture(scope="module")
def shipped() -> Profiles:
    return Profiles(new_plugin_manager())


def _areas(shipped, code):
    return area_refs(shipped.plan_content(code))


# Tromsø: the fremtidsbilde, 4 quality areas x 4 perspectives.


def _complete_fremtidsbilde(shipped) -> LocalPlanView:
    areas = _areas(shipped, "tromso")
    quality_areas = [a for a in areas if a.kind == "quality_area"]
    perspectives = shipped.perspectives("tromso")
    return LocalPlanView(
        unit_kind="kindergarten",
        areas=areas,
        goals=tuple(
            LocalGoalView(a.key, f"Mål for {a.title} ({p.key})", p.key) for a in quality_areas for p in perspectives
        ),
        actions=tuple(LocalActionView(f"Aksjon for {a.title}", a.key) for a in quality_areas),
        sections=tuple(SectionView("tegn_pa_god_praksis", f"Tegn for {a.title}", a.key) for a in quality_areas),
    )


def test_tromso_accepts_a_complete_fremtidsbilde(shipped):
    plan = _complete_fremtidsbilde(shipped)
    assert len(plan.goals) == 16
    assert shipped.validate_local_plan("tromso", plan) == []


def test_tromso_names_each_missing_goal_action_and_sign(shipped):
    plan = _complete_fremtidsbilde(shipped)
    goals = tuple(
        g for g in plan.goals if not (g.area_key == "laget-rundt-barn-og-unge" and g.perspective == "foreldre")
    )
    actions = tuple(a for a in plan.actions if a.area_key != "den-livslange-laeringen")
    sections = tuple(s for s in plan.sections if s.area_key != "profesjonsfelleskap-i-utvikling")
    findings = shipped.validate_local_plan(
        "tromso", dataclasses.replace(plan, goals=goals, actions=actions, sections=sections)
    )
    assert [(f.code, nb(f.message), f.path) for f in findings] == [
        (
            "MISSING_QUALITY_GOAL",
            "Fremtidsbildet mangler kvalitetsmål for «Laget rundt barn og unge» fra foreldreperspektivet.",
            "areas/laget-rundt-barn-og-unge/perspectives/foreldre",
        ),
        (
            "MISSING_PLANNED_ACTION",
            "Fremtidsbildet mangler planlagt aksjon for «Den livslange læringen».",
            "areas/den-livslange-laeringen/actions",
        ),
        (  # a section the profile declares required per quality area: the core's finding
            "MISSING_SECTION",
            "Planen mangler «Tegn på god praksis» for «Profesjonsfelleskap i utvikling».",
            "areas/profesjonsfelleskap-i-utvikling/sections/tegn_pa_god_praksis",
        ),
    ]


def test_tromso_an_empty_fremtidsbilde_lacks_all_sixteen_goals(shipped):
    findings = shipped.validate_local_plan("tromso", LocalPlanView("school", _areas(shipped, "tromso")))
    codes = [f.code for f in findings]
    assert codes.count("MISSING_QUALITY_GOAL") == 16
    assert codes.count("MISSING_PLANNED_ACTION") == codes.count("MISSING_SECTION") == 4


def test_tromso_a_blank_goal_does_not_count(shipped):
    plan = _complete_fremtidsbilde(shipped)
    goals = tuple(dataclasses.replace(g, text="   ") if g.perspective == "barn" else g for g in plan.goals)
    findings = shipped.validate_local_plan("tromso", dataclasses.replace(plan, goals=goals))
    assert len(findings) == 4 and all("barneperspektivet" in nb(f.message) for f in findings)


# Vestvågøy: kartlegging, analyse, mål, handling with deadlines, all eight themes.


def _complete_development_plan(shipped) -> LocalPlanView:
    areas = _areas(shipped, "vestvagoy")
    themes = [a for a in areas if a.kind == "theme"]
    assert len(themes) == 8
    return LocalPlanView(
        unit_kind="school",
        areas=areas,
        sections=(SectionView("kartlegging", "Vi kartla."), SectionView("analyse", "Vi analyserte.")),
        goals=tuple(LocalGoalView(t.key, f"Mål for {t.title}") for t in themes[:4]),
        actions=tuple(
            LocalActionView(f"Handling for {t.title}", t.key, deadline=dt.date(2021, 6, 1)) for t in themes[4:]
        ),
    )


def test_vestvagoy_accepts_a_complete_local_development_plan(shipped):
    assert shipped.validate_local_plan("vestvagoy", _complete_development_plan(shipped)) == []


def test_vestvagoy_a_sub_theme_counts_for_its_theme(shipped):
    plan = _complete_development_plan(shipped)
    goals = tuple(
        dataclasses.replace(g, area_key="digital-kompetanse") if g.area_key == "fagfornyelsen-og-rammeplanen" else g
        for g in plan.goals
    )
    assert shipped.validate_local_plan("vestvagoy", dataclasses.replace(plan, goals=goals)) == []


def test_vestvagoy_lists_every_missing_part(shipped):
    plan = _complete_development_plan(shipped)
    incomplete = dataclasses.replace(
        plan,
        sections=(SectionView("kartlegging", "Vi kartla."),),
        goals=(),
        actions=(LocalActionView("Lesekurs", "lederutvikling"),),
    )
    findings = shipped.validate_local_plan("vestvagoy", incomplete)
    messages = [nb(f.message) for f in findings]
    assert messages[:2] == ["Den lokale utviklingsplanen mangler mål.", "Handlingen «Lesekurs» mangler frist."]
    assert messages[-1] == "Planen mangler «Analyse»."  # a required section: the core's finding, last
    missing_themes = [nb(f.message) for f in findings if f.code == "THEME_NOT_ADDRESSED"]
    assert len(missing_themes) == 7
    assert "Planen tar ikke for seg temaet «Lederutvikling»." not in missing_themes
    assert "Planen tar ikke for seg temaet «Profesjonelle læringsfellesskap»." in missing_themes


def test_vestvagoy_an_empty_plan_lacks_all_four_parts(shipped):
    findings = shipped.validate_local_plan("vestvagoy", LocalPlanView("kindergarten", _areas(shipped, "vestvagoy")))
    codes = [f.code for f in findings]
    assert codes[:2] == ["MISSING_GOALS", "MISSING_ACTIONS"]
    assert codes[-2:] == ["MISSING_SECTION", "MISSING_SECTION"]


# Drammen: only the foundations and ambitions of the unit's own kind.


def _drammen_kindergarten_plan(shipped) -> LocalPlanView:
    return LocalPlanView(
        unit_kind="kindergarten",
        areas=_areas(shipped, "drammen"),
        goals=(LocalGoalView("bhg-lekeglede", "Mer lek ute."),),
        actions=(LocalActionView("Lekesoner", "bhg-lekeglede"),),
        sections=(SectionView("utviklingsbehov", "Vi trenger mer kompetanse på lek."),),
    )


def test_drammen_accepts_work_on_the_units_own_ambitions(shipped):
    assert shipped.validate_local_plan("drammen", _drammen_kindergarten_plan(shipped)) == []


def test_drammen_asks_for_a_prioritised_ambition_with_actions_and_the_development_needs(shipped):
    # Seed 003, lines 14-16 and 217-218 (profiles/drammen/rules.py and data/profile.yaml).
    plan = _drammen_kindergarten_plan(shipped)
    no_action = dataclasses.replace(plan, actions=(LocalActionView("Foreldremøte", "bhg-en-god-start-pa-livet"),))
    assert [(f.code, f.path) for f in shipped.validate_local_plan("drammen", no_action)] == [
        ("MISSING_AMBITION_ACTION", "areas/bhg-lekeglede/actions")
    ]
    nothing = dataclasses.replace(plan, goals=(), actions=(), sections=(SectionView("utviklingsbehov", "  "),))
    assert [(f.code, nb(f.message)) for f in shipped.validate_local_plan("drammen", nothing)] == [
        (
            "NO_AMBITION_PRIORITISED",
            "Planen prioriterer ingen av ambisjonene for barnehager: sett mål for minst én av dem.",
        ),
        ("MISSING_SECTION", "Planen mangler «Utviklingsbehov»."),
    ]
    # An SFO has no ambitions of its own to prioritise.
    sfo = dataclasses.replace(nothing, unit_kind="sfo", sections=plan.sections)
    assert shipped.validate_local_plan("drammen", sfo) == []


def test_drammen_refuses_another_kinds_ambition_and_foundation(shipped):
    areas = _areas(shipped, "drammen")
    plan = LocalPlanView(
        unit_kind="school",
        areas=areas,
        goals=(LocalGoalView("bhg-lekeglede", "Mer lek."), LocalGoalView("skole-trygge-og-kompetente-ansatte", "Ok.")),
        sections=(SectionView("notat", "Tekst", "grunnmur-bhg-leken-er-var-viktigste-aktivitet"),),
    )
    findings = [f for f in shipped.validate_local_plan("drammen", plan) if f.code == "AREA_NOT_FOR_UNIT_KIND"]
    assert [(nb(f.message), f.path) for f in findings] == [
        ("«Lekeglede» gjelder ikke for skoler.", "goals/0/area"),
        ("«Leken er vår viktigste aktivitet» gjelder ikke for skoler.", "sections/0/area"),
    ]


def test_drammen_refuses_assessing_another_kinds_criteria(shipped):
    areas = _areas(shipped, "drammen")
    good = ReportView("kindergarten", "year", 2025, areas, (AssessmentView("3", criterion_area_key="bhg-lekeglede"),))
    assert shipped.validate_report("drammen", good) == []
    bad = dataclasses.replace(good, unit_kind="school")
    [finding] = shipped.validate_report("drammen", bad)
    assert finding.code == "AREA_NOT_FOR_UNIT_KIND" and finding.path == "assessments/0"


def test_a_profiles_rules_do_not_apply_to_another_profile(shipped):
    empty = LocalPlanView("school", _areas(shipped, "tromso"))
    # Only the core's finding on Drammen's own required section: none of Tromsø's, nor Drammen's rules.
    assert [f.code for f in shipped.validate_local_plan("drammen", empty)] == ["MISSING_SECTION"]
