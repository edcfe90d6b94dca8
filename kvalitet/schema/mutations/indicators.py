"""saveLocalIndicator, uploadLocalIndicatorFigures: a municipality's own indicators (its own
surveys), defined and filled by its sector office. Both are idempotent by nature: a definition
is saved by its code, and the same figures uploaded again write nothing."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.types import Info

from kvalitet.indicators import local
from kvalitet.schema.enums import IndicatorMeasure, UnitKind
from kvalitet.schema.indicator import Indicator
from kvalitet.schema.mutation_support import UserError, decode_id, run_mutation


@strawberry.input(description="An indicator's name in each of the service's languages.")
class IndicatorNamesInput:
    nb: str = strawberry.field(description="In bokmål.")
    nn: str = strawberry.field(description="In nynorsk.")
    en: str = strawberry.field(description="In English.")


@strawberry.input(description="A municipality's own indicator: what it measures and when a figure is suppressed.")
class SaveLocalIndicatorInput:
    municipality_id: strawberry.ID = strawberry.field(description="The municipality's global ID.")
    code: str = strawberry.field(description="Its code, unique in the municipality (lower case: `tromso.trivsel`).")
    names: IndicatorNamesInput = strawberry.field(description="Its name in each of the service's languages.")
    measure: IndicatorMeasure = strawberry.field(
        description="What its number is: a mean score on its scale, a percentage, scale points or grunnskolepoeng."
    )
    unit_kinds: list[UnitKind] = strawberry.field(description="The kinds of unit it applies to.")
    min_respondents: int = strawberry.field(
        description="Fewer respondents than this and a figure is suppressed (and its count with it)."
    )
    scale_min: float | None = strawberry.field(
        default=None, description="The lowest value its scale has, if it has one."
    )
    scale_max: float | None = strawberry.field(
        default=None, description="The highest value its scale has, if it has one."
    )
    higher_is_better: bool | None = strawberry.field(
        default=None, description="Whether a higher value is better (null: neither)."
    )
    decimals: int = strawberry.field(default=1, description="Decimals to show its values with.")


@strawberry.type(description="The result of `saveLocalIndicator`: the indicator as saved, or the errors.")
class LocalIndicatorPayload:
    indicator: Indicator | None = strawberry.field(
        default=None, description="The indicator as it is after the change; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Empty when the mutation succeeded.")


@strawberry.input(description="A CSV of a municipality's own indicator's figures (see docs/indicators.md).")
class UploadLocalIndicatorFiguresInput:
    municipality_id: strawberry.ID = strawberry.field(description="The municipality's global ID.")
    code: str = strawberry.field(description="The indicator's code (`saveLocalIndicator`).")
    csv: str = strawberry.field(
        description="The file: a header row with Skoleaarnavn, Kommunekode or Organisasjonsnummer, Verdi and "
        "AntallBesvart; separated by semicolons or commas; Norwegian numbers (4,2)."
    )
    dry_run: bool = strawberry.field(default=False, description="Check and compare, and write nothing.")


@strawberry.type(description="What an upload brought, and what it changed since the last upload.")
class IndicatorUpload:
    rows_read: int = strawberry.field(description="Rows read from the file.")
    figures: int = strawberry.field(description="Figures the file gave.")
    reported: int = strawberry.field(description="Of them, how many are reported: a number is shown.")
    suppressed: int = strawberry.field(description="Suppressed here: too few respondents, or complementary.")
    missing: int = strawberry.field(description="Of them, how many are missing: the file has no number.")
    added: int = strawberry.field(description="Figures the last upload did not have.")
    changed: int = strawberry.field(description="Figures that differ from the last upload's.")
    removed: int = strawberry.field(description="Figures of the last upload this one does not have.")
    unchanged: bool = strawberry.field(description="The same figures as the last upload: nothing was written.")
    dry_run: bool = strawberry.field(description="Only checked and compared (`dryRun`): nothing was written.")


@strawberry.type(description="The result of `uploadLocalIndicatorFigures`: what the upload brought, or the errors.")
class IndicatorUploadPayload:
    upload: IndicatorUpload | None = strawberry.field(
        default=None, description="What the upload brought and changed; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Empty when the mutation succeeded.")


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@strawberry.type
class IndicatorMutations:
    @strawberry.mutation(description="Define the municipality's own indicator, or change its definition (by code).")
    async def save_local_indicator(self, info: Info, input: SaveLocalIndicatorInput) -> LocalIndicatorPayload:
        given = local.LocalDefinition(
            code=input.code,
            names={"nb": input.names.nb, "nn": input.names.nn, "en": input.names.en},
            measure=input.measure.value,
            unit_kinds=[kind.value for kind in input.unit_kinds],
            min_respondents=input.min_respondents,
            scale_min=_decimal(input.scale_min),
            scale_max=_decimal(input.scale_max),
            higher_is_better=input.higher_is_better,
            decimals=input.decimals,
        )

        async def work(service):
            municipality_id = decode_id(input.municipality_id, "Municipality", "municipalityId")
            row = await local.save_local_indicator(service, municipality_id, given)
            return {column.name: getattr(row, column.name) for column in row.__table__.c}

        row, errors = await run_mutation(info, work)
        return LocalIndicatorPayload(indicator=Indicator.of_row(row) if row else None, errors=errors)

    @strawberry.mutation(
        description="Upload the figures of the municipality's own indicator as CSV: checked whole, suppressed where "
        "too few answered (and where a total would give a hidden figure away), and written in place of the last "
        "upload; a refused file (`INVALID_FILE`, naming the line) writes nothing."
    )
    async def upload_local_indicator_figures(
        self, info: Info, input: UploadLocalIndicatorFiguresInput
    ) -> IndicatorUploadPayload:
        async def work(service):
            municipality_id = decode_id(input.municipality_id, "Municipality", "municipalityId")
            return await local.upload_local_figures(
                service, municipality_id, input.code, input.csv, dry_run=input.dry_run
            )

        result, errors = await run_mutation(info, work)
        if result is None:
            return IndicatorUploadPayload(errors=errors)
        upload = IndicatorUpload(
            rows_read=result.rows_read,
            figures=result.figures,
            reported=result.statuses.get("reported", 0),
            suppressed=result.statuses.get("suppressed", 0),
            missing=result.statuses.get("missing", 0),
            added=result.added,
            changed=result.changed,
            removed=result.removed,
            unchanged=result.unchanged,
            dry_run=result.dry_run,
        )
        return IndicatorUploadPayload(upload=upload)
