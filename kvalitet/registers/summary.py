"""The import's summary for a person: counts, the units changed, and the entries skipped by reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass
from kvalitet.registers.parse import Rejected
from kvalitet.registers.plan import ARCHIVE, CREATE, UNCHANGED, UPDATE, WRITES, Action, ImportPlan

# Skipped entries listed per reason unless --verbose: a whole national file has thousands in
# municipalities that are not here.
_LISTED = 10


def summary(plan: ImportPlan, *, dry_run: bool, verbose: bool = False) -> str:
    lines = ["Dry run: nothing was written." if dry_run else "Imported."]
    lines += _counts(plan, dry_run)
    lines += _listed("Would create" if dry_run else "Created", plan.of(CREATE), _describe_new)
    lines += _listed("Would update" if dry_run else "Updated", plan.of(UPDATE), _describe_changes)
    lines += _listed("Would archive" if dry_run else "Archived", plan.of(ARCHIVE), _describe)
    lines += _skipped(plan.rejected, verbose)
    return "\n".join(lines)


def _counts(plan: ImportPlan, dry_run: bool) -> list[str]:
    labels = {CREATE: "created", UPDATE: "updated", ARCHIVE: "archived"}
    if dry_run:
        labels = {verb: f"to {verb}" for verb in labels}
    counts = [(labels[verb], len(plan.of(verb))) for verb in WRITES]
    counts += [("unchanged", len(plan.of(UNCHANGED))), ("skipped", len(plan.rejected))]
    return [f"  {label + ':':<11} {count}" for label, count in counts]


def _listed(title: str, actions: list[Action], describe) -> list[str]:
    return [f"{title}:", *(f"  {describe(action)}" for action in actions)] if actions else []


def _describe(action: Action) -> str:
    return f"{action.unit.org_number}  {action.unit.name}"


def _describe_new(action: Action) -> str:
    unit = action.unit
    return f"{_describe(action)} ({unit.kind}, {unit.ownership}, municipality {unit.municipality_number})"


def _describe_changes(action: Action) -> str:
    changes = "; ".join(f"{name} «{old}» → «{new}»" for name, (old, new) in action.changes.items())
    return f"{_describe(action)}: {changes}"


def _skipped(rejected: list[Rejected], verbose: bool) -> list[str]:
    lines: list[str] = []
    for reason in dict.fromkeys(entry.reason for entry in rejected):
        group = [entry for entry in rejected if entry.reason == reason]
        shown = group if verbose else group[:_LISTED]
        lines.append(f"Skipped, {reason} ({len(group)}):")
        lines += [f"  {entry.org_number or '-'}  {entry.name or '-'}: {entry.detail}" for entry in shown]
        if len(shown) < len(group):
            lines.append(f"  … and {len(group) - len(shown)} more (--verbose lists them all)")
    return lines
