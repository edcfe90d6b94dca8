"""The core's rule over a profile's declared local-plan sections (`LocalPlanSectionSpec`): a
required section must be written, for the whole plan or for each area it is written for.

The finding is the core's, in the profile's written standard: one code (`MISSING_SECTION`) and
the section's own label, so no profile writes this rule again.
"""

from __future__ import annotations

from collections.abc import Sequence

from kvalitet.plugins.content import LocalPlanSectionSpec
from kvalitet.plugins.rules import Finding, LocalPlanView, has_text

MISSING_SECTION = "MISSING_SECTION"

# The finding's text by locale: for the whole plan, and for one area.
_MISSING = {
    "nb": ("Planen mangler «{label}».", "Planen mangler «{label}» for «{area}»."),
    "nn": ("Planen manglar «{label}».", "Planen manglar «{label}» for «{area}»."),
    "en": ("The plan lacks «{label}».", "The plan lacks «{label}» for «{area}»."),
}


def missing_sections(local_plan: LocalPlanView, specs: Sequence[LocalPlanSectionSpec], locale: str) -> list[Finding]:
    """A finding for each required section not written (with text), in declaration order."""
    whole, per_area = _MISSING.get(locale, _MISSING["nb"])
    findings: list[Finding] = []
    for spec in specs:
        if not spec.required:
            continue
        label = getattr(spec.label, locale, spec.label.nb)
        written = {s.area_key for s in local_plan.sections if s.key == spec.key and has_text(s.text)}
        if not spec.per_area:
            if None not in written:
                findings.append(Finding(MISSING_SECTION, whole.format(label=label), f"sections/{spec.key}"))
            continue
        for area in local_plan.areas:
            if spec.area_kinds and area.kind not in spec.area_kinds:
                continue
            if local_plan.unit_kind in area.applies_to and area.key not in written:
                findings.append(
                    Finding(
                        MISSING_SECTION,
                        per_area.format(label=label, area=area.title),
                        f"areas/{area.key}/sections/{spec.key}",
                    )
                )
    return findings


__all__ = ["MISSING_SECTION", "missing_sections"]
