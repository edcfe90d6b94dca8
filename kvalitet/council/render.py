"""An edition of the council report (or a draft's preview) as a web page and as a PDF.

Both are made from the edition's frozen `content` alone (kvalitet.services.council_reports
makes it), in the edition's language; every word around the figures comes from the message
catalogues (`council.*`). The PDF is the same page through WeasyPrint, as PDF/A-2a: archivable,
and tagged (headings, tables, figures with their text), with the PDF/UA identification added to
its XMP.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.resources import files
from typing import Any

import pikepdf
from babel.dates import format_date
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from kvalitet.council import charts
from kvalitet.council.paths import edition_path
from kvalitet.indicators.suppression import reason_text
from kvalitet.messages import text
from kvalitet.models.enums import FigureReason

PLACES = ("municipality", "county", "nation")


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("kvalitet.council", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _css() -> str:
    return files("kvalitet.council").joinpath("templates", "edition.css").read_text(encoding="utf-8")


@dataclass
class Chart:
    ident: str
    heading: str
    svg: Markup | None
    caption: str
    table_caption: str
    columns: list[str]
    rows: list[dict]
    notes: list[str] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str]
    charts: list[Chart]
    facts: list[str]
    measures: list[str]
    comments: list[dict]


def _say(locale: str):
    def say(key: str, **params: object) -> str:
        return text(f"council.{key}", **params).render(locale)

    return say


def number(value: Decimal | float | str, decimals: int, locale: str) -> str:
    """A figure as Norwegian writes it (decimal comma), or English (point), rounded half up as
    people round (not to even, and not through a float: 4.05 is 4,1)."""
    written = str(Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    return written if locale == "en" else written.replace(".", ",")


def school_year(year: int) -> str:
    return f"{year}–{(year + 1) % 100:02d}"


def _indicator_chart(ident: str, series: dict, locale: str) -> Chart:
    say = _say(locale)
    decimals = series.get("decimals") or 0
    points = series["points"]
    years = [school_year(p["school_year"]) for p in points]
    names = {place: say(f"place.{place}") for place in PLACES}
    notes: list[str] = []
    rows = []
    values: dict[str, list[Decimal | None]] = {place: [] for place in PLACES}
    for point, year in zip(points, years, strict=True):
        cells = []
        for place in PLACES:
            figure = point.get(place)
            values[place].append(Decimal(figure["value"]) if figure is not None and _reported(figure) else None)
            cells.append(_figure_cell(figure, decimals, locale, notes, f"{year}, {names[place].lower()}"))
        rows.append({"label": year, "cells": cells})
    heading = (
        series["name"]
        if series.get("grade") in (None, "all")
        else say("grade", name=series["name"], grade=series["grade"])
    )
    lines = [
        charts.Line(place, names[place], values[place]) for place in PLACES if any(v is not None for v in values[place])
    ]
    scale = series.get("scale")
    svg = None
    if lines:
        description = f"{years[-1]}: " + "; ".join(
            f"{names[place]}: {_said(points[-1].get(place), decimals, locale)}" for place in PLACES
        )
        svg = Markup(
            charts.line_chart(
                ident + "-chart",
                heading,
                description,
                years,
                lines,
                scale=(float(scale[0]), float(scale[1])) if scale else None,
                decimals=decimals,
                comma=locale != "en",
            )
        )
    caption = say(
        "chart_caption",
        first=years[0] if years else "",
        last=years[-1] if years else "",
    ) + (" " + say("higher_is_better") if series.get("higher_is_better") else "")
    return Chart(
        ident=ident,
        heading=heading,
        svg=svg,
        caption=caption,
        table_caption=say("table_caption", name=heading),
        columns=[say("school_year"), *names.values()],
        rows=rows,
        notes=notes,
    )


def _reported(figure: dict) -> bool:
    """A frozen figure has a number to show."""
    return figure["status"] == "reported" and figure["value"] is not None


def _said(figure: dict | None, decimals: int, locale: str) -> str:
    """A figure in words for a chart's description: its number, or that it is suppressed or missing."""
    say = _say(locale)
    if figure is not None and _reported(figure):
        return number(figure["value"], decimals, locale)
    return say("suppressed") if figure is not None and figure["status"] == "suppressed" else say("no_figure")


