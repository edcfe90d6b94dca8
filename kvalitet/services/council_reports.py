"""The yearly report to the municipal council (kvalitet.models.council_report): a sector admin
makes the year's draft, with figures drawn from the data; writes each section's text; refreshes
the figures while the year's data comes in; and publishes an edition, which freezes it all.

The figures are what the database computes: the indicators' series in one statement
(kvalitet.indicators.series), and the units' self-assessment as the sector report rolls it up
(kvalitet.services.sector_reports, whose snapshot an edition keeps whole).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Select, func, select

from kvalitet.indicators import series
from kvalitet.messages import text
from kvalitet.models import (
    Area,
    Assessment,
    CouncilReport,
    CouncilReportEdition,
    CouncilReportSection,
    Measure,
    Municipality,
    Plan,
    Report,
    Unit,
)
from kvalitet.models.enums import PlanStatus, ReportLocale
from kvalitet.plugins.content import CouncilReportSectionSpec, CouncilReportStructure, Label
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import (
    DUPLICATE,
    INVALID_STATE,
    INVALID_VALUE,
    TOO_LONG,
    UserInputError,
    fail,
    not_found,
    stale,
)
from kvalitet.services.events import emit
from kvalitet.services.reports import calendar, period_of
from kvalitet.services.sector_reports import COUNTED, compute, freeze
from kvalitet.services.validation import require_year

# School years of figures a report shows: the report's year and the four before it.
YEARS_SHOWN = 5
MAX_TEXT = 50_000


def own_measures(municipality_id: uuid.UUID, ids: list[uuid.UUID]) -> Select[Any]:
    """The measures among `ids` that are in the municipality's own plans, adopted or archived
    (every column): what a section may name, whatever ids were written (by the API, an import or
    by hand). A draft plan's measures are not the municipality's yet."""
    measure = Measure.__table__
    return (
        select(measure)
        .join(Area, Area.id == measure.c.area_id)
        .join(Plan, Plan.id == Area.plan_id)
        .where(Plan.municipality_id == municipality_id, Plan.status != PlanStatus.DRAFT, measure.c.id.in_(ids))
    )


def own_comments(municipality_id: uuid.UUID, ids: list[uuid.UUID]) -> Select[Any]:
    """The assessments among `ids` that have a comment, of the municipality's own reports that
    the units have submitted (or that were approved): what a section may quote. A unit's words
    in a draft are not yet theirs to publish."""
    assessment = Assessment.__table__
    return (
        select(assessment)
        .join(Report, Report.id == assessment.c.report_id)
        .where(
            Report.municipality_id == municipality_id,
            Report.status.in_(COUNTED),
            assessment.c.id.in_(ids),
            func.length(func.trim(assessment.c.comment)) > 0,
        )
    )


def structure_of(ctx: ServiceContext, municipality: Municipality) -> CouncilReportStructure:
    if municipality.profile_code is None:
        fail(INVALID_STATE, text("council_report.no_profile"), "municipalityId")
    return ctx.profiles.council_report(municipality.profile_code)


def _figure(figure: series.Figure | None, threshold: int | None) -> dict | None:
    if figure is None:
        return None
    return {
        "code": figure.code,
        "name": figure.name,
        "value": None if figure.value is None else str(figure.value),
        "n": figure.n,
        "status": figure.status.value,
        "reason": figure.reason.value if figure.reason else None,
        "threshold": threshold,
    }


async def draw(ctx: ServiceContext, municipality: Municipality, year: int, period_key: str) -> dict[str, Any]:
    """The figures of the year's report as they are now: every indicator the structure names
    (the municipality, its county and the nation, by school year), and the roll-up of the
    period's unit reports (None when no adopted plan covers the year)."""
    structure = structure_of(ctx, municipality)
    codes = sorted({code for section in structure.sections for code in section.indicators})
    indicators: dict[str, list[dict]] = {}
    if codes:
        subject = series.Subject(
            municipality.id, series.municipality_codes(ctx.profiles, municipality.number, municipality.profile_code)
        )
        selection = series.Selection(codes=tuple(codes), from_year=year - YEARS_SHOWN + 1, to_year=year)
        rows = (await ctx.session.execute(series.statement([subject], selection))).mappings().all()
        for found in series.build(rows, subject, selection):
            threshold = found.indicator.get("min_respondents")
            indicators.setdefault(found.indicator["code"], []).append(
                {
                    "code": found.indicator["code"],
                    "names": found.indicator["names"],
                    "grade": found.grade,
                    "measure": found.indicator["measure"],
                    "decimals": found.indicator["decimals"],
                    "scale": _scale(found.indicator),
                    "higher_is_better": found.indicator["higher_is_better"],
                    "points": [
                        {
                            "school_year": point.school_year,
                            "municipality": _figure(point.own, threshold),
                            "county": _figure(point.county, threshold),
                            "nation": _figure(point.nation, threshold),
                        }
                        for point in found.points
                    ],
                }
            )
    for found_series in indicators.values():  # grade 5 before 10 ("all" last)
        found_series.sort(key=_grade_order)
    units = await _unit_figures(ctx, municipality, structure, year)
    rollup = None
    if any(section.areas or section.all_areas for section in structure.sections):
        try:
            rollup = await compute(ctx, municipality, year, period_key, progress=True)
        except UserInputError:  # no adopted plan covers the year: the sections say so
            rollup = None
    return {"indicators": indicators, "units": units, "rollup": rollup}


