"""A municipality's own indicators: their definitions, and their figures uploaded as CSV.

The same rules as Udir's figures, and more, since an upload holds the true numbers: a figure
with fewer respondents than the indicator's threshold is suppressed, and complementary
suppression keeps a single hidden unit from being worked out from the municipality's total
(kvalitet.indicators.suppression). An upload is the municipality's alone: rows for another
municipality, a county, the nation, or a unit registered elsewhere are refused, and nothing of
a refused file is written.

The CSV has a header row with `Skoleaarnavn` (2024-25), `Kommunekode` or `Organisasjonsnummer`,
`Verdi` (the figure) and `AntallBesvart` (respondents); Norwegian numbers (`4,2`, `1 289`).
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from kvalitet.indicators import catalogue
from kvalitet.indicators.catalogue import IndicatorDefinition
from kvalitet.indicators.imports import scope_of, source_rows
from kvalitet.indicators.rows import Extract, ShapeError, SourceRow, figures_of
from kvalitet.indicators.store import ImportResult, store
from kvalitet.indicators.suppression import protect
from kvalitet.messages import text
from kvalitet.models import Indicator, Municipality, Unit
from kvalitet.models.enums import IndicatorLevel, IndicatorMeasure, IndicatorSource, UnitKind
from kvalitet.plugins.content import Label
from kvalitet.services.errors import INVALID_FILE, INVALID_VALUE, Problem, UserInputError, fail, not_found
from kvalitet.services.validation import NAME_MAX, Checker, storable

if TYPE_CHECKING:
    from kvalitet.services.context import ServiceContext

_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,79}")
# Uploads are read whole into memory: a bound that no municipality's survey comes near.
MAX_UPLOAD_CHARACTERS = 5_000_000


@dataclasses.dataclass(frozen=True)
class LocalDefinition:
    code: str
    names: dict[str, str]
    measure: str
    unit_kinds: list[str]
    min_respondents: int
    scale_min: Decimal | None = None
    scale_max: Decimal | None = None
    higher_is_better: bool | None = None
    decimals: int = 1


async def save_local_indicator(ctx: ServiceContext, municipality_id: uuid.UUID, given: LocalDefinition) -> Indicator:
    """Define a municipality's own indicator, or change its definition (by code)."""
    municipality = await ctx.load(
        Municipality, municipality_id, "municipality", action="update", field_name="municipalityId"
    )
    checker = Checker()
    checker.check(bool(_CODE.fullmatch(given.code)), INVALID_VALUE, text("indicator.code_form"), "code")
    checker.check(
        given.code not in catalogue.national(), INVALID_VALUE, text("indicator.national_code", code=given.code), "code"
    )
    names = {
        locale: checker.text(given.names.get(locale), f"names.{locale}", max_length=NAME_MAX)
        for locale in ("nb", "nn", "en")
    }
    checker.choice(given.measure, IndicatorMeasure, "measure")
    checker.among(given.unit_kinds, UnitKind.values(), "unitKinds")
    checker.check(
        given.min_respondents >= 1,
        INVALID_VALUE,
        text("input.between", argument="minRespondents", low=1, high=100000),
        "minRespondents",
    )
    checker.check(
        0 <= given.decimals <= 4, INVALID_VALUE, text("input.between", argument="decimals", low=0, high=4), "decimals"
    )
    if given.scale_min is not None and given.scale_max is not None:
        checker.check(given.scale_min < given.scale_max, INVALID_VALUE, text("indicator.scale_order"), "scaleMin")
    checker.raise_if_any()
    definition = IndicatorDefinition(
        code=given.code,
        names=Label.model_validate(names),
        source=IndicatorSource.LOCAL,
        origin=catalogue.local_origin(given.code),
        measure=IndicatorMeasure(given.measure),
        scale=(given.scale_min, given.scale_max)
        if given.scale_min is not None and given.scale_max is not None
        else None,
        higher_is_better=given.higher_is_better,
        decimals=given.decimals,
        min_respondents=given.min_respondents,
        unit_kinds=tuple(UnitKind(kind) for kind in given.unit_kinds),
    )
    row = await _local(ctx, municipality.id, given.code)
    values = definition.row(municipality.id)
    if row is None:
        row = Indicator(**values)
        ctx.session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    await ctx.session.flush()
    return row


