"""The hooks a profile implements. Each hook is documented in docs/plugins.md, with its
signature exactly as annotated here (a test checks both).

A profile is a pluggy plug-in registered under the entry-point group `kvalitet.profiles`.
Hooks that describe one profile take its `profile` code and are `firstresult`: the plug-in
that owns the code answers, every other returns None. That lets a separate plug-in override
one piece of a profile (say, its scale) by registering later, without forking it.

The annotations are the contract: the types the core passes and the types it expects back
(`kvalitet.plugins.content` for a profile's content, `kvalitet.plugins.rules` for the rules' views and
findings). Pluggy matches an implementation to its spec by name and parameter names only; an
implementation may leave out parameters it does not use, and may leave out annotations.
Every method of a plug-in whose name starts with `kvalitet_` must be a hook implementation
marked with `hookimpl`: the plug-in manager refuses an unknown or unmarked one at start-up
(`kvalitet.plugins.HookError`), so a misspelt hook is never silently left uncalled.
"""

from __future__ import annotations

import pluggy

from kvalitet.messages import Catalogues
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
)
from kvalitet.plugins.rules import Finding, LocalPlanView, ReportView

PROJECT = "kvalitet"

hookspec = pluggy.HookspecMarker(PROJECT)
# What a profile marks its hook implementations with (`kvalitet.plugins.hookimpl`).
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def kvalitet_profile() -> ProfileContent | None:
    """Who the profile is.

    Return a `kvalitet.plugins.content.ProfileContent` (code, name, municipality numbers and
    former numbers, default locale …). Called on every plug-in; each profile plug-in returns
    its own, any other plug-in returns None.
    """


@hookspec(firstresult=True)
def kvalitet_vocabulary(profile: str) -> Vocabulary | None:
    """The profile's words: a `kvalitet.plugins.content.Vocabulary` for `profile`, or None.

    It names every core concept (plan, area, goal, criterion, measure, local plan, report …)
    and every area and goal kind the profile uses, in nb, nn and en.
    """


@hookspec(firstresult=True)
def kvalitet_plan_content(profile: str) -> PlanContent | None:
    """The municipality's plan as data: a `kvalitet.plugins.content.PlanContent`, or None.

    Areas, goals, criteria and measures in plan order. `createPlan` and the demo data
    build a plan's rows from it.
    """


@hookspec(firstresult=True)
def kvalitet_perspectives(profile: str) -> list[Perspective] | None:
    """The perspectives a criterion or local goal may carry: a list of
    `kvalitet.plugins.content.Perspective` (empty when the profile has none), or None."""


@hookspec(firstresult=True)
def kvalitet_assessment_scale(profile: str) -> list[ScaleLevel] | None:
    """The levels an assessment may take, lowest first: a list of
    `kvalitet.plugins.content.ScaleLevel`, or None."""


@hookspec(firstresult=True)
def kvalitet_reporting(profile: str) -> Reporting | None:
    """The reporting calendar: a `kvalitet.plugins.content.Reporting` (frequency and the periods of a
    year with their due dates), or None."""


@hookspec(firstresult=True)
def kvalitet_local_plan_sections(profile: str) -> list[LocalPlanSectionSpec] | None:
    """The sections of a unit's local plan: a list of `kvalitet.plugins.content.LocalPlanSectionSpec`
    (key, label, per area or not, required or not), or None when the profile declares none (then
    any key is taken). Other keys are refused, and a required section missing is a finding."""


@hookspec(firstresult=True)
def kvalitet_indicator_links(profile: str) -> list[IndicatorLink] | None:
    """The indicators that show how the plan's areas are going: a list of
    `kvalitet.plugins.content.IndicatorLink` (an area's key and indicator codes of the catalogue,
    `kvalitet indicators list`), or None. `Area.indicators` answers with them."""


@hookspec(firstresult=True)
def kvalitet_council_report(profile: str) -> CouncilReportStructure | None:
    """The yearly report to the council: a `kvalitet.plugins.content.CouncilReportStructure` (its
    title, and its sections in order, each with the indicators it shows and the plan areas whose
    self-assessment it rolls up), or None for the default (kvalitet/data/council_report.yaml)."""


@hookspec(firstresult=True)
def kvalitet_follow_up(profile: str) -> FollowUp | None:
    """Follow-up meetings and competence development: a `kvalitet.plugins.content.FollowUp` (the
    kinds of follow-up meeting with a unit, what a unit's competence plan is called, the funding
    schemes with their criteria, the partner institutions, the regional forum), or None for the
    default (kvalitet/data/follow_up.yaml). Declare only what the municipality's document says."""


@hookspec(firstresult=True)
def kvalitet_demo_units(profile: str) -> list[DemoUnit] | None:
    """Invented units for `kvalitet serve --demo`: a list of `kvalitet.plugins.content.DemoUnit`
    (names start with «Demo»), or None."""


@hookspec
def kvalitet_graphql_query_types() -> list[type] | None:
    """Extra GraphQL query fields: a list of strawberry types whose fields are merged into
    `Query`. Field names should start with the profile code, so profiles cannot collide."""


@hookspec
def kvalitet_messages() -> Catalogues | None:
    """The plug-in's own texts (its findings' messages): a `kvalitet.messages.Catalogues` with
    a namespace (the profile's code) and, for each of nb, nn and en, the texts by key; or None.

    Every key starts with the namespace and a dot, and every language has every key with the
    same parameters: the plug-in manager refuses anything less at start-up. A rule then says
    `kvalitet.messages.text("tromso.missing_planned_action", area=…)`, and the API writes it in
    the caller's language. A `DataProfile` reads its `data/nb.po`, `nn.po` and `en.po`.
    """


@hookspec
def kvalitet_validate_local_plan(profile: str, local_plan: LocalPlanView) -> list[Finding] | None:
    """The profile's rules for a unit's local plan: a list of `kvalitet.plugins.rules.Finding`
    (empty when the plan is complete), or None when `profile` is not yours.

    `local_plan` is a `kvalitet.plugins.rules.LocalPlanView`. Every plug-in is asked and the findings
    are joined, so a municipality can add rules to a profile it did not write.
    """


@hookspec
def kvalitet_validate_report(profile: str, report: ReportView) -> list[Finding] | None:
    """The profile's rules for a unit's report: a list of `kvalitet.plugins.rules.Finding`, or None
    when `profile` is not yours. `report` is a `kvalitet.plugins.rules.ReportView`. Findings of every
    plug-in are joined."""
