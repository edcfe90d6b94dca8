"""The indicators kvalitet knows: the national catalogue shipped in kvalitet/data/indicators.yaml,
and the definitions of a municipality's own (local) indicators, in one model."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kvalitet.models import Indicator
from kvalitet.models.enums import IndicatorMeasure, IndicatorSource, UnitKind
from kvalitet.plugins.content import Label

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
# "eksport:148", "rapportering:np-5", "file:grunnskolepoeng", "local:<name>"
Table = Annotated[str, StringConstraints(pattern=r"^(eksport|rapportering|file|local):[A-Za-z0-9_.-]+$", max_length=80)]

TableKind = Literal["eksport", "rapportering", "file", "local"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Origin(_Strict):
    """Where in a table an indicator's figures are: its rows, and their value and count columns."""

    table: Table
    rows: dict[str, str] = Field(default_factory=dict)
    value: str
    respondents: str | None = None
    # "rapportering:" tables: the names of the column-header levels above the figures, top down.
    pivot: tuple[str, ...] = ()

    @property
    def kind(self) -> TableKind:
        return self.table.split(":", 1)[0]  # type: ignore[return-value]

    @property
    def name(self) -> str:
        return self.table.split(":", 1)[1]

    def selects(self, cells: dict[str, object]) -> bool:
        return all(cells.get(column) == wanted for column, wanted in self.rows.items())


class IndicatorDefinition(_Strict):
    code: Code
    names: Label
    source: IndicatorSource
    origin: Origin
    measure: IndicatorMeasure
    scale: tuple[Decimal, Decimal] | None = None
    higher_is_better: bool | None = None
    decimals: int = Field(default=1, ge=0, le=4)
    min_respondents: int | None = Field(default=None, gt=0)
    unit_kinds: tuple[UnitKind, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _scale_in_order(self) -> IndicatorDefinition:
        if self.scale is not None and self.scale[0] >= self.scale[1]:
            raise ValueError(f"{self.code}: the scale's lower end must be below its upper end")
        if self.source is IndicatorSource.LOCAL and self.min_respondents is None:
            raise ValueError(f"{self.code}: a local indicator states its own suppression threshold")
        return self

    def row(self, municipality_id=None) -> dict:
        """The `indicator` table's columns for this definition."""
        return {
            "code": self.code,
            "municipality_id": municipality_id,
            "names": self.names.model_dump(),
            "source": self.source.value,
            "source_table": self.origin.table,
            "measure": self.measure.value,
            "scale_min": self.scale[0] if self.scale else None,
            "scale_max": self.scale[1] if self.scale else None,
            "higher_is_better": self.higher_is_better,
            "decimals": self.decimals,
            "min_respondents": self.min_respondents,
            "unit_kinds": [kind.value for kind in self.unit_kinds],
        }


class CatalogueFile(_Strict):
    indicators: tuple[IndicatorDefinition, ...]

    @model_validator(mode="after")
    def _codes_unique(self) -> CatalogueFile:
        codes = [definition.code for definition in self.indicators]
        if len(codes) != len(set(codes)):
            raise ValueError("an indicator code is listed twice")
        return self


def _data(name: str) -> Path:
    return Path(str(resources.files("kvalitet") / "data" / name))


@cache
def national() -> dict[str, IndicatorDefinition]:
    """The national catalogue by code (read once; kvalitet/data/indicators.yaml)."""
    with _data("indicators.yaml").open(encoding="utf-8") as file:
        parsed = CatalogueFile.model_validate(yaml.safe_load(file))
    return {definition.code: definition for definition in parsed.indicators}


def of_table(table: str) -> list[IndicatorDefinition]:
    """The national indicators whose figures are in `table` ("eksport:148")."""
    return [definition for definition in national().values() if definition.origin.table == table]


def tables() -> list[str]:
    """Every table the national catalogue imports from, in catalogue order."""
    return list(dict.fromkeys(definition.origin.table for definition in national().values()))


# A municipality's own indicator is uploaded as CSV with these columns (kvalitet.indicators.local).
LOCAL_VALUE = "Verdi"
LOCAL_RESPONDENTS = "AntallBesvart"


def local_origin(code: str, table: str | None = None) -> Origin:
    """Where a municipality's own indicator's figures come from: its uploads, table `local:<code>`."""
    return Origin(table=table or f"local:{code}", value=LOCAL_VALUE, respondents=LOCAL_RESPONDENTS)


def definition_of(row: Indicator) -> IndicatorDefinition:
    """A stored indicator (local ones have no catalogue entry) as a definition."""
    if row.municipality_id is None and row.code in national():
        return national()[row.code]
    scale = (row.scale_min, row.scale_max) if row.scale_min is not None and row.scale_max is not None else None
    return IndicatorDefinition(
        code=row.code,
        names=Label.model_validate(row.names),
        source=IndicatorSource(row.source),
        origin=local_origin(row.code, row.source_table),
        measure=IndicatorMeasure(row.measure),
        scale=scale,
        higher_is_better=row.higher_is_better,
        decimals=row.decimals,
        min_respondents=row.min_respondents,
        unit_kinds=tuple(UnitKind(kind) for kind in row.unit_kinds),
    )


@cache
def county_splits() -> dict[str, tuple[str, ...]]:
    """Former county → the counties it was split into (kvalitet/data/regions.yaml)."""
    with _data("regions.yaml").open(encoding="utf-8") as file:
        data = yaml.safe_load(file)
    return {str(old): tuple(str(new) for new in news) for old, news in data["county_splits"].items()}


def former_counties(county: str) -> tuple[str, ...]:
    """The counties `county` was carved from: figures under them are another region's."""
    return tuple(old for old, news in county_splits().items() if county in news)
