"""Vestvågøy's rule for a unit's «lokal utviklingsplan» (seed 001, «Lokal utviklingsplan»).

The plan must hold the four parts kartlegging, analyse, mål and handling («hva som skal skje og
med frister»: every action has a deadline), and carry the intentions of all eight themes
around «kontinuerlig forbedring av praksis». Kartlegging and analyse are sections the profile
declares required (`data/profile.yaml`), which the core checks; the rest is here.
"""

from __future__ import annotations

from kvalitet.messages import text
from kvalitet.plugins.rules import Finding, LocalPlanView, has_text

THEME = "theme"


def _theme_of(local_plan: LocalPlanView, area_key: str | None) -> str | None:
    """The theme an area belongs to (itself, or the nearest theme above it)."""
    area = local_plan.area(area_key)
    while area is not None and area.kind != THEME:
        area = local_plan.area(area.parent_key)
    return area.key if area is not None else None


def validate_local_development_plan(local_plan: LocalPlanView) -> list[Finding]:
    findings: list[Finding] = []
    if not any(has_text(g.text) for g in local_plan.goals):
        findings.append(Finding("MISSING_GOALS", text("vestvagoy.missing_goals"), "goals"))
    if not any(has_text(a.text) for a in local_plan.actions):
        findings.append(Finding("MISSING_ACTIONS", text("vestvagoy.missing_actions"), "actions"))
    for index, action in enumerate(local_plan.actions):
        if action.deadline is None:
            findings.append(
                Finding(
                    "MISSING_DEADLINE",
                    text("vestvagoy.missing_deadline", action=action.text),
                    f"actions/{index}/deadline",
                )
            )
    addressed = {
        _theme_of(local_plan, item.area_key)
        for item in (*local_plan.goals, *local_plan.actions, *local_plan.sections)
        if has_text(item.text)
    }
    for theme in local_plan.areas_of_kind(THEME):
        if theme.key not in addressed:
            findings.append(
                Finding(
                    "THEME_NOT_ADDRESSED",
                    text("vestvagoy.theme_not_addressed", theme=theme.title),
                    f"areas/{theme.key}",
                )
            )
    return findings