def _figure_cell(figure: dict | None, decimals: int, locale: str, notes: list[str], label: str) -> str:
    """A figure as the table shows it; one not reported says so, with a numbered note saying why."""
    say = _say(locale)
    if figure is not None and _reported(figure):
        return number(figure["value"], decimals, locale)
    if figure is None:
        return say("no_figure")
    reason = FigureReason(figure["reason"]) if figure.get("reason") else FigureReason.NO_DATA
    shown = say("suppressed") if figure["status"] == "suppressed" else say("no_figure")
    why = reason_text(reason, figure.get("threshold"), figure.get("name"), figure.get("code")).render(locale)
    notes.append(f"({len(notes) + 1}) {label}: {why}")
    return f"{shown} ({len(notes)})"


def _units_table(ident: str, entry: dict, locale: str) -> Chart:
    """Each unit's own latest figure of one indicator (and grade), as a table."""
    say = _say(locale)
    heading = (
        entry["name"] if entry.get("grade") in (None, "all") else say("grade", name=entry["name"], grade=entry["grade"])
    )
    notes: list[str] = []
    rows = [
        {
            "label": row["unit"],
            "cells": [
                school_year(row["school_year"]),
                _figure_cell(row["figure"], entry.get("decimals") or 0, locale, notes, row["unit"]),
            ],
        }
        for row in entry["units"]
    ]
    return Chart(
        ident=ident,
        heading=say("units_heading", name=heading),
        svg=None,
        caption=say("units_caption"),
        table_caption=say("units_table", name=heading),
        columns=[say("unit"), say("school_year"), say("figure")],
        rows=rows,
        notes=notes,
    )


def _area_chart(ident: str, area: dict, scale: list[dict], locale: str) -> Chart:
    say = _say(locale)
    label_of = {level["level"]: level["label"] for level in scale}
    bars = [(label_of.get(entry["level"], entry["level"]), entry["count"]) for entry in area["levels"]]
    description = "; ".join(f"{label}: {count}" for label, count in bars)
    return Chart(
        ident=ident,
        heading=area["title"],
        svg=Markup(charts.bar_chart(ident + "-chart", area["title"], description, bars)),
        caption=say("levels_caption", count=area["assessments"]),
        table_caption=say("levels_table", name=area["title"]),
        columns=[say("level"), say("assessments")],
        rows=[{"label": label, "cells": [str(count)]} for label, count in bars],
    )