def _grade_order(found: dict) -> tuple:
    grade = found["grade"]
    return (not grade.isdigit(), int(grade) if grade.isdigit() else 0)


async def _unit_figures(
    ctx: ServiceContext, municipality: Municipality, structure: CouncilReportStructure, year: int
) -> dict[str, list[dict]]:
    """For the sections that show them (`per_unit`): each unit's own figure of the latest school
    year it has one, by indicator code; one statement per kind of unit."""
    codes = sorted({code for section in structure.sections if section.per_unit for code in section.indicators})
    if not codes:
        return {}
    rows = await ctx.session.execute(
        select(Unit.name, Unit.org_number, Unit.kind)
        .where(Unit.municipality_id == municipality.id, Unit.archived_at.is_(None), Unit.org_number.is_not(None))
        .order_by(Unit.name, Unit.id)
    )
    by_kind: dict[str, list[tuple[str, series.Subject]]] = {}
    for name, org_number, kind in rows:
        subject = series.Subject(
            municipality.id,
            series.municipality_codes(ctx.profiles, municipality.number, municipality.profile_code),
            unit_code=org_number,
            unit_kind=kind,
        )
        by_kind.setdefault(kind, []).append((name, subject))
    selection = series.Selection(codes=tuple(codes), from_year=year - YEARS_SHOWN + 1, to_year=year)
    found: dict[tuple[str, str], dict] = {}
    for members in by_kind.values():
        subjects = [subject for _, subject in members]
        statement = series.statement(subjects, selection)
        rows_ = (await ctx.session.execute(statement)).mappings().all()
        for (name, _), each in zip(members, series.build_each(rows_, subjects, selection), strict=True):
            for one in each:
                last = next((p for p in reversed(one.points) if p.own is not None), None)
                if last is None:
                    continue
                key = (one.indicator["code"], one.grade)
                entry = found.setdefault(
                    key,
                    {
                        "code": key[0],
                        "names": one.indicator["names"],
                        "grade": key[1],
                        "decimals": one.indicator["decimals"],
                        "units": [],
                    },
                )
                entry["units"].append(
                    {
                        "unit": name,
                        "school_year": last.school_year,
                        "figure": _figure(last.own, one.indicator.get("min_respondents")),
                    }
                )
    by_code: dict[str, list[dict]] = {}
    for entry in sorted(found.values(), key=lambda e: (e["code"], _grade_order(e))):
        by_code.setdefault(entry["code"], []).append(entry)
    return by_code


def _scale(indicator: dict) -> list[str] | None:
    """The indicator's own range (a 1–5 score), as text; None when it has none (a share, points)."""
    low, high = indicator["scale_min"], indicator["scale_max"]
    return None if low is None or high is None else [str(low), str(high)]


def _default_period(ctx: ServiceContext, municipality: Municipality, year: int) -> str:
    """The year's last reporting period (an annual report's only one)."""
    periods = calendar(ctx.profiles, municipality.profile_code, year)
    if not periods:
        fail(INVALID_STATE, text("council_report.no_periods"), "period")
    return max(periods, key=lambda p: p.ends_on).key


