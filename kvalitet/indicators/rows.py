"""From the sources' rows to figures: one `Figure` per indicator, place, school year, grade and
gender, its suppression kept.

Two shapes come in, both read into `SourceRow`s (a place and its cells):

- flat rows, as the export API's data pages and the portal's downloaded files give them: one
  object (or CSV line) per row, the place in `Fylkekode` / `Kommunekode` / `Organisasjonsnummer`
  (the most specific one filled is the row's level), the year in `Skoleaarnavn`, grade in
  `Trinnnavn`, gender in `Kjoenn` (column names from the export API's tables, docs/indicators.md);
- pivots, as statistikkportalen's reporting API answers: `metadata.columns` are header levels
  whose leaves are the figures' columns, and each of `rows[]` is a place (its depth in
  `rowHierarchy` by its dotted `id`) with one string per leaf.

Whatever does not fit is a changed answer: `ShapeError` names where, and the import stops
before writing anything.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from kvalitet.indicators.catalogue import IndicatorDefinition
from kvalitet.indicators.cells import Cell, CellError, CellKind, parse_cell, parse_count
from kvalitet.messages import Text, text
from kvalitet.models.enums import FigureReason, FigureStatus, Gender, IndicatorLevel

NATION_CODE = "NO"

_YEAR = re.compile(r"([0-9]{4})-([0-9]{2})")
_GRADE = re.compile(r"([0-9]{1,2})\.\s*(?:års)?trinn", re.IGNORECASE)
_UPPER_SECONDARY = re.compile(r"Videregående trinn ([1-3])", re.IGNORECASE)
_ALL_GRADES = {"", "alle trinn", "alle årstrinn"}
_GENDERS = {"": Gender.ALL, "alle kjønn": Gender.ALL, "jenter": Gender.GIRLS, "gutter": Gender.BOYS}
_DIGITS = {IndicatorLevel.COUNTY: 2, IndicatorLevel.MUNICIPALITY: 4, IndicatorLevel.UNIT: 9}
# The reporting API's row hierarchy, by the names its metadata gives the levels.
_HIERARCHY = {
    "nasjonalt": IndicatorLevel.NATION,
    "fylke": IndicatorLevel.COUNTY,
    "kommune": IndicatorLevel.MUNICIPALITY,
    "enhet": IndicatorLevel.UNIT,
}


class ShapeError(ValueError):
    """The answer is not in the shape this importer reads: nothing of it is imported. Carries a
    catalogued text (`indicator_file.*`) naming where: `table/page:row` or `file:line`."""

    def __init__(self, message: Text):
        super().__init__(message.render("en"))
        self.text = message


@dataclass(frozen=True)
class Place:
    level: IndicatorLevel
    code: str
    name: str | None = None
    # A unit's municipality, as the source gives it.
    municipality_code: str | None = None


@dataclass(frozen=True)
class SourceRow:
    place: Place
    cells: dict[str, object]
    # Where the row is, for messages: "eksport:148/2:17" (page 2, row 17), "trivsel.csv:5" (line 5).
    where: str


@dataclass(frozen=True)
class Figure:
    indicator: str
    place: Place
    school_year: int
    grade: str
    gender: Gender
    value: Decimal | None
    n: int | None
    status: FigureStatus
    reason: FigureReason | None

    @property
    def key(self) -> tuple:
        return (
            self.indicator,
            self.place.level.value,
            self.place.code,
            self.school_year,
            self.grade,
            self.gender.value,
        )

    def canonical(self) -> list:
        """The figure as plain values: what the checksum is taken of."""
        return [
            *self.key,
            self.place.municipality_code,
            self.place.name,
            None if self.value is None else str(self.value.normalize()),
            self.n,
            self.status.value,
            None if self.reason is None else self.reason.value,
        ]


@dataclass
class Extract:
    """What a source's rows gave: the figures, and how many rows were read and passed over."""

    figures: list[Figure] = field(default_factory=list)
    rows_read: int = 0
    rows_skipped: int = 0

    def checksum(self) -> str:
        canonical = sorted((figure.canonical() for figure in self.figures), key=json.dumps)
        return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _code(level: IndicatorLevel, value: str, where: str) -> str:
    digits = _DIGITS[level]
    if not (value.isdigit() and len(value) == digits):
        raise ShapeError(text("indicator_file.place_number", where=where, value=value, digits=digits))
    return value


