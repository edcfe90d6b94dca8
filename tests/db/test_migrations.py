"""Migrations run both ways on an empty database, and agree with the models."""

from kvalitet.db import Database
from kvalitet.db.migrate import current_revision, downgrade, head_revision, pending_changes, upgrade


async def _tables(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        rows = await connection.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        return {row[0] for row in rows}


async def test_upgrade_downgrade_upgrade_and_models_agree(empty_database_url):
    database = Database(empty_database_url, pool_size=1)
    try:
        assert await current_revision(database.engine) is None

        await upgrade(database.engine)
        assert await current_revision(database.engine) == head_revision()
        created = await _tables(database)
        assert {
            "municipality",
            "unit",
            "plan",
            "area",
            "goal",
            "criterion",
            "measure",
            "local_plan",
            "local_goal",
            "local_action",
            "report",
            "assessment",
            "national_goal",
            "change_log",
        } <= created

        await downgrade(database.engine, "base")
        assert await current_revision(database.engine) is None
        assert await _tables(database) == set()

        await upgrade(database.engine)
        assert await _tables(database) == created

        async with database.engine.connect() as connection:
            diff = await connection.run_sync(pending_changes)
        assert diff == [], f"models and migrations disagree: {diff}"
    finally:
        await database.dispose()
