"""Drammen's rule: a unit works and reports only on the foundations and ambitions for its own
kind (the kindergarten ambitions for kindergartens, the school ambitions for schools)."""

from __future__ import annotations

from kvalitet.plugins.rules import Finding, LocalPlanView, ReportView

UNIT_WORDS = {"kindergarten": ("barnehage", "barnehager"), "school": ("skole", "skoler"), "sfo": ("SFO", "SFO")}


def _not_for_kind(area, unit_kind: str, path: str) -> Finding:
    for_kinds = " og ".join(UNIT_WORDS[k][1] for k in area.applies_to)
    return Finding(
        "AREA_NOT_FOR_UNIT_KIND",
        f"«{area.title}» gjelder for {for_kinds}, ikke for en {UNIT_WORDS[unit_kind][0]}.",
        path,
    )


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