def page_model(content: dict[str, Any], *, preview: bool = False, superseded_by: int | None = None) -> dict:
    """What the template shows, from an edition's (or a draft's) content."""
    locale = content["locale"]
    say = _say(locale)
    municipality = content["municipality"]["name"]
    year = content["year"]
    sections = []
    for index, section in enumerate(content["sections"]):
        charts_ = [
            _indicator_chart(f"s{index}-i{number_}", series, locale)
            for number_, series in enumerate(section.get("indicators") or [])
        ]
        charts_ += [
            _units_table(f"s{index}-u{number_}", entry, locale)
            for number_, entry in enumerate(section.get("units") or [])
        ]
        facts = []
        rollup = section.get("rollup")
        if "rollup" in section and rollup is None:
            facts.append(say("no_plan"))
        if rollup is not None:
            units = rollup["units"]
            facts.append(say("units_counted", counted=units["counted"], total=units["total"]))
            charts_ += [
                _area_chart(f"s{index}-a{number_}", area, content.get("scale") or [], locale)
                for number_, area in enumerate(rollup["areas"])
            ]
            if not rollup["areas"]:
                facts.append(say("no_assessments"))
        sections.append(
            Section(
                key=section["key"],
                title=section["title"],
                paragraphs=[p.strip() for p in (section.get("text") or "").split("\n\n") if p.strip()],
                charts=charts_,
                facts=facts,
                measures=list(section.get("measures") or []),
                comments=list(section.get("comments") or []),
            )
        )
    edition = content.get("edition")
    notices: list[dict] = []
    if preview:
        notices.append({"text": say("preview")})
    if superseded_by is not None:
        newer = edition_path(content["municipality"]["number"], year, superseded_by)
        notices.append({"text": say("superseded", number=superseded_by), "href": newer})
    if edition is not None:
        published = dt.datetime.fromisoformat(edition["published_at"]).date()
        byline = say(
            "byline",
            municipality=municipality,
            number=edition["number"],
            date=format_date(published, format="long", locale=locale),
        )
    else:
        drawn = dt.datetime.fromisoformat(content["figures_drawn_at"]).date()
        byline = say("byline_draft", municipality=municipality, date=format_date(drawn, format="long", locale=locale))
    title = f"{content['title']} {year}"
    return {
        "lang": locale,
        "title": title,
        "document_title": f"{title} – {municipality}",
        "municipality": municipality,
        "description": say("description", title=content["title"], municipality=municipality, year=year),
        "byline": byline,
        "notices": notices,
        "contents": say("contents"),
        "no_text": say("no_text"),
        "measures_ahead": say("measures_ahead"),
        "from_units": say("from_units"),
        "sections": sections,
        "footer": [say("sources")],
        "css": Markup(_css()),
    }


def page(content: dict[str, Any], *, preview: bool = False, superseded_by: int | None = None) -> str:
    model = page_model(content, preview=preview, superseded_by=superseded_by)
    return _environment().get_template("edition.html").render(page=model)


# PDF/UA-1's identification in XMP, with the extension schema PDF/A asks for a namespace it does
# not predefine (ISO 19005-2, 6.6.2.3). WeasyPrint writes PDF/A-2a, which is tagged, but has no
# variant that is both; this says it is PDF/UA too, inside WeasyPrint's own rdf:RDF.
_PDFUA_XMP = b"""<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
  xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
 <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
  <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
  <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
  <pdfaSchema:schema>PDF/UA identification schema</pdfaSchema:schema>
  <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
   <pdfaProperty:category>internal</pdfaProperty:category>
   <pdfaProperty:description>PDF/UA version identifier</pdfaProperty:description>
   <pdfaProperty:name>part</pdfaProperty:name>
   <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
  </rdf:li></rdf:Seq></pdfaSchema:property>
 </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>1</pdfuaid:part></rdf:Description>
"""


def _declare_pdfua(written: bytes) -> bytes:
    """The PDF with `_PDFUA_XMP` in its XMP packet (pikepdf rewrites the file's cross-reference;
    streams are left as WeasyPrint compressed them, the metadata stream unfiltered)."""
    with pikepdf.open(io.BytesIO(written)) as pdf:
        packet = pdf.Root.Metadata.read_bytes()
        assert b"</rdf:RDF>" in packet
        pdf.Root.Metadata.write(packet.replace(b"</rdf:RDF>", _PDFUA_XMP + b"</rdf:RDF>", 1))
        out = io.BytesIO()
        pdf.save(out, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        return out.getvalue()


class RenditionUnavailable(RuntimeError):
    """The PDF cannot be made on this machine: WeasyPrint's system libraries (Pango) are missing."""


def pdf(content: dict[str, Any]) -> bytes:
    """The edition as a tagged PDF/A-2a with PDF/UA identification. CPU-bound (a second or two):
    the web layer runs it in a worker thread."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]  # ships no types
    except OSError as error:  # WeasyPrint loads Pango with ctypes when imported
        raise RenditionUnavailable(str(error)) from error
    written = HTML(string=page(content)).write_pdf(pdf_variant="pdf/a-2a", pdf_tags=True)
    assert written is not None
    return _declare_pdfua(written)
