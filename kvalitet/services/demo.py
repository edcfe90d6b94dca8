"""Demo data: each installed profile's municipality, its plan and a few invented units."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kvalitet.db import current_actor
from kvalitet.models import Municipality, Plan, Unit
from kvalitet.plugins import Profiles
from kvalitet.services.catalogue import sync_national_goals
from kvalitet.services.plans import create_plan_from_content

DEMO_ACTOR = "system:demo"


async def load_demo(session: AsyncSession, profiles: Profiles) -> dict[str, int]:
    """Create what is missing; running it again changes nothing. Returns counts created.

    Demo units carry names starting with «Demo» and no organisation number: a made-up
    number could collide with a real unit's once the national registers are imported. Every
    demo plan is adopted (so it is public and units can write local plans on it), with the
    adoption date and body the document gives, if it gives them.
    """
    token = current_actor.set(DEMO_ACTOR)
    try:
        created = {"municipalities": 0, "plans": 0, "units": 0}
        await sync_national_goals(session)
        for info in profiles.all():
            if not info.municipality_numbers:
                continue  # a template profile, not a municipality's own
            number = info.municipality_numbers[0]
            municipality = await session.scalar(select(Municipality).where(Municipality.number == number))
            if municipality is None:
                municipality = Municipality(
                    number=number, name=info.municipality_name or info.name, profile_code=info.code
                )
                session.add(municipality)
                await session.flush()
                created["municipalities"] += 1
            has_plan = await session.scalar(
                select(Plan.id).where(Plan.municipality_id == municipality.id, Plan.profile_code == info.code).limit(1)
            )
            content = profiles.plan_content(info.code)
            if has_plan is None and content is not None:
                reporting = profiles.reporting(info.code)
                await create_plan_from_content(
                    session,
                    municipality,
                    content,
                    profile_code=info.code,
                    adopted=True,
                    measures_assessed_by=reporting.measures_assessed_by if reporting else (),
                )
                created["plans"] += 1
            names = set((await session.scalars(select(Unit.name).where(Unit.municipality_id == municipality.id))).all())
            for demo in profiles.demo_units(info.code):
                if demo.name not in names:
                    session.add(
                        Unit(
                            municipality_id=municipality.id,
                            name=demo.name,
                            kind=demo.kind,
                            ownership=demo.ownership,
                            zone=demo.zone,
                        )
                    )
                    created["units"] += 1
        await session.flush()
        return created
    finally:
        current_actor.reset(token)
