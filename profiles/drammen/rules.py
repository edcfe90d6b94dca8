"""Drammen's rules: a unit works and reports only on the foundations and ambitions for its own
kind (the kindergarten ambitions for kindergartens, the school ambitions for schools), and its
local plan says which of those ambitions it prioritises and how it works on each.

Seed 003, lines 14-16: «Tiltakene i kvalitetsplanen konkretiseres med hva som skal prioriteres.
[…] ansatte skal bruke sitt pedagogiske skjønn til å bestemme hvordan tiltakene skal inngå i
arbeidet med barn og unge.» A prioritised ambition is one the local plan sets a goal for; how
the unit works on it is an action in it. The unit's development needs (lines 217-218) are a
section the profile declares required (`data/profile.yaml`).
"""

from __future__ import annotations

from kvalitet.messages import kinds, text
from kvalitet.plugins.rules import Finding, LocalPlanView, ReportView, has_text

AMBITION = "ambition"


def _not_for_kind(area, unit_kind: str, path: str) -> Finding:
    return Finding("AREA_NOT_FOR_UNIT_KIND", text("area.not_for_kind", area=area.title, kinds=kinds(unit_kind)), path)


def validate_local_plan_kind(local_plan: LocalPlanView) -> list[Finding]:
    findings = []
    items = (
        [("goals", i, g.area_key) for i, g in enumerate(local_plan.goals)]
        + [("actions", i, a.area_key) for i, a in enumerate(local_plan.actions)]
        + [("sections", i, s.area_key) for i, s in enumerate(local_plan.sections)]
    )
    for collection, index, area_key in items:
        area = local_plan.area(area_key)
        if area is not None and local_plan.unit_kind not in area.applies_to:
            findings.append(_not_for_kind(area, local_plan.unit_kind, f"{collection}/{index}/area"))
    return findings


def validate_report_kind(report: ReportView) -> list[Finding]:
    findings = []
    by_key = {area.key: area for area in report.areas}
    for index, assessment in enumerate(report.assessments):
        area = by_key.get(assessment.criterion_area_key)
        if area is not None and report.unit_kind not in area.applies_to:
            findings.append(_not_for_kind(area, report.unit_kind, f"assessments/{index}"))
    return findings


def validate_local_plan_priorities(local_plan: LocalPlanView) -> list[Finding]:
    ambitions = [a for a in local_plan.areas_of_kind(AMBITION) if local_plan.unit_kind in a.applies_to]
    prioritised = [a for a in ambitions if any(g.area_key == a.key and has_text(g.text) for g in local_plan.goals)]
    if ambitions and not prioritised:
        return [
            Finding(
                "NO_AMBITION_PRIORITISED",
                text("drammen.no_ambition_prioritised", kinds=kinds(local_plan.unit_kind)),
                "goals",
            )
        ]
    return [
        Finding(
            "MISSING_AMBITION_ACTION",
            text("drammen.missing_ambition_action", area=a.title),
            f"areas/{a.key}/actions",
        )
        for a in prioritised
        if not any(x.area_key == a.key and has_text(x.text) for x in local_plan.actions)
    ]