def flat_rows(rows: object, where: str, offset: int = 0) -> Iterator[SourceRow]:
    """The export API's or a downloaded file's rows, each with its place; a row is named
    `where:<its number + offset>` (a CSV's first row is its line 2)."""
    if not isinstance(rows, list):
        raise ShapeError(text("indicator_file.not_rows", where=where))
    for index, row in enumerate(rows, start=1):
        at = f"{where}:{index + offset}"
        if not isinstance(row, dict):
            raise ShapeError(text("indicator_file.not_rows", where=at))
        org, municipality, county = (_text(row.get(c)) for c in ("Organisasjonsnummer", "Kommunekode", "Fylkekode"))
        if org:
            place = Place(
                IndicatorLevel.UNIT,
                _code(IndicatorLevel.UNIT, org, at),
                _text(row.get("EnhetNavn")) or None,
                _code(IndicatorLevel.MUNICIPALITY, municipality, at) if municipality else None,
            )
        elif municipality:
            place = Place(
                IndicatorLevel.MUNICIPALITY,
                _code(IndicatorLevel.MUNICIPALITY, municipality, at),
                _text(row.get("Kommune")) or None,
            )
        elif county:
            place = Place(
                IndicatorLevel.COUNTY, _code(IndicatorLevel.COUNTY, county, at), _text(row.get("Fylke")) or None
            )
        else:
            place = Place(IndicatorLevel.NATION, NATION_CODE, _text(row.get("Nasjonalt")) or None)
        yield SourceRow(place, row, at)


def pivot_rows(body: object, pivot: Sequence[str], where: str) -> Iterator[SourceRow]:
    """A reporting-API pivot as rows: one per place and header path, the leaf headers as columns."""
    if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict) or "rows" not in body:
        raise ShapeError(text("indicator_file.pivot", where=where))
    metadata, rows = body["metadata"], body["rows"]
    columns, hierarchy = metadata.get("columns"), metadata.get("rowHierarchy")
    if not isinstance(rows, list) or not isinstance(columns, list):
        raise ShapeError(text("indicator_file.pivot", where=where))
    if not rows and not columns:
        return  # no cohort: the figures are absent, not suppressed
    if not isinstance(hierarchy, list) or len(columns) != len(pivot) + 1:
        raise ShapeError(text("indicator_file.pivot", where=where))
    leaves = _leaf_paths(columns, where)
    levels = [_HIERARCHY.get(_text(name).lower()) for name in hierarchy]
    codes_by_id: dict[str, str] = {}
    for index, row in enumerate(rows, start=1):
        at = f"{where}:{index}"
        if not isinstance(row, dict) or not isinstance(row.get("data"), list):
            raise ShapeError(text("indicator_file.pivot", where=at))
        row_id, code, data = _text(row.get("id")), _text(row.get("kode")), row["data"]
        if len(data) != len(leaves):
            raise ShapeError(text("indicator_file.pivot", where=at))
        depth = row_id.count(".") + 1
        level = levels[depth - 1] if 0 < depth <= len(levels) else None
        if level is None:
            raise ShapeError(text("indicator_file.pivot", where=at))
        codes_by_id[row_id] = code
        if level is IndicatorLevel.NATION:
            place = Place(level, NATION_CODE, _text(row.get("navn")) or None)
        else:
            parent = codes_by_id.get(row_id.rsplit(".", 1)[0]) if level is IndicatorLevel.UNIT else None
            place = Place(level, _code(level, code, at), _text(row.get("navn")) or None, parent)
        groups: dict[tuple[str, ...], dict[str, object]] = {}
        for path, value in zip(leaves, data, strict=True):
            groups.setdefault(path[:-1], {})[path[-1]] = value
        for headers, figures in groups.items():
            yield SourceRow(place, {**dict(zip(pivot, headers, strict=True)), **figures}, at)


