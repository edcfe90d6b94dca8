"""What a profile's rules look at, and what they say back.

Rules are hooks (`kvalitet_validate_local_plan`, `kvalitet_validate_report`) that receive a
plain, read-only picture of a local plan or report — no database, no ORM — and return
`Finding`s. The service builds the picture; a rule only reads it, so rules are easy to write
and to test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kvalitet.messages import Text

if TYPE_CHECKING:
    from kvalitet.plugins.content import AreaContent, PlanContent


@dataclass(frozen=True)
class Finding:
    """Something a person must fix: a stable `code` for programs, a `message` for people
    (in the profile's language, naming what is missing), and a `path` to where it is."""

    code: str
    message: str | Text  # a profile's text, or a catalogued one (kvalitet.messages)
    path: str = ""


@dataclass(frozen=True)
class AreaRef:
    """An area of the municipal plan, as a rule sees it."""

    key: str | None
    kind: str
    title: str
    applies_to: tuple[str, ...]
    parent_key: str | None = None


@dataclass(frozen=True)
class LocalGoalView:
    area_key: str | None
    text: str
    perspective: str | None = None


@dataclass(frozen=True)
class LocalActionView:
    text: str
    area_key: str | None = None
    owner: str | None = None
    deadline: dt.date | None = None
    status: str = "planned"


@dataclass(frozen=True)
class SectionView:
    """A free-text part of a local plan (e.g. «kartlegging»), optionally for one area."""

    key: str
    text: str
    area_key: str | None = None


@dataclass(frozen=True)
class LocalPlanView:
    """A unit's local plan on the municipal plan, as the rules see it."""

    unit_kind: str
    areas: tuple[AreaRef, ...]
    goals: tuple[LocalGoalView, ...] = ()
    actions: tuple[LocalActionView, ...] = ()
    sections: tuple[SectionView, ...] = ()

    def areas_of_kind(self, kind: str) -> list[AreaRef]:
        return [a for a in self.areas if a.kind == kind]

    def area(self, key: str | None) -> AreaRef | None:
        return next((a for a in self.areas if a.key == key), None)


@dataclass(frozen=True)
class AssessmentView:
    level: str
    criterion_area_key: str | None = None  # the area of what is assessed (criterion, measure or goal)
    criterion_text: str | None = None
    local_goal_text: str | None = None
    comment: str | None = None
    measure_text: str | None = None


@dataclass(frozen=True)
class ReportView:
    """A unit's report for one period, as the rules see it."""

    unit_kind: str
    period_key: str
    year: int
    areas: tuple[AreaRef, ...]
    assessments: tuple[AssessmentView, ...] = field(default_factory=tuple)


def has_text(value: str | None) -> bool:
    return bool(value and value.strip())


def area_refs(plan: PlanContent) -> tuple[AreaRef, ...]:
    """The areas of a `kvalitet.plugins.content.PlanContent`, in plan order, with inherited applies-to."""
    refs: list[AreaRef] = []

    def walk(area: AreaContent, parent_key: str | None, inherited: tuple[str, ...]) -> None:
        applies_to = tuple(area.applies_to) if area.applies_to is not None else inherited
        refs.append(AreaRef(area.key, area.kind, area.title, applies_to, parent_key))
        for child in area.children:
            walk(child, area.key, applies_to)

    for top in plan.areas:
        walk(top, None, tuple(plan.applies_to))
    return tuple(refs)