async def create(
    ctx: ServiceContext, municipality_id: uuid.UUID, year: int, period_key: str | None, locale: str | None
) -> CouncilReport:
    municipality = await ctx.load(
        Municipality, municipality_id, "municipality", action="publish", field_name="municipalityId"
    )
    await ctx.authorize("create", CouncilReport, municipality)
    require_year(year, "year")  # before any date is made of it
    structure = structure_of(ctx, municipality)
    period_key = period_key or _default_period(ctx, municipality, year)
    period_of(ctx.profiles, municipality.profile_code, year, period_key)  # refuses a year or period unknown
    profile = ctx.profiles.get(municipality.profile_code or "")
    if locale is None:
        locale = profile.default_locale if profile and profile.default_locale in ReportLocale.values() else "nb"
    if locale not in ReportLocale.values():
        fail(INVALID_VALUE, text("council_report.locale", locale=locale), "language")
    taken = await ctx.session.scalar(
        select(CouncilReport.id).where(CouncilReport.municipality_id == municipality.id, CouncilReport.year == year)
    )
    if taken is not None:
        fail(DUPLICATE, text("council_report.exists", year=year), "year")
    report = CouncilReport(
        municipality_id=municipality.id,
        year=year,
        period_key=period_key,
        locale=locale,
        figures=await draw(ctx, municipality, year, period_key),
        figures_drawn_at=dt.datetime.now(dt.UTC),
        created_by=ctx.actor.id,
    )
    ctx.session.add(report)
    await ctx.session.flush()
    ctx.session.add_all(
        CouncilReportSection(council_report_id=report.id, key=section.key, text="", measure_ids=[])
        for section in structure.sections
    )
    await ctx.session.flush()
    return report


async def refresh(ctx: ServiceContext, report_id: uuid.UUID, version: int) -> CouncilReport:
    """The draft's figures drawn again from the data as it is now."""
    report = await ctx.load_for_change(CouncilReport, report_id, version, "council_report")
    municipality = await ctx.load(Municipality, report.municipality_id, "municipality")
    report.figures = await draw(ctx, municipality, report.year, report.period_key)
    report.figures_drawn_at = dt.datetime.now(dt.UTC)
    await ctx.session.flush()
    return report


async def edit_section(
    ctx: ServiceContext,
    report_id: uuid.UUID,
    key: str,
    body: str,
    measure_ids: list[uuid.UUID] | None,
    version: int,
    comment_ids: list[uuid.UUID] | None = None,
) -> CouncilReportSection:
    """A section's text (paragraphs parted by a blank line), the plan's measures it names, and
    the units' comments it quotes (assessments of the municipality's reports that have one)."""
    report = await ctx.load(CouncilReport, report_id, "council_report", action="update", field_name="reportId")
    section = await ctx.session.scalar(
        select(CouncilReportSection).where(
            CouncilReportSection.council_report_id == report.id, CouncilReportSection.key == key
        )
    )
    if section is None:
        fail(INVALID_VALUE, text("council_report.unknown_section", key=key), "key")
    if section.version != version:
        stale("council_report_section")
    if len(body) > MAX_TEXT:
        fail(TOO_LONG, text("input.too_long", field="text", max=MAX_TEXT), "text")
    # Everything is checked before anything is set: a query after a change would flush it on its
    # own, and one edit would be two versions.
    measures = list(dict.fromkeys(measure_ids)) if measure_ids is not None else None
    if measures:
        known = (await ctx.session.execute(own_measures(report.municipality_id, measures))).all()
        if len(known) != len(measures):  # not the municipality's, or no measure at all
            not_found("measure", "measureIds")
    comments = list(dict.fromkeys(comment_ids)) if comment_ids is not None else None
    if comments:
        commented = (await ctx.session.execute(own_comments(report.municipality_id, comments))).all()
        if len(commented) != len(comments):  # not the municipality's, no assessment, or no comment
            not_found("assessment", "commentIds")
    if measures is not None:
        section.measure_ids = measures
    if comments is not None:
        section.comment_ids = comments
    section.text = body
    section.updated_by = ctx.actor.id
    await ctx.session.flush()
    return section


def _localized(label: Label, locale: str) -> str:
    return getattr(label, locale)


async def content_of(ctx: ServiceContext, report: CouncilReport) -> dict[str, Any]:
    """Everything a rendition shows, as plain values: the structure's words in the report's
    language, the figures, the texts and the measures' texts. An edition keeps it as it is."""
    municipality = await ctx.load(Municipality, report.municipality_id, "municipality")
    structure = structure_of(ctx, municipality)
    locale = report.locale
    sections = {
        row.key: row
        for row in await ctx.session.scalars(
            select(CouncilReportSection).where(CouncilReportSection.council_report_id == report.id)
        )
    }
    measure_ids = [i for row in sections.values() for i in row.measure_ids]
    measure_text = {
        row.id: row.text for row in (await ctx.session.execute(own_measures(report.municipality_id, measure_ids))).all()
    }
    quoted = await _comments(ctx, report.municipality_id, [i for row in sections.values() for i in row.comment_ids])
    figures = report.figures
    rollup = figures.get("rollup")
    kept = []
    for spec in structure.sections:
        row = sections.get(spec.key)
        section: dict[str, Any] = {
            "key": spec.key,
            "title": _localized(spec.title, locale),
            "text": row.text if row else "",
            "measures": [measure_text[i] for i in (row.measure_ids if row else []) if i in measure_text],
            "comments": [quoted[i] for i in (row.comment_ids if row else []) if i in quoted],
            "indicators": [
                {**found, "name": found["names"].get(locale) or found["code"]}
                for code in spec.indicators
                for found in figures["indicators"].get(code, [])
            ],
        }
        if spec.per_unit:
            section["units"] = [
                {**found, "name": found["names"].get(locale) or found["code"]}
                for code in spec.indicators
                for found in (figures.get("units") or {}).get(code, [])
            ]
        if spec.areas or spec.all_areas:
            section["rollup"] = _rollup_part(rollup, spec) if rollup is not None else None
        kept.append(section)
    scale = ctx.profiles.assessment_scale(municipality.profile_code or "")
    return {
        "format": 1,
        "municipality": {"number": municipality.number, "name": municipality.name},
        "year": report.year,
        "period_key": report.period_key,
        "locale": locale,
        "title": _localized(structure.title, locale),
        "figures_drawn_at": report.figures_drawn_at.isoformat(),
        "scale": [{"level": level.level, "label": _localized(level.label, locale)} for level in scale],
        "sections": kept,
    }


