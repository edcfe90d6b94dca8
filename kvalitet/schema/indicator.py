"""Indicators in the API: the catalogue, and figures as time series beside the county's and the
nation's, on municipalities (public), units (as readable as the unit's reports) and plan areas
(the indicators the profile links to the area). The reading is kvalitet.indicators.series'."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import strawberry
from sqlalchemy import func, select
from strawberry.types import Info

from kvalitet import models
from kvalitet.access.actor import Target
from kvalitet.access.roles import READ
from kvalitet.indicators import catalogue, series
from kvalitet.indicators.suppression import reason_text
from kvalitet.messages import text
from kvalitet.models.enums import FigureReason as Reason
from kvalitet.schema.enums import (
    FigureReason,
    FigureStatus,
    Gender,
    IndicatorLevel,
    IndicatorMeasure,
    IndicatorSource,
    RefreshOutcome,
    UnitKind,
)
from kvalitet.schema.errors import BadInput
from kvalitet.schema.profile import Label
from kvalitet.services.validation import YEARS


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@strawberry.type(
    description="What an indicator measures: a national statistic (Udir) or the municipality's own survey."
)
class Indicator:
    code: str = strawberry.field(description="Its stable code, e.g. `eu.mobbing`.")
    names: Label = strawberry.field(description="Its name in each of the service's languages (`name` gives one).")
    source: IndicatorSource = strawberry.field(
        description="Where its figures come from: Udir's statistics, or the municipality's own survey."
    )
    source_table: str | None = strawberry.field(
        description="The source's table: `eksport:148` (the statistics bank's export API), `rapportering:…`, `file:…`."
    )
    measure: IndicatorMeasure = strawberry.field(
        description="What its number is: a mean score on its scale, a percentage, scale points or grunnskolepoeng."
    )
    scale_min: float | None = strawberry.field(description="The lowest value its scale has, if it has one.")
    scale_max: float | None = strawberry.field(description="The highest value its scale has, if it has one.")
    higher_is_better: bool | None = strawberry.field(description="Whether a higher value is better (null: neither).")
    decimals: int = strawberry.field(description="Decimals to show its values with.")
    min_respondents: int | None = strawberry.field(
        description="Fewer respondents than this and a figure is suppressed here (besides the source's own "
        "suppression)."
    )
    unit_kinds: list[UnitKind] = strawberry.field(description="The kinds of unit it applies to.")

    @strawberry.field(description="Its name in the caller's language (`Accept-Language` or `?locale=`).")
    def name(self, info: Info) -> str:
        return str(getattr(self.names, info.context.locale, self.names.nb))

    @staticmethod
    def of_row(row: dict) -> Indicator:
        return Indicator(
            code=row["code"],
            names=Label(**{locale: row["names"][locale] for locale in ("nb", "nn", "en")}),
            source=IndicatorSource(row["source"]),
            source_table=row["source_table"],
            measure=IndicatorMeasure(row["measure"]),
            scale_min=_float(row["scale_min"]),
            scale_max=_float(row["scale_max"]),
            higher_is_better=row["higher_is_better"],
            decimals=row["decimals"],
            min_respondents=row["min_respondents"],
            unit_kinds=[UnitKind(kind) for kind in row["unit_kinds"]],
        )

    @staticmethod
    def of_definition(definition: catalogue.IndicatorDefinition) -> Indicator:
        return Indicator.of_row({**definition.row(), "source_table": definition.origin.table})


@strawberry.type(description="One place's figure for a school year: the number, or why there is none.")
class IndicatorFigure:
    level: IndicatorLevel = strawberry.field(
        description="Whose figure it is: the nation's, a county's, a municipality's or one unit's."
    )
    code: str = strawberry.field(
        description="The place: `NO` for the nation, a county's or municipality's number, a unit's organisation number."
    )
    name: str | None = strawberry.field(description="The place's name as the source gives it.")
    value: float | None = strawberry.field(description="The figure; null when it is suppressed or missing.")
    n: int | None = strawberry.field(description="How many responded or took part, when the source says.")
    status: FigureStatus = strawberry.field(
        description="Whether there is a number to show: reported, suppressed (for privacy) or missing."
    )
    reason: FigureReason | None = strawberry.field(description="Why there is no figure (null when reported).")
    threshold: strawberry.Private[int | None]

    @strawberry.field(description="Why there is no figure, in the caller's language.")
    def reason_text(self, info: Info) -> str | None:
        if self.reason is None:
            return None
        return reason_text(Reason(self.reason.value), self.threshold, self.name, self.code).render(info.context.locale)

    @staticmethod
    def of(figure: series.Figure | None, threshold: int | None) -> IndicatorFigure | None:
        if figure is None:
            return None
        return IndicatorFigure(
            level=figure.level,
            code=figure.code,
            name=figure.name,
            value=_float(figure.value),
            n=figure.n,
            status=figure.status,
            reason=figure.reason,
            threshold=threshold,
        )


@strawberry.type(description="A school year of a series: the figure, and the municipality's, county's and nation's.")
class IndicatorPoint:
    school_year: int = strawberry.field(description="The school year by its first calendar year: 2024 is 2024–25.")
    figure: IndicatorFigure | None = strawberry.field(
        description="The unit's or municipality's own figure (null when the source has none that year)."
    )
    municipality: IndicatorFigure | None = strawberry.field(description="The municipality's (on a unit's series).")
    county: IndicatorFigure | None = strawberry.field(
        description="The county's; after a county was split, a year of the former county shows as `SERIES_BREAK`."
    )
    nation: IndicatorFigure | None = strawberry.field(
        description="The nation's (null when the source has none that year)."
    )
    difference_from_county: float | None = strawberry.field(
        description="The figure minus the county's, when both are reported."
    )
    difference_from_nation: float | None = strawberry.field(
        description="The figure minus the nation's, when both are reported."
    )

    @strawberry.field(description="The school year as written: 2024-25.")
    def school_year_label(self) -> str:
        return f"{self.school_year}-{(self.school_year + 1) % 100:02d}"


@strawberry.type(description="An indicator's figures over the school years, for one grade and gender.")
class IndicatorSeries:
    indicator: Indicator = strawberry.field(description="The indicator the figures are of.")
    grade: str = strawberry.field(description="`all`, or the grade (`5`, `10`, `vg1`).")
    gender: Gender = strawberry.field(description="Whose answers the figures count: everyone's, girls' or boys'.")
    points: list[IndicatorPoint] = strawberry.field(description="Oldest school year first.")


def _series(found: list[series.Series]) -> list[IndicatorSeries]:
    answer = []
    for one in found:
        threshold = one.indicator["min_respondents"]
        points = [
            IndicatorPoint(
                school_year=point.school_year,
                figure=IndicatorFigure.of(point.own, threshold),
                municipality=IndicatorFigure.of(point.municipality, threshold),
                county=IndicatorFigure.of(point.county, threshold),
                nation=IndicatorFigure.of(point.nation, threshold),
                difference_from_county=_float(point.difference(point.county)),
                difference_from_nation=_float(point.difference(point.nation)),
            )
            for point in one.points
        ]
        answer.append(
            IndicatorSeries(
                indicator=Indicator.of_row(one.indicator), grade=one.grade, gender=one.gender, points=points
            )
        )
    return answer


async def read(info: Info, subject: series.Subject, selection: series.Selection) -> list[IndicatorSeries]:
    """The subject's series. The subjects asked for in one tick with the same selection (a page of
    units, each with its `indicators`) are read together: one statement per group of them (the
    units of one municipality and kind), not one per unit."""
    loaders = info.context.loaders

    async def batch(subjects: list[series.Subject]) -> list[list[IndicatorSeries]]:
        groups: dict[tuple, list[series.Subject]] = {}
        for each in subjects:
            groups.setdefault(each.group, []).append(each)
        answers: dict[series.Subject, list[IndicatorSeries]] = {}
        for members in groups.values():
            rows = await loaders.fetch(models.IndicatorValue, series.statement(members, selection))
            for member, found in zip(members, series.build_each(rows, members, selection), strict=True):
                answers[member] = _series(found)
        return [answers[each] for each in subjects]

    return await loaders.batched(("indicator_series", selection), batch).load(subject)


def selection(
    codes: list[str] | None,
    grade: str | None,
    gender: Gender,
    from_year: int | None,
    to_year: int | None,
    unit_kind: UnitKind | None = None,
) -> series.Selection:
    for argument, year in (("fromYear", from_year), ("toYear", to_year)):
        if year is not None and year not in YEARS:
            raise BadInput(text("input.implausible_year", year=year), argument=argument)
    return series.Selection(
        tuple(codes) if codes is not None else None,
        grade,
        gender,
        from_year,
        to_year,
        None if unit_kind is None else unit_kind.value,
    )


async def of_municipality(info: Info, municipality_id: str, number: str, profile_code: str | None, chosen):
    subject = series.Subject(
        uuid.UUID(municipality_id), series.municipality_codes(info.context.profiles, number, profile_code)
    )
    return await read(info, subject, chosen)


async def of_unit(info: Info, unit, chosen: series.Selection) -> list[IndicatorSeries]:
    """A unit's series, for those who may read its reports (others get none)."""
    context = info.context
    target = Target(municipality_id=unit.municipality_id, unit_id=uuid.UUID(unit.id))
    if unit.org_number is None or not context.policy.can(context.actor, READ, models.Report, target):
        return []
    municipality = await context.loaders.by_id(models.Municipality).load(unit.municipality_id)
    if municipality is None:
        return []
    subject = series.Subject(
        unit.municipality_id,
        series.municipality_codes(info.context.profiles, municipality["number"], municipality["profile_code"]),
        unit_code=unit.org_number,
        unit_kind=getattr(unit.kind, "value", unit.kind),
    )
    return await read(info, subject, chosen)


