"""A conformance kit for profiles: checks a plug-in's hooks and data the way the core uses them.

Any profile package can run it in its own tests:

    from kvalitet.plugins.conformance import assert_profile_conforms
    from my_profile import plugin

    def test_profile_conforms():
        assert_profile_conforms(plugin)

Each check reports a sentence naming the hook and what is wrong, so a profile author can fix
all problems from one run.
"""

from __future__ import annotations

import datetime as dt

from kvalitet.messages import LOCALES, Text
from kvalitet.plugins import HookError, Profiles, check_hooks, new_plugin_manager
from kvalitet.plugins.content import (
    CouncilReportStructure,
    DemoUnit,
    FollowUp,
    IndicatorLink,
    Perspective,
    PlanContent,
    ProfileContent,
    Reporting,
    ScaleLevel,
    Vocabulary,
    load_national_goals,
)
from kvalitet.plugins.rules import Finding, LocalPlanView, ReportView, area_refs

OTHER_CODE = "__no_such_profile__"


def _check_types(problems: list[str], hook: str, value: object, kind: type, *, many: bool = False) -> bool:
    if not many:
        items: list[object] = [value]
    elif isinstance(value, list):
        items = value
    else:
        problems.append(f"{hook} returned {type(value).__name__}, not a list")
        return False
    bad = [type(item).__name__ for item in items if not isinstance(item, kind)]
    if bad:
        problems.append(f"{hook} returned {', '.join(bad)} where {kind.__name__} was expected")
        return False
    return True


def _month_day(text: str) -> dt.date | None:
    try:
        return dt.date(2024, int(text[:2]), int(text[3:]))  # a leap year, so 02-29 is allowed
    except ValueError:
        return None


def _check_indicator_links(problems: list[str], links: list[IndicatorLink], plan: PlanContent | None) -> None:
    from kvalitet.indicators.catalogue import national

    if not _check_types(problems, "kvalitet_indicator_links", links, IndicatorLink, many=True):
        return
    areas = {area.key for area in plan.all_areas()} if plan is not None else set()
    for link in links:
        if link.area not in areas:
            problems.append(f"kvalitet_indicator_links: {link.area!r} is not an area of the profile's plan")
        for code in link.indicators:
            if code not in national():
                problems.append(f"kvalitet_indicator_links: {code!r} is not an indicator of the catalogue")


def _check_council_report(problems: list[str], profiles: Profiles, code: str, plan: PlanContent | None) -> None:
    from kvalitet.indicators.catalogue import national

    structure = profiles.pm.hook.kvalitet_council_report(profile=code)
    if structure is None:
        return
    if not _check_types(problems, "kvalitet_council_report", structure, CouncilReportStructure):
        return
    areas = {area.key for area in plan.all_areas()} if plan is not None else set()
    for section in structure.sections:
        for key in section.areas:
            if key not in areas:
                problems.append(f"kvalitet_council_report: {key!r} is not an area of the profile's plan")
        for indicator in section.indicators:
            if indicator not in national():
                problems.append(f"kvalitet_council_report: {indicator!r} is not an indicator of the catalogue")


def _check_follow_up(problems: list[str], profiles: Profiles, code: str) -> None:
    declared = profiles.pm.hook.kvalitet_follow_up(profile=code)
    if declared is not None:
        _check_types(problems, "kvalitet_follow_up", declared, FollowUp)


def _check_reporting(problems: list[str], reporting: Reporting) -> None:
    keys = [p.key for p in reporting.periods]
    if len(set(keys)) != len(keys):
        problems.append(f"kvalitet_reporting: period keys repeat: {keys}")
    for period in reporting.periods:
        starts, ends, due = _month_day(period.starts), _month_day(period.ends), _month_day(period.due)
        if starts is None or ends is None or due is None:
            problems.append(f"kvalitet_reporting: period {period.key!r} has a date that is not a day of the year")
            continue
        if ends < starts:
            problems.append(f"kvalitet_reporting: period {period.key!r} ends before it starts")
        if not period.due_next_year and due < ends:
            problems.append(
                f"kvalitet_reporting: period {period.key!r} is due before it ends (set due_next_year if it is due next year)"
            )


def _check_rules(problems: list[str], profiles: Profiles, code: str, plan: PlanContent | None) -> None:
    areas = area_refs(plan) if plan is not None else ()
    for hook, view in (
        ("kvalitet_validate_local_plan", LocalPlanView(unit_kind="school", areas=areas)),
        ("kvalitet_validate_report", ReportView(unit_kind="school", period_key="p", year=2025, areas=areas)),
    ):
        caller = getattr(profiles.pm.hook, hook)
        argument = "local_plan" if "local_plan" in hook else "report"
        for result in caller(profile=code, **{argument: view}):
            if result is None:
                continue
            if not _check_types(problems, hook, result, Finding, many=True):
                continue
            for finding in result:
                said = finding.message.key if isinstance(finding.message, Text) else finding.message.strip()
                if not (finding.code and finding.code.isupper() and said):
                    problems.append(f"{hook}: finding {finding!r} needs an UPPER_CASE code and a message")
                problems += _untranslated(hook, finding)
        if any(r for r in caller(profile=OTHER_CODE, **{argument: view})):
            problems.append(f"{hook} answered for a profile that is not its own")