async def _comments(ctx: ServiceContext, municipality_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict]:
    """The quoted comments, by assessment id: the unit's name and its words."""
    if not ids:
        return {}
    quoted = own_comments(municipality_id, ids).subquery()
    rows = await ctx.session.execute(
        select(quoted.c.id, quoted.c.comment, Unit.name)
        .join(Report, Report.id == quoted.c.report_id)
        .join(Unit, Unit.id == Report.unit_id)
    )
    return {row.id: {"unit": row.name, "text": row.comment} for row in rows}


def _rollup_part(rollup: dict, spec: CouncilReportSectionSpec) -> dict:
    """The counts the section shows: the units of its kinds that have reported, and the levels
    of the areas it covers (an area named, with the areas under it)."""
    kinds = set(spec.unit_kinds)
    units = [u for u in rollup["units"] if not kinds or u["kind"] in kinds]
    by_id = {a["area_id"]: a for a in rollup["areas"]}

    def covered(area: dict | None) -> bool:
        while area is not None:
            if spec.all_areas or area["key"] in spec.areas:
                return True
            area = by_id.get(area["parent_id"]) if area["parent_id"] else None
        return False

    return {
        "units": {"total": len(units), "counted": sum(1 for u in units if u["status"] in COUNTED)},
        "areas": [
            {"key": a["key"], "title": a["title"], "assessments": a["assessments"], "levels": a["levels"]}
            for a in rollup["areas"]
            if covered(a)
        ],
    }


async def publish(ctx: ServiceContext, report_id: uuid.UUID, version: int) -> CouncilReportEdition:
    """A new edition, frozen; the one before it (if any) is superseded from now."""
    report = await ctx.load(CouncilReport, report_id, "council_report", action="publish")
    # One publisher at a time: the row is locked and read again, so the version is checked
    # against what a refresh or a publish committed while this one waited, and two editions
    # never get one number.
    await ctx.session.execute(
        select(CouncilReport)
        .where(CouncilReport.id == report.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if report.version != version:
        stale("council_report")
    content = await content_of(ctx, report)
    now = dt.datetime.now(dt.UTC)
    # Publishing moves the draft's version on: the same version read cannot publish twice.
    report.updated_at = now
    last = await ctx.session.scalar(
        select(func.max(CouncilReportEdition.number)).where(CouncilReportEdition.council_report_id == report.id)
    )
    number = (last or 0) + 1
    rollup = report.figures.get("rollup")
    part = None
    if rollup is not None:  # the roll-up as drawn, published with the edition
        municipality = await ctx.load(Municipality, report.municipality_id, "municipality")
        part = await freeze(ctx, municipality, report.year, report.period_key, rollup)
    # Through the ORM, so the superseded edition's version moves and the change log has it.
    for current in await ctx.session.scalars(
        select(CouncilReportEdition).where(
            CouncilReportEdition.council_report_id == report.id, CouncilReportEdition.superseded_at.is_(None)
        )
    ):
        current.superseded_at = now
    edition = CouncilReportEdition(
        council_report_id=report.id,
        municipality_id=report.municipality_id,
        year=report.year,
        number=number,
        locale=report.locale,
        published_at=now,
        published_by=ctx.actor.id,
        content={**content, "edition": {"number": number, "published_at": now.isoformat()}},
        sector_report_id=part.id if part is not None else None,
    )
    ctx.session.add(edition)
    await emit(ctx, "council_report.published", report.municipality_id, "CouncilReportEdition", edition)
    return edition


__all__ = ["create", "refresh", "edit_section", "publish", "content_of", "draw", "MAX_TEXT"]
