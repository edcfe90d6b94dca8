"""Tromsø's rule for a unit's «fremtidsbilde» (seed: «Eksempel på fremtidsbilde»).

The fremtidsbilde holds, for each of the four quality areas, a quality goal from each of the
four perspectives, a planned action («Planlagt aksjon») and signs of good practice («Tegn på
god praksis»). It is complete only when all of them are there. The signs are a section the
profile declares required for each quality area (`data/profile.yaml`), which the core checks.
"""

from __future__ import annotations

from kvalitet.messages import text
from kvalitet.plugins.content import Label
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
                        text(
                            "tromso.missing_quality_goal",
                            area=area.title,
                            perspective=_in_a_sentence(perspective.label),
                        ),
                        f"{path}/perspectives/{perspective.key}",
                    )
                )
        if not any(a.area_key == area.key and has_text(a.text) for a in local_plan.actions):
            findings.append(
                Finding(
                    "MISSING_PLANNED_ACTION",
                    text("tromso.missing_planned_action", area=area.title),
                    f"{path}/actions",
                )
            )
    return findings


def _in_a_sentence(label: Label) -> Label:
    """A perspective's name inside a sentence: «Barneperspektivet» → «barneperspektivet»."""
    return Label(**{locale: word[:1].lower() + word[1:] for locale, word in label.model_dump().items()})
