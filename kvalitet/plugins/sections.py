"""The core's rule over a profile's declared local-plan sections (`LocalPlanSectionSpec`): a
required section must be written, for the whole plan or for each area it is written for.

The finding is the core's: one code (`MISSING_SECTION`), a catalogued text (kvalitet.messages)
in the caller's language, and the section's own label, so no profile writes this rule again.
"""

from __future__ import annotations

from collections.abc import Sequence

from kvalitet.messages import text
from kvalitet.plugins.content import LocalPlanSectionSpec
from kvalitet.plugins.rules import Finding, LocalPlanView, has_text

MISSING_SECTION = "MISSING_SECTION"


def missing_sections(local_plan: LocalPlanView, specs: Sequence[LocalPlanSectionSpec]) -> list[Finding]:
    """A finding for each required section not written (with text), in declaration order."""
    findings: list[Finding] = []
    for spec in specs:
        if not spec.required:
            continue
        written = {s.area_key for s in local_plan.sections if s.key == spec.key and has_text(s.text)}
        if not spec.per_area:
            if None not in written:
                findings.append(
                    Finding(
                        MISSING_SECTION, text("finding.missing_section", section=spec.label), f"sections/{spec.key}"
                    )
                )
            continue
        for area in local_plan.areas:
            if spec.area_kinds and area.kind not in spec.area_kinds:
                continue
            if local_plan.unit_kind in area.applies_to and area.key not in written:
                findings.append(
                    Finding(
                        MISSING_SECTION,
                        text("finding.missing_section_for_area", section=spec.label, area=area.title),
                        f"areas/{area.key}/sections/{spec.key}",
                    )
                )
    return findings


__all__ = ["MISSING_SECTION", "missing_sections"]
