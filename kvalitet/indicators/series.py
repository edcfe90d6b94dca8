"""Figures as time series for the API: a unit's or a municipality's own figure for each school
year, beside its municipality's, county's and the nation's, read in one statement.

Comparison across the 2024 reform: a municipality that only changed number (Tromsø 5401 →
5501) is one series, its former numbers named by its profile (`municipality_aliases`). A
county that was split (Troms og Finnmark → Troms) is not: a year where only the former county
has a figure shows as `series_break` with the former county's code, not as the new county's.

Nothing is computed from a hidden figure: a difference is given only between two reported
figures (kvalitet.indicators.suppression says why that is enough).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import and_, any_, literal, or_, select

from kvalitet.indicators.catalogue import former_counties
from kvalitet.indicators.rows import NATION_CODE
from kvalitet.models import Indicator, IndicatorValue
from kvalitet.models.enums import FigureReason, FigureStatus, Gender, IndicatorLevel

if TYPE_CHECKING:
    from kvalitet.plugins import Profiles


@dataclass(frozen=True)
class Subject:
    """Whose series: a municipality (`unit_code` None) or one of its units (by organisation number)."""

    municipality_id: uuid.UUID
    # The municipality's number first, then its former numbers.
    municipality_codes: tuple[str, ...]
    unit_code: str | None = None
    unit_kind: str | None = None

    @property
    def county(self) -> str:
        return self.municipality_codes[0][:2]

    @property
    def group(self) -> tuple:
        """Subjects whose figures one statement reads: they differ in their unit alone."""
        return (self.municipality_id, self.municipality_codes, self.unit_code is None, self.unit_kind)


def municipality_codes(profiles: Profiles, number: str, profile_code: str | None) -> tuple[str, ...]:
    """A `Subject`'s `municipality_codes`: the municipality's number, then its former numbers
    (its profile's `municipality_aliases`)."""
    profile = profiles.get(profile_code) if profile_code else None
    return (number, *(profile.municipality_aliases if profile else ()))


@dataclass(frozen=True)
class Selection:
    codes: tuple[str, ...] | None = None
    grade: str | None = None
    gender: Gender = Gender.ALL
    from_year: int | None = None
    to_year: int | None = None
    unit_kind: str | None = None


@dataclass(frozen=True)
class Figure:
    level: IndicatorLevel
    code: str
    name: str | None
    value: Decimal | None
    n: int | None
    status: FigureStatus
    reason: FigureReason | None

    @property
    def reported(self) -> bool:
        return self.status is FigureStatus.REPORTED and self.value is not None


@dataclass
class Point:
    school_year: int
    own: Figure | None = None
    municipality: Figure | None = None
    county: Figure | None = None
    nation: Figure | None = None

    def difference(self, other: Figure | None) -> Decimal | None:
        """Own minus `other`, only when both are reported."""
        if self.own is None or other is None or not (self.own.reported and other.reported):
            return None
        assert self.own.value is not None and other.value is not None
        return self.own.value - other.value


@dataclass
class Series:
    indicator: dict  # the indicator's row (kvalitet.models.Indicator's columns)
    grade: str
    gender: Gender
    points: list[Point] = field(default_factory=list)


_INDICATOR_COLUMNS = [c for c in Indicator.__table__.c if c.name not in ("created_at", "updated_at", "version")]


def statement(subjects: Sequence[Subject], selection: Selection):
    """One SELECT of every figure the series of `subjects` need (the caller scopes it by the access
    policy): subjects of one `group`, the units of one municipality and kind, or the municipality."""
    value, indicator = IndicatorValue.__table__.c, Indicator.__table__
    subject = subjects[0]
    assert all(other.group == subject.group for other in subjects), "one statement answers one group"
    county = subject.county
    places = [
        and_(value.level == IndicatorLevel.MUNICIPALITY.value, value.code.in_(subject.municipality_codes)),
        and_(value.level == IndicatorLevel.COUNTY.value, value.code.in_((county, *former_counties(county)))),
        and_(value.level == IndicatorLevel.NATION.value, value.code == NATION_CODE),
    ]
    unit_codes = sorted({other.unit_code for other in subjects if other.unit_code is not None})
    if unit_codes:
        places.append(and_(value.level == IndicatorLevel.UNIT.value, value.code.in_(unit_codes)))
    conditions = [
        value.gender == selection.gender.value,
        or_(*places),
        or_(indicator.c.municipality_id.is_(None), indicator.c.municipality_id == subject.municipality_id),
    ]
    if selection.codes is not None:
        conditions.append(indicator.c.code.in_(selection.codes))
    if selection.grade is not None:
        conditions.append(value.grade == selection.grade)
    if selection.from_year is not None:
        conditions.append(value.school_year >= selection.from_year)
    if selection.to_year is not None:
        conditions.append(value.school_year <= selection.to_year)
    kind = subject.unit_kind or selection.unit_kind
    if kind is not None:
        conditions.append(literal(kind) == any_(indicator.c.unit_kinds))
    return (
        select(
            *(column.label(f"indicator_{column.name}") for column in _INDICATOR_COLUMNS),
            value.level,
            value.code,
            value.name,
            value.school_year,
            value.grade,
            value.value,
            value.n,
            value.status,
            value.reason,
        )
        .select_from(IndicatorValue.__table__.join(indicator, indicator.c.id == value.indicator_id))
        .where(*conditions)
        .order_by(indicator.c.code, value.grade, value.school_year)
    )


def build_each(rows: Sequence, subjects: Sequence[Subject], selection: Selection) -> list[list[Series]]:
    """The series of each of `subjects` from their group's rows: the shared rows (municipality,
    county, nation) and the subject's own unit's."""
    shared, own = [], defaultdict(list)
    for row in rows:
        if row["level"] == IndicatorLevel.UNIT.value:
            own[row["code"]].append(row)
        else:
            shared.append(row)
    return [
        build(shared if subject.unit_code is None else shared + own[subject.unit_code], subject, selection)
        for subject in subjects
    ]


def build(rows: Sequence, subject: Subject, selection: Selection) -> list[Series]:
    """The statement's rows as series: one per indicator and grade, a point per school year."""
    found: dict[tuple[str, str], tuple[dict, dict[int, dict[tuple[str, str], Figure]]]] = {}
    for row in rows:
        indicator = {column.name: row[f"indicator_{column.name}"] for column in _INDICATOR_COLUMNS}
        key = (str(indicator["id"]), row["grade"])
        _, years = found.setdefault(key, (indicator, {}))
        figure = Figure(
            IndicatorLevel(row["level"]),
            row["code"],
            row["name"],
            row["value"],
            row["n"],
            FigureStatus(row["status"]),
            FigureReason(row["reason"]) if row["reason"] else None,
        )
        years.setdefault(row["school_year"], {})[(row["level"], row["code"])] = figure
    series = []
    for (_, grade), (indicator, years) in found.items():
        points = [_point(year, figures, subject) for year, figures in sorted(years.items())]
        points = [point for point in points if point.own is not None or subject.unit_code is None]
        if any(point.own is not None for point in points):
            series.append(Series(indicator, grade, selection.gender, points))
    return series


def _point(year: int, figures: dict[tuple[str, str], Figure], subject: Subject) -> Point:
    municipality = next(
        (
            figures[(IndicatorLevel.MUNICIPALITY.value, code)]
            for code in subject.municipality_codes
            if (IndicatorLevel.MUNICIPALITY.value, code) in figures
        ),
        None,
    )
    county = figures.get((IndicatorLevel.COUNTY.value, subject.county))
    if county is None:
        former = next(
            (
                figures[(IndicatorLevel.COUNTY.value, code)]
                for code in former_counties(subject.county)
                if (IndicatorLevel.COUNTY.value, code) in figures
            ),
            None,
        )
        if former is not None:
            # Another region's figure: shown as the break it is, its number withheld.
            county = Figure(
                IndicatorLevel.COUNTY,
                former.code,
                former.name,
                None,
                None,
                FigureStatus.MISSING,
                FigureReason.SERIES_BREAK,
            )
    nation = figures.get((IndicatorLevel.NATION.value, NATION_CODE))
    if subject.unit_code is not None:
        own = figures.get((IndicatorLevel.UNIT.value, subject.unit_code))
        return Point(year, own, municipality, county, nation)
    return Point(year, municipality, None, county, nation)
