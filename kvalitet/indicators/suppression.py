"""What may be shown of a municipality's own figures, so that no suppressed figure can be had,
neither read nor worked out by difference.

Udir's figures arrive suppressed by Udir («*», with its own secondary suppression) and are
stored as they come; the only things computed from them here are differences of two reported
figures, which cannot reveal a hidden one. A municipality's own survey (a local indicator) is
uploaded with the true numbers, so here is where they are protected:

1. primary: a figure with fewer respondents than the indicator's threshold is suppressed
   (`rows.figures_of`, reason `below_threshold`), its count with it;
2. complementary: a municipality's figure is, with its units' figures, one equation (the
   total's sum equals the sum of the parts'). With exactly one part hidden and the total shown,
   the hidden one would be the difference; so the smallest other part with respondents is
   hidden too (reason `complementary`), or the total when there is none. Local figures are uploaded for all
   grades and genders together, so the units under their municipality are the only equation and
   this rule is enough;
3. roll-ups: a total worked out here from the parts (`roll_up`) is shown only when no part is
   hidden (reason `contains_suppressed` otherwise), and only when it has enough respondents.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from kvalitet.indicators.rows import Figure, Place
from kvalitet.messages import Text, text
from kvalitet.models.enums import FigureReason, FigureStatus, IndicatorLevel


def _hidden(figure: Figure, reason: FigureReason) -> Figure:
    return dataclasses.replace(figure, value=None, n=None, status=FigureStatus.SUPPRESSED, reason=reason)


def protect(figures: Iterable[Figure]) -> list[Figure]:
    """Complementary suppression of a local upload: no total shown with exactly one part hidden."""
    figures = list(figures)
    groups: dict[tuple, list[int]] = defaultdict(list)
    totals: dict[tuple, int] = {}
    for index, figure in enumerate(figures):
        key = (figure.indicator, figure.school_year, figure.grade, figure.gender)
        if figure.place.level is IndicatorLevel.UNIT and figure.place.municipality_code:
            groups[(*key, figure.place.municipality_code)].append(index)
        elif figure.place.level is IndicatorLevel.MUNICIPALITY:
            totals[(*key, figure.place.code)] = index
    for group, parts in groups.items():
        total = totals.get(group)
        if total is None or figures[total].status is not FigureStatus.REPORTED:
            continue
        # Unknowns of the equation: hidden parts, and parts with respondents but no figure.
        hidden = [
            i
            for i in parts
            if figures[i].status is FigureStatus.SUPPRESSED
            or (figures[i].status is FigureStatus.MISSING and figures[i].n)
        ]
        if len(hidden) != 1:
            continue
        # Parts without respondents add nothing to the total: hiding one would protect nothing.
        shown = [i for i in parts if figures[i].status is FigureStatus.REPORTED and (figures[i].n or 0) > 0]
        if shown:
            smallest = min(shown, key=lambda i: (figures[i].n or 0, figures[i].place.code))
            figures[smallest] = _hidden(figures[smallest], FigureReason.COMPLEMENTARY)
        else:
            figures[total] = _hidden(figures[total], FigureReason.COMPLEMENTARY)
    return figures


@dataclasses.dataclass(frozen=True)
class Rolled:
    value: Decimal | None
    n: int | None
    status: FigureStatus
    reason: FigureReason | None


def roll_up(parts: Iterable[tuple[Decimal | None, int | None, str]], threshold: int | None) -> Rolled:
    """The respondent-weighted mean of `parts` (value, n, status): shown only when every part is
    shown with its count, and the respondents reach `threshold`."""
    # A part with no figure and no respondents adds nothing.
    parts = [part for part in parts if not (part[2] == FigureStatus.MISSING and not part[1])]
    if not parts:
        return Rolled(None, None, FigureStatus.MISSING, FigureReason.NO_DATA)
    if any(status != FigureStatus.REPORTED or n is None or value is None for value, n, status in parts):
        return Rolled(None, None, FigureStatus.SUPPRESSED, FigureReason.CONTAINS_SUPPRESSED)
    total = sum(n for _, n, _ in parts if n is not None)
    if total == 0 or (threshold is not None and total < threshold):
        return Rolled(None, None, FigureStatus.SUPPRESSED, FigureReason.BELOW_THRESHOLD)
    weighted = sum((value * n for value, n, _ in parts if value is not None and n is not None), Decimal(0))
    return Rolled(weighted / total, total, FigureStatus.REPORTED, None)


def municipality_place(code: str, name: str | None = None) -> Place:
    return Place(IndicatorLevel.MUNICIPALITY, code, name)


def reason_text(reason: FigureReason, threshold: int | None, name: str | None, code: str | None) -> Text:
    """Why a figure is not shown, to people (`figure.<reason>`): the threshold it fell below, or
    the other region a series break's figure belongs to."""
    params: dict[str, object] = {}
    if reason is FigureReason.BELOW_THRESHOLD:
        params["threshold"] = threshold or 0
    if reason is FigureReason.SERIES_BREAK:
        params["region"] = f"{name} ({code})" if name else code
    return text(f"figure.{reason.value}", **params)
