"""Data that grows: a deep query, and more plans and units for it to read."""

from sqlalchemy import select

from kvalitet.models import Municipality, Unit
from kvalitet.services.plans import create_plan_from_content

DEEP = """
{ municipalities { name plans { title areas {
    title children { title goals { text criteria { text } } }
    criteria { text } measures { text } } }
    units(first: 20) { totalCount edges { node { name municipality { number } } } } } }
"""


async def add_copies(database, profiles, copies: int) -> None:
    """More plans and units in every municipality: more rows, the same query."""
    async with database.session() as session, session.begin():
        for municipality in (await session.scalars(select(Municipality))).all():
            content = profiles.plan_content(municipality.profile_code)
            for i in range(copies):
                await create_plan_from_content(session, municipality, content, profile_code=None)
                session.add(Unit(municipality_id=municipality.id, name=f"Ekstra {i}", kind="school"))
