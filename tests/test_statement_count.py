"""The number of SQL statements for a request depends on the query's depth, not on the rows."""

from sqlalchemy import select

from kvalitet.models import Municipality, Unit
from kvalitet.services.plans import create_plan_from_content

DEEP = """
{ municipalities { name plans { title areas {
    title children { title goals { text criteria { text } } }
    criteria { text } measures { text } } }
    units(first: 20) { totalCount edges { node { name municipality { number } } } } } }
"""


async def _add_copies(database, profiles, copies: int) -> None:
    """More plans and units in every municipality: more rows, the same query."""
    async with database.session() as session, session.begin():
        for municipality in (await session.scalars(select(Municipality))).all():
            content = profiles.plan_content(municipality.profile_code)
            for i in range(copies):
                await create_plan_from_content(session, municipality, content, profile_code=None)
                session.add(Unit(municipality_id=municipality.id, name=f"Ekstra {i}", kind="school"))


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

    await _add_copies(database, profiles, copies=3)
    statements.reset()
    large = await gql(DEEP)
    large_count = statements.count

    assert _rows_in(large) > 3 * _rows_in(small)
    assert large_count == small_count, "\n\n".join(statements.statements)
    # One statement per level of nesting that reads a table: municipalities, plans, areas,
    # children, goals, criteria (of goals), criteria (of areas), measures, units, municipality.
    assert small_count <= 10
