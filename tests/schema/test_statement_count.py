"""The number of SQL statements for a request depends on the query's depth, not on the rows."""

from tests.support.data import DEEP, add_copies


def _rows_in(data) -> int:
    """How many objects a response holds (to show the data really grew)."""
    if isinstance(data, dict):
        return 1 + sum(_rows_in(v) for v in data.values())
    if isinstance(data, list):
        return sum(_rows_in(v) for v in data)
    return 0


async def test_statements_do_not_grow_with_rows(gql, database, profiles, demo, statements):
    statements.reset()
    small = await gql(DEEP)
    small_count = statements.count

    await add_copies(database, profiles, copies=3)
    statements.reset()
    large = await gql(DEEP)
    large_count = statements.count

    assert _rows_in(large) > 3 * _rows_in(small)
    assert large_count == small_count, "\n\n".join(statements.statements)
    # One statement per level of nesting that reads a table: municipalities, plans, areas,
    # children, goals, criteria (of goals), criteria (of areas), measures, units, municipality.
    assert small_count <= 10