async def _local(ctx: ServiceContext, municipality_id: uuid.UUID, code: str) -> Indicator | None:
    indicator: Indicator | None = await ctx.session.scalar(
        select(Indicator).where(Indicator.municipality_id == municipality_id, Indicator.code == code)
    )
    return indicator


async def upload_local_figures(
    ctx: ServiceContext, municipality_id: uuid.UUID, code: str, content: str, *, dry_run: bool = False
) -> ImportResult:
    """Read, check and protect a CSV of the indicator's figures, then replace the last upload's."""
    municipality = await ctx.load(
        Municipality, municipality_id, "municipality", action="update", field_name="municipalityId"
    )
    # A code not of the codes' form names no indicator (and one with NUL could not even be asked for).
    row = await _local(ctx, municipality.id, code) if _CODE.fullmatch(code) else None
    if row is None:
        not_found("indicator", "code")
    if len(content) > MAX_UPLOAD_CHARACTERS:
        fail(INVALID_VALUE, text("input.too_long", field="csv", max=MAX_UPLOAD_CHARACTERS), "csv")
    if not storable(content):
        fail(INVALID_VALUE, text("input.control_characters", field="csv"), "csv")
    definition = catalogue.definition_of(row)
    profile = ctx.profiles.get(municipality.profile_code) if municipality.profile_code else None
    numbers = (municipality.number, *(profile.municipality_aliases if profile else ()))
    try:
        rows = [
            _checked(source_row, municipality.number, numbers)
            for source_row in source_rows(f"{code}.csv", content.encode(), None)
        ]
        await _refuse_other_units(ctx, municipality.id, rows)
        extract = figures_of(rows, [definition])
    except ShapeError as error:
        raise UserInputError(_problem(error)) from None
    protected = Extract(protect(extract.figures), extract.rows_read, extract.rows_skipped)
    return await store(
        ctx.session,
        protected,
        [definition],
        source="upload",
        scope=scope_of(definition.origin.table, municipality.number),
        municipality_id=municipality.id,
        actor=ctx.actor.name,
        dry_run=dry_run,
    )


def _problem(error: ShapeError) -> Problem:
    return Problem(INVALID_FILE, error.text, "csv")


def _checked(row: SourceRow, number: str, numbers: tuple[str, ...]) -> SourceRow:
    """The row, if it is this municipality's, for all grades and genders; its unit placed here."""
    place = row.place
    if place.level in (IndicatorLevel.NATION, IndicatorLevel.COUNTY):
        raise ShapeError(text("indicator_file.local_level", where=row.where))
    if any(str(row.cells.get(column) or "").strip() not in ("", *all_values) for column, all_values in _ALL.items()):
        raise ShapeError(text("indicator_file.local_breakdown", where=row.where))
    if place.level is IndicatorLevel.MUNICIPALITY and place.code not in numbers:
        raise ShapeError(text("indicator_file.other_municipality", where=row.where, number=place.code))
    if place.level is IndicatorLevel.UNIT:
        if place.municipality_code and place.municipality_code not in numbers:
            raise ShapeError(text("indicator_file.other_municipality", where=row.where, number=place.municipality_code))
        return dataclasses.replace(row, place=dataclasses.replace(place, municipality_code=number))
    return dataclasses.replace(row, place=dataclasses.replace(place, code=number))


# A local upload's rows are for everyone: these columns, if there, say so.
_ALL = {"Trinnnavn": ("Alle trinn", "Alle årstrinn"), "Kjoenn": ("Alle kjønn",)}


async def _refuse_other_units(ctx: ServiceContext, municipality_id: uuid.UUID, rows: list[SourceRow]) -> None:
    """A unit registered in another municipality is not this one's to report on."""
    units = {row.place.code: row for row in rows if row.place.level is IndicatorLevel.UNIT}
    if not units:
        return
    elsewhere = await ctx.session.scalars(
        select(Unit.org_number).where(Unit.org_number.in_(units), Unit.municipality_id != municipality_id)
    )
    for org_number in elsewhere:
        if org_number is not None:
            raise ShapeError(text("indicator_file.other_unit", where=units[org_number].where, org_number=org_number))
