"""Charts of the council report as SVG, drawn on the server: inline in the page, and vector in the
PDF (WeasyPrint draws inline SVG).

Written by hand, not with a charting library: what the page needs of a chart is what the
libraries make hard (a `<title>` and `<desc>` it is labelled by, series told apart by line and
marker as well as colour, a suppressed year as a gap with a mark, no script), and the two
shapes here (a series over years beside county and nation, and counts per level) are small.
Every chart stands beside a table of its figures (the templates), which is its full text
alternative; the `<desc>` says the figures of the last year in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

# Told apart by colour, line and marker alike (WCAG 1.4.1, nothing said by colour alone); each
# colour has at least 4.5:1 against white (1.4.11 asks 3:1 of graphics).
SERIES_STYLES = {
    "municipality": ("#1d4f91", "", "circle"),
    "county": ("#8a4500", "6 4", "square"),
    "nation": ("#3d3d3d", "2 3", "triangle"),
}
WIDTH, HEIGHT = 560, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 150, 16, 36


@dataclass(frozen=True)
class Line:
    """One series of a chart: its key (a `SERIES_STYLES` key), its name, its value each year (None: no
    figure, or one not reported)."""

    key: str
    name: str
    values: Sequence[Decimal | float | None]


def _number(value: Decimal | float, decimals: int, comma: bool) -> str:
    written = f"{float(value):.{decimals}f}"
    return written.replace(".", ",") if comma else written


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y + 4:.1f} L{x - 5:.1f} {y + 4:.1f} Z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'


def line_chart(
    ident: str,
    title: str,
    description: str,
    years: Sequence[str],
    lines: Sequence[Line],
    *,
    scale: tuple[float, float] | None = None,
    decimals: int = 1,
    comma: bool = True,
) -> str:
    """A series per line over `years` (labels), with a legend that names each line beside its
    sample. `scale`: the indicator's own range (a 1–5 score), else from the figures."""
    values = [float(v) for line in lines for v in line.values if v is not None]
    low, high = scale if scale is not None else (min(values, default=0.0), max(values, default=1.0))
    if scale is None:
        low, high = min(0.0, low), high * 1.1 if high > 0 else 1.0
    span = (high - low) or 1.0
    inner_w, inner_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    step = inner_w / max(len(years) - 1, 1)

    def x_of(index: int) -> float:
        return _LEFT + (index * step if len(years) > 1 else inner_w / 2)

    def y_of(value: float) -> float:
        return _TOP + inner_h - (value - low) / span * inner_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" class="chart">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    for tick in range(5):  # the value axis: five labelled lines
        at = low + span * tick / 4
        y = y_of(at)
        parts.append(f'<line x1="{_LEFT}" x2="{_LEFT + inner_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d0d0"/>')
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#222">'
            f"{_number(at, decimals, comma)}</text>"
        )
    for index, year in enumerate(years):
        parts.append(
            f'<text x="{x_of(index):.1f}" y="{HEIGHT - _BOTTOM + 18}" text-anchor="middle" font-size="11" '
            f'fill="#222">{escape(year)}</text>'
        )
    for row, line in enumerate(lines):
        colour, dash, shape = SERIES_STYLES[line.key]
        segment: list[str] = []
        segments = []
        for index, value in enumerate(line.values):
            if value is None:  # a gap: no line is drawn through a year with no reported figure
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x_of(index):.1f},{y_of(float(value)):.1f}")
            parts.append(_marker(shape, x_of(index), y_of(float(value)), colour))
        if segment:
            segments.append(segment)
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        for points in segments:
            if len(points) > 1:
                parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"{dashes}/>'
                )
        legend_y = _TOP + 14 + row * 22  # the legend: a sample of line and marker, then the name
        legend_x = WIDTH - _RIGHT + 14
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 26}" y1="{legend_y}" y2="{legend_y}" stroke="{colour}" '
            f'stroke-width="2"{dashes}/>'
        )
        parts.append(_marker(shape, legend_x + 13, legend_y, colour))
        parts.append(
            f'<text x="{legend_x + 32}" y="{legend_y + 4}" font-size="11" fill="#222">{escape(line.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(ident: str, title: str, description: str, bars: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars, one per label (a level of the scale), each with its count written at its
    end: the length and the number say the same, in one colour."""
    height = _TOP + 24 * len(bars) + 8
    label_w, inner_w = 190, WIDTH - 190 - 60
    top = max((count for _, count in bars), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" class="chart">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    for index, (label, count) in enumerate(bars):
        y = _TOP + index * 24
        width = inner_w * count / top
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" font-size="12" fill="#222">{escape(label)}</text>'
        )
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{width:.1f}" height="16" fill="#1d4f91"/>')
        parts.append(f'<text x="{label_w + width + 6:.1f}" y="{y + 14}" font-size="12" fill="#222">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)