def _leaf_paths(columns: list, where: str) -> list[tuple[str, ...]]:
    """Each leaf column's header path, top level first (a header spans `columnCount` leaves)."""
    spans: list[list[tuple[str, int]]] = []
    for level in columns:
        if not isinstance(level, list) or not all(isinstance(h, dict) for h in level):
            raise ShapeError(text("indicator_file.pivot", where=where))
        spans.append([(_text(h.get("name")), int(h.get("columnCount") or 1)) for h in level])
    width = sum(count for _, count in spans[-1])
    paths: list[list[str]] = [[] for _ in range(width)]
    for level in spans:
        if sum(count for _, count in level) != width:
            # Upper levels repeat over the leaves below them when they name fewer.
            total = sum(count for _, count in level)
            if total == 0 or width % total:
                raise ShapeError(text("indicator_file.pivot", where=where))
            level = level * (width // total)
        names = [name for name, count in level for _ in range(count)]
        for path, name in zip(paths, names, strict=True):
            path.append(name)
    return [tuple(path) for path in paths]


def _school_year(value: object, where: str) -> int:
    match = _YEAR.fullmatch(_text(value))
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ShapeError(text("indicator_file.school_year", where=where, value=_text(value)))
    return int(match[1])


def _grade(value: object, where: str) -> str:
    written = _text(value)
    if written.lower() in _ALL_GRADES:
        return "all"
    if match := _GRADE.fullmatch(written):
        return str(int(match[1]))
    if match := _UPPER_SECONDARY.fullmatch(written):
        return f"vg{match[1]}"
    raise ShapeError(text("indicator_file.grade", where=where, value=written))


def _gender(value: object, where: str) -> Gender:
    gender = _GENDERS.get(_text(value).lower())
    if gender is None:
        raise ShapeError(text("indicator_file.gender", where=where, value=_text(value)))
    return gender


def _status(
    value: Cell, n: Cell, threshold: int | None
) -> tuple[Decimal | None, int | None, FigureStatus, FigureReason | None]:
    count = int(n.number) if n.kind is CellKind.NUMBER and n.number is not None else None
    if value.kind is CellKind.SUPPRESSED:
        return None, count, FigureStatus.SUPPRESSED, FigureReason.SOURCE
    if value.kind is not CellKind.NUMBER:
        return None, count, FigureStatus.MISSING, FigureReason.NO_DATA
    if threshold is not None and count is not None and count < threshold:
        # The count says how few answered; it goes with the figure.
        return None, None, FigureStatus.SUPPRESSED, FigureReason.BELOW_THRESHOLD
    return value.number, count, FigureStatus.REPORTED, None


def figures_of(rows: Iterable[SourceRow], definitions: Sequence[IndicatorDefinition]) -> Extract:
    """The figures of `definitions` in `rows`. Rows of none of them are passed over; a row
    listed twice must say the same both times (the export API repeats rows)."""
    extract = Extract()
    seen: dict[tuple, Figure] = {}
    required = {"Skoleaarnavn"} | {c for d in definitions for c in (*d.origin.rows, d.origin.value)}
    required |= {d.origin.respondents for d in definitions if d.origin.respondents}
    for row in rows:
        extract.rows_read += 1
        missing = sorted(required - row.cells.keys())
        if missing:
            raise ShapeError(text("indicator_file.missing_columns", where=row.where, columns=", ".join(missing)))
        chosen = [d for d in definitions if d.origin.selects(row.cells)]
        if not chosen:
            extract.rows_skipped += 1
            continue
        year = _school_year(row.cells["Skoleaarnavn"], row.where)
        grade = _grade(row.cells.get("Trinnnavn"), row.where)
        gender = _gender(row.cells.get("Kjoenn"), row.where)
        for definition in chosen:
            origin = definition.origin
            try:
                value = parse_cell(row.cells[origin.value])
            except CellError:
                raise ShapeError(
                    text("indicator_file.not_a_number", where=row.where, value=_text(row.cells[origin.value]))
                ) from None
            try:
                n = parse_count(row.cells[origin.respondents]) if origin.respondents else Cell(CellKind.NOT_APPLICABLE)
            except CellError:
                written = _text(row.cells[origin.respondents or ""])
                raise ShapeError(text("indicator_file.not_a_count", where=row.where, value=written)) from None
            figure = Figure(
                definition.code, row.place, year, grade, gender, *_status(value, n, definition.min_respondents)
            )
            earlier = seen.get(figure.key)
            if earlier is None:
                seen[figure.key] = figure
                extract.figures.append(figure)
            elif earlier != figure:
                raise ShapeError(text("indicator_file.conflicting", where=row.where, indicator=definition.code))
    if extract.rows_read and not extract.figures:
        codes = ", ".join(d.code for d in definitions)
        raise ShapeError(text("indicator_file.no_figures", rows=extract.rows_read, indicators=codes))
    return extract
