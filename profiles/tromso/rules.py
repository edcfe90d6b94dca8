"""Tromsø's rule for a unit's «fremtidsbilde» (seed: «Eksempel på fremtidsbilde»).

The fremtidsbilde holds, for each of the four quality areas, a quality goal from each of the
four perspectives, a planned action («Planlagt aksjon») and signs of good practice («Tegn på
god praksis»). It is complete only when all of them are there. The signs are a section the
profile declares required for each quality area (`data/profile.yaml`), which the core checks.
"""

from __future__ import annotations

from kvalitet.plugins.rules import Finding, LocalPlanView, has_text

QUALITY_AREA = "quality_area"


def validate_fremtidsbilde(local_plan: LocalPlanView, perspectives) -> list[Finding]:
    findings: list[Finding] = []
    for area in local_plan.areas_of_kind(QUALITY_AREA):
        path = f"areas/{area.key}"
        for perspective in perspectives:
            if not any(
                g.area_key == area.key and g.perspective == perspective.key and has_text(g.text)
                for g in local_plan.goals
            ):
                findings.append(
                    Finding(
                        "MISSING_QUALITY_GOAL",
                        f"Fremtidsbildet mangler kvalitetsmål for «{area.title}» fra "
                        f"{perspective.label.nb[0].lower()}{perspective.label.nb[1:]}.",
                        f"{path}/perspectives/{perspective.key}",
                    )
                )
        if not any(a.area_key == area.key and has_text(a.text) for a in local_plan.actions):
            findings.append(
                Finding(
                    "MISSING_PLANNED_ACTION",
                    f"Fremtidsbildet mangler planlagt aksjon for «{area.title}».",
                    f"{path}/actions",
                )
            )
    return findings
