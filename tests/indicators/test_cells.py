"""A cell of Udir's statistics as Udir writes it: decimal comma, space-grouped thousands, «*»
suppressed, «-» or empty for no data; anything else stops the import."""

from decimal import Decimal

import pytest

from kvalitet.indicators.cells import CellError, CellKind, parse_cell, parse_count


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("3,1", Decimal("3.1")),
        ("0,0", Decimal("0")),
        ("5 943", Decimal("5943")),
        ("5\u00a0943", Decimal("5943")),
        ("55\u202f112,5", Decimal("55112.5")),
        ("-1,4", Decimal("-1.4")),
        (" 49 ", Decimal("49")),
        (7, Decimal("7")),
        (2.5, Decimal("2.5")),
    ],
)
def test_numbers_written_the_norwegian_way(raw, number):
    cell = parse_cell(raw)
    assert cell.kind is CellKind.NUMBER and cell.number == number


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("*", CellKind.SUPPRESSED), (" * ", CellKind.SUPPRESSED), ("-", CellKind.NO_DATA), ("", CellKind.NO_DATA)],
)
def test_markers_are_not_numbers(raw, kind):
    cell = parse_cell(raw)
    assert cell.kind is kind and cell.number is None


def test_null_means_the_value_does_not_apply():
    assert parse_cell(None).kind is CellKind.NOT_APPLICABLE


@pytest.mark.parametrize(
    "raw", ["4l,7", "3,1,2", "1 23", "12 3456", "..", "**", "n/a", "3,", "4.5", "1.234", True, [1]]
)
def test_anything_else_stops_the_import(raw):
    with pytest.raises(CellError):
        parse_cell(raw)


def test_a_count_is_whole_and_not_negative():
    assert parse_count("1 289").number == 1289
    assert parse_count("*").kind is CellKind.SUPPRESSED
    for raw in ("12,5", "-3"):
        with pytest.raises(CellError):
            parse_count(raw)