async def of_area(info: Info, area, chosen: series.Selection) -> list[IndicatorSeries]:
    """The series of the indicators the profile links to the area, for the plan's municipality."""
    context = info.context
    plan = await context.loaders.by_id(models.Plan).load(area.plan_id)
    municipality = await context.loaders.by_id(models.Municipality).load(plan["municipality_id"]) if plan else None
    if municipality is None or area.key is None or not municipality["profile_code"]:
        return []
    links = context.profiles.indicator_links(municipality["profile_code"])
    codes = [code for link in links if link.area == area.key for code in link.indicators]
    if chosen.codes is not None:
        codes = [code for code in codes if code in chosen.codes]
    if not codes:
        return []
    subject = series.Subject(
        municipality["id"],
        series.municipality_codes(info.context.profiles, municipality["number"], municipality["profile_code"]),
    )
    return await read(info, subject, series.Selection(tuple(codes), *_rest(chosen)))


def _rest(chosen: series.Selection) -> tuple:
    return (chosen.grade, chosen.gender, chosen.from_year, chosen.to_year, chosen.unit_kind)


async def catalogue_of(info: Info, unit_kind: UnitKind | None, source: IndicatorSource | None) -> list[Indicator]:
    """The national catalogue, then the municipality's own indicators the caller may see."""
    found = [Indicator.of_definition(d) for d in catalogue.national().values()]
    local = models.Indicator.__table__
    rows = await info.context.loaders.fetch(
        models.Indicator, select(local).where(local.c.municipality_id.is_not(None)).order_by(local.c.code)
    )
    found += [Indicator.of_row(dict(row)) for row in rows]
    return [
        indicator
        for indicator in found
        if (unit_kind is None or unit_kind in indicator.unit_kinds) and (source is None or indicator.source is source)
    ]