def _untranslated(hook: str, finding: Finding) -> list[str]:
    """A finding people cannot read in each language: a plain string, or a key no catalogue has."""
    if not isinstance(finding.message, Text):
        return [f"{hook}: finding {finding.code} is plain text; catalogue it (kvalitet_messages) in nb, nn and en"]
    try:
        for locale in LOCALES:
            finding.message.render(locale)
    except (KeyError, IndexError) as missing:
        return [f"{hook}: finding {finding.code} names {missing} that no catalogue has"]
    return []


def check_profile(plugin: object) -> list[str]:
    """Every problem found with `plugin`, as readable sentences; empty when it conforms."""
    problems: list[str] = []
    pm = new_plugin_manager(entry_points=False)
    pm.register(plugin, name="profile-under-test")
    try:
        check_hooks(pm)
    except HookError as error:  # a misspelt hook: the rest cannot be asked
        return [str(error)]
    infos = [i for i in pm.hook.kvalitet_profile() if i is not None]
    if len(infos) != 1 or not _check_types(problems, "kvalitet_profile", infos[0], ProfileContent):
        return problems or [f"kvalitet_profile must return exactly one ProfileContent, got {len(infos)}"]
    profiles = Profiles(pm)
    code = infos[0].code

    vocabulary = profiles.vocabulary(code)
    plan = profiles.plan_content(code)
    perspectives = profiles.perspectives(code)
    scale = profiles.assessment_scale(code)
    reporting = profiles.reporting(code)
    demo_units = profiles.demo_units(code)

    if vocabulary is None or not _check_types(problems, "kvalitet_vocabulary", vocabulary, Vocabulary):
        problems.append("kvalitet_vocabulary gave no vocabulary")
        vocabulary = None
    if plan is not None and not _check_types(problems, "kvalitet_plan_content", plan, PlanContent):
        plan = None
    _check_types(problems, "kvalitet_perspectives", perspectives, Perspective, many=True)
    if _check_types(problems, "kvalitet_assessment_scale", scale, ScaleLevel, many=True):
        levels = [s.level for s in scale]
        if len(levels) < 2 or len(set(levels)) != len(levels):
            problems.append(f"kvalitet_assessment_scale needs two or more distinct levels, got {levels}")
    if reporting is None:
        problems.append("kvalitet_reporting gave no reporting calendar")
    elif _check_types(problems, "kvalitet_reporting", reporting, Reporting):
        _check_reporting(problems, reporting)
    if _check_types(problems, "kvalitet_demo_units", demo_units, DemoUnit, many=True):
        for unit in demo_units:
            if not unit.name.startswith("Demo"):
                problems.append(f"kvalitet_demo_units: {unit.name!r} does not start with «Demo»")

    if plan is not None:
        perspective_keys = {p.key for p in perspectives}
        national = {g.key for g in load_national_goals()}
        for area in plan.all_areas():
            if vocabulary is not None and area.kind not in vocabulary.area_kinds:
                problems.append(f"area {area.key!r}: kind {area.kind!r} has no word in the vocabulary")
            for goal in area.goals:
                if vocabulary is not None and goal.kind not in vocabulary.goal_kinds:
                    problems.append(f"area {area.key!r}: goal kind {goal.kind!r} has no word in the vocabulary")
                for key in goal.national_goals:
                    if key not in national:
                        problems.append(f"area {area.key!r}: a goal links to the unknown national goal {key!r}")
            for criterion in [*area.criteria, *(c for g in area.goals for c in g.criteria)]:
                if criterion.perspective and criterion.perspective not in perspective_keys:
                    problems.append(f"area {area.key!r}: perspective {criterion.perspective!r} is not the profile's")
        if not plan.areas:
            problems.append("kvalitet_plan_content: the plan has no areas")
    _check_indicator_links(problems, profiles.indicator_links(code), plan)
    _check_council_report(problems, profiles, code, plan)
    _check_follow_up(problems, profiles, code)

    for hook in (
        "kvalitet_vocabulary",
        "kvalitet_plan_content",
        "kvalitet_perspectives",
        "kvalitet_assessment_scale",
        "kvalitet_reporting",
        "kvalitet_demo_units",
        "kvalitet_indicator_links",
        "kvalitet_council_report",
        "kvalitet_follow_up",
    ):
        if getattr(pm.hook, hook)(profile=OTHER_CODE) is not None:
            problems.append(f"{hook} answered for a profile that is not its own (return None for other codes)")

    _check_rules(problems, profiles, code, plan)

    prefix = code.replace("-", "_")
    for query_type in profiles.graphql_query_types():
        definition = getattr(query_type, "__strawberry_definition__", None)
        if definition is None:
            problems.append(f"kvalitet_graphql_query_types: {query_type!r} is not a strawberry type")
            continue
        for field in definition.fields:
            if not field.python_name.startswith(prefix):
                problems.append(
                    f"kvalitet_graphql_query_types: field {field.python_name!r} does not start with {prefix!r}"
                )
    if not problems:
        from kvalitet.schema import build_schema

        try:
            build_schema(profiles)
        except Exception as error:  # any failure here is the profile's to fix
            problems.append(f"the GraphQL schema cannot be built with this profile: {error}")
    return problems


def assert_profile_conforms(plugin: object) -> None:
    """Fail (AssertionError) with every problem `check_profile` finds."""
    problems = check_profile(plugin)
    assert not problems, "the profile does not conform:\n- " + "\n- ".join(problems)
