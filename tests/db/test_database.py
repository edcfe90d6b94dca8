"""Integrity in the database itself, the change log, and refusal of stale writes."""

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from kvalitet.db import current_actor
from kvalitet.models import ChangeLog, Criterion, Municipality, Unit


async def _municipality(session, number="4601", name="Bergen") -> Municipality:
    municipality = Municipality(number=number, name=name)
    session.add(municipality)
    await session.flush()
    return municipality


@pytest.mark.parametrize(
    ("make", "constraint"),
    [
        (lambda m: Unit(municipality_id=m.id, name="X", kind="university"), "ck_unit_kind_valid"),
        (
            lambda m: Unit(municipality_id=m.id, name="X", kind="school", org_number="12345678"),
            "ck_unit_org_number_nine_digits",
        ),
        (lambda m: Unit(municipality_id=m.id, name="X", kind="school", ownership="state"), "ck_unit_ownership_valid"),
        (lambda m: Unit(municipality_id=uuid.uuid4(), name="X", kind="school"), "fk_unit_municipality_id_municipality"),
        (lambda m: Municipality(number="46", name="Kort"), "ck_municipality_number_four_digits"),
        (lambda m: Municipality(number="4601", name="Bergen igjen"), "uq_municipality_number"),
        (lambda m: Criterion(text="Uten eier", position=0), "ck_criterion_one_owner"),
    ],
)
async def test_the_database_refuses_bad_rows(database, make, constraint):
    async with database.session() as session:
        municipality = await _municipality(session)
        session.add(make(municipality))
        with pytest.raises(IntegrityError, match=constraint):
            await session.flush()


async def test_organisation_numbers_are_unique(database):
    async with database.session() as session:
        municipality = await _municipality(session)
        session.add(Unit(municipality_id=municipality.id, name="A", kind="school", org_number="974760673"))
        await session.flush()
        session.add(Unit(municipality_id=municipality.id, name="B", kind="school", org_number="974760673"))
        with pytest.raises(IntegrityError, match="uq_unit_org_number"):
            await session.flush()


async def test_every_change_is_logged_with_actor_and_what_changed(database):
    token = current_actor.set("user:test")
    try:
        async with database.session() as session, session.begin():
            municipality = await _municipality(session)
            unit = Unit(municipality_id=municipality.id, name="Gamle navn", kind="school")
            session.add(unit)
        async with database.session() as session, session.begin():
            unit = await session.get(Unit, unit.id)
            unit.name = "Nytt navn"
        async with database.session() as session, session.begin():
            await session.delete(await session.get(Unit, unit.id))
    finally:
        current_actor.reset(token)

    async with database.session() as session:
        log = (
            await session.scalars(select(ChangeLog).where(ChangeLog.entity_id == unit.id).order_by(ChangeLog.id))
        ).all()
    assert [entry.action for entry in log] == ["create", "update", "delete"]
    assert {entry.actor for entry in log} == {"user:test"}
    assert log[0].entity_type == "Unit"
    assert log[0].changes["name"] == "Gamle navn" and log[0].changes["kind"] == "school"
    assert log[1].changes == {"name": ["Gamle navn", "Nytt navn"]}


async def test_a_stale_write_is_refused_and_the_newer_one_kept(database):
    async with database.session() as session, session.begin():
        municipality = await _municipality(session)
    async with database.session() as first, database.session() as second:
        a = await first.get(Municipality, municipality.id)
        b = await second.get(Municipality, municipality.id)
        assert a.version == b.version == 1
        a.name = "Bjørgvin"
        await first.commit()
        b.name = "Bergen kommune"
        with pytest.raises(StaleDataError):
            await second.commit()
    async with database.session() as session:
        row = await session.get(Municipality, municipality.id)
        assert (row.name, row.version) == ("Bjørgvin", 2)


async def test_updates_move_updated_at_and_version(database):
    async with database.session() as session, session.begin():
        municipality = await _municipality(session)
    created = municipality.updated_at
    async with database.session() as session, session.begin():
        row = await session.get(Municipality, municipality.id)
        row.name = "Bergen kommune"
    async with database.session() as session:
        row = await session.get(Municipality, municipality.id)
    assert row.version == 2
    assert row.updated_at > created


async def test_a_transaction_left_idle_is_ended_by_the_server(database_url):
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from kvalitet.db import Database
    from kvalitet.infra.settings import Settings

    assert Settings(_env_file=None).idle_in_transaction_timeout_ms == 60_000  # on by default
    database = Database(database_url, pool_size=1, idle_in_transaction_timeout_ms=300)
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))  # begins the transaction, left open
            await asyncio.sleep(0.8)
            with pytest.raises(DBAPIError):
                await connection.execute(text("SELECT 1"))
    finally:
        await database.dispose()