def arguments_description() -> str:
    return (
        "Filter by indicator `codes`, `grade` (`all`, `5`, `10` …), `gender` (all by default) and school years "
        "(`fromYear`, `toYear`, by their first calendar year)."
    )


@strawberry.type(
    description="The last scheduled refresh of one of Udir's tables (the worker's `KVALITET_INDICATOR_REFRESH`): "
    "when it was fetched, how it went, and since when its figures are the ones shown."
)
class IndicatorRefresh:
    source_table: str = strawberry.field(description="The table: `eksport:150`.")
    filter: str = strawberry.field(description="The export API's filter it is fetched with.")
    checked_at: dt.datetime = strawberry.field(description="When it was last fetched.")
    outcome: RefreshOutcome = strawberry.field(
        description="How the last fetch went: new figures written, the same data as before, or failed (the figures "
        "before it are kept)."
    )
    imported_at: dt.datetime | None = strawberry.field(
        description="When the figures now shown were imported (a refresh that finds the same data imports "
        "nothing); null: none yet."
    )


async def refreshes_of(info: Info) -> list[IndicatorRefresh]:
    refresh, batch = models.IndicatorRefresh.__table__, models.IndicatorBatch.__table__
    imported_at = select(func.max(batch.c.imported_at)).where(batch.c.scope == refresh.c.scope).scalar_subquery()
    rows = await info.context.loaders.fetch(
        models.IndicatorRefresh,
        select(
            refresh.c.source_table,
            refresh.c.filter,
            refresh.c.checked_at,
            refresh.c.outcome,
            imported_at.label("imported_at"),
        ).order_by(refresh.c.source_table, refresh.c.filter),
    )
    return [IndicatorRefresh(**{**row, "outcome": RefreshOutcome(row["outcome"])}) for row in rows]
