"""No suppressed figure can be had from what the API shows: not read, and not worked out by
difference from totals and roll-ups.

Random tables of a municipality's units (respondents, true values, a threshold, with or without
the municipality's total row) go through what an upload goes through (primary suppression in
`figures_of`, complementary suppression in `protect`) and what the API computes (`roll_up`,
differences in `series.Point`). Every figure shown is a linear equation over the units' sums
(value × respondents); a hidden unit's sum must not follow from them: its unit vector must lie
outside the row space of the equations (exact rank over the rationals).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from kvalitet.indicators import series
from kvalitet.indicators.catalogue import IndicatorDefinition, Origin
from kvalitet.indicators.rows import Place, SourceRow, figures_of
from kvalitet.indicators.suppression import protect, roll_up
from kvalitet.models.enums import FigureReason, FigureStatus, IndicatorLevel

MUNICIPALITY = "5501"


def _definition(threshold: int) -> IndicatorDefinition:
    return IndicatorDefinition.model_validate(
        {
            "code": "local.trivsel",
            "names": {"nb": "Trivsel", "nn": "Trivsel", "en": "Well-being"},
            "source": "local",
            "origin": Origin(table="local:trivsel", value="Verdi", respondents="AntallBesvart"),
            "measure": "score",
            "scale": [1, 5],
            "min_respondents": threshold,
            "unit_kinds": ["kindergarten"],
        }
    )


def _rank(rows: list[list[Fraction]]) -> int:
    """Rank by Gaussian elimination over the rationals."""
    rows = [row[:] for row in rows if any(row)]
    rank, columns = 0, len(rows[0]) if rows else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column] / rows[rank][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def _determined(equations: list[list[Fraction]], unknown: int, size: int) -> bool:
    """Whether the equations (coefficients over the hidden sums) fix hidden sum `unknown`."""
    target = [Fraction(int(i == unknown)) for i in range(size)]
    return bool(equations) and _rank([*equations, target]) == _rank(equations)


units_strategy = st.lists(
    st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=10, max_value=50)),
    min_size=1,
    max_size=7,
)


@settings(max_examples=300, deadline=None)
@given(units=units_strategy, threshold=st.integers(min_value=2, max_value=12), with_total=st.booleans())
def test_no_hidden_figure_follows_from_what_is_shown(units, threshold, with_total):
    # (respondents, value × 10): a unit with no respondents has no figure at all.
    rows = []
    for index, (n, tenths) in enumerate(units):
        org = f"99110{index:04d}"
        value = f"{tenths // 10},{tenths % 10}" if n else "-"
        rows.append(
            SourceRow(
                Place(IndicatorLevel.UNIT, org, None, MUNICIPALITY),
                {"Skoleaarnavn": "2024-25", "Verdi": value, "AntallBesvart": str(n)},
                f"row {index}",
            )
        )
    answered = [(n, Fraction(t, 10)) for n, t in units if n]
    total_n = sum(n for n, _ in answered)
    if with_total and total_n:
        mean = sum(n * v for n, v in answered) / total_n
        rows.append(
            SourceRow(
                Place(IndicatorLevel.MUNICIPALITY, MUNICIPALITY),
                # The exact mean, so that the equation is exact (the worst case for privacy).
                {"Skoleaarnavn": "2024-25", "Verdi": float(mean), "AntallBesvart": str(total_n)},
                "total",
            )
        )
    figures = protect(figures_of(rows, [_definition(threshold)]).figures)
    unit_figures = [f for f in figures if f.place.level is IndicatorLevel.UNIT]
    hidden = [i for i, f in enumerate(unit_figures) if f.status is FigureStatus.SUPPRESSED]
    for figure in figures:
        if figure.status is FigureStatus.SUPPRESSED:
            assert figure.value is None and figure.n is None and figure.reason is not None

    # What the API shows: the units' figures, the uploaded total, and its own roll-up of the units.
    shown_totals = [f for f in figures if f.place.level is IndicatorLevel.MUNICIPALITY and f.status == "reported"]
    rolled = roll_up(((f.value, f.n, f.status) for f in unit_figures), threshold)
    equations = []
    for _total in shown_totals:
        equations.append([Fraction(1)] * len(hidden))  # the total covers every unit
    if rolled.status is FigureStatus.REPORTED:
        assert not hidden, "a roll-up over a hidden figure was shown"
    for unknown in range(len(hidden)):
        assert not _determined(equations, unknown, len(hidden)), (units, threshold, figures)


@given(
    own=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=1)),
    other=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=1)),
)
def test_a_difference_is_given_only_between_two_reported_figures(own, other):
    def figure(value):
        if value is None:
            return series.Figure(
                IndicatorLevel.NATION, "NO", None, None, None, FigureStatus.SUPPRESSED, FigureReason.SOURCE
            )
        return series.Figure(IndicatorLevel.NATION, "NO", None, value, 10, FigureStatus.REPORTED, None)

    point = series.Point(2024, own=figure(own))
    difference = point.difference(figure(other))
    assert (difference is None) == (own is None or other is None)
    if difference is not None:
        assert difference == own - other


def test_a_single_hidden_unit_hides_a_second_beside_a_shown_total():
    rows = [
        SourceRow(
            Place(IndicatorLevel.UNIT, org, None, MUNICIPALITY),
            {"Skoleaarnavn": "2024-25", "Verdi": v, "AntallBesvart": n},
            org,
        )
        for org, v, n in (("991100083", "4,0", "3"), ("991100091", "3,5", "20"), ("991100105", "4,5", "30"))
    ]
    rows.append(
        SourceRow(
            Place(IndicatorLevel.MUNICIPALITY, MUNICIPALITY),
            {"Skoleaarnavn": "2024-25", "Verdi": "4,1", "AntallBesvart": "53"},
            "total",
        )
    )
    figures = {f.place.code: f for f in protect(figures_of(rows, [_definition(5)]).figures)}
    assert figures["991100083"].reason is FigureReason.BELOW_THRESHOLD
    # The smaller of the two others goes too, so the total minus the rest is two units' sum.
    assert figures["991100091"].reason is FigureReason.COMPLEMENTARY
    assert figures["991100105"].status is FigureStatus.REPORTED and figures["991100105"].value == Decimal("4.5")
    assert figures[MUNICIPALITY].status is FigureStatus.REPORTED
