"""The connection budget: `kvalitet serve` refuses to start workers whose pools could open more
connections than the database server accepts, and says what to change."""

from __future__ import annotations

from sqlalchemy import text
from typer.testing import CliRunner

from kvalitet.cli import app
from kvalitet.db.budget import budget
from kvalitet.db.engine import pool_sizes


async def test_the_budget_is_the_pools_times_the_processes_against_what_the_server_accepts(database):
    async with database.engine.connect() as connection:
        max_connections = (await connection.execute(text("SHOW max_connections"))).scalar_one()
        reserved = (await connection.execute(text("SHOW superuser_reserved_connections"))).scalar_one()
    one = await budget(database, processes=1, pool_size=10)
    assert one.per_process == 40 == sum(pool_sizes(10).values())  # 2 × 10 for SQLAlchemy's, 10 + 10 compiled
    assert one.available <= int(max_connections) - int(reserved)
    assert one.fits
    too_many = await budget(database, processes=one.available // 40 + 1, pool_size=10)
    assert not too_many.fits and too_many.needed > too_many.available
    explained = too_many.explain()
    assert str(too_many.needed) in explained and "KVALITET_DB_POOL_SIZE" in explained


def test_serve_refuses_workers_that_could_exhaust_the_server(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("KVALITET_DATABASE_URL", database_url)
    monkeypatch.setenv("KVALITET_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KVALITET_DB_POOL_SIZE", "200")  # 800 connections a process
    monkeypatch.setenv("KVALITET_WORKERS", "1")  # restored afterwards, whatever serve sets
    result = CliRunner().invoke(app, ["serve", "--workers", "2", "--no-migrate", "--port", "1"])
    assert result.exit_code == 2, result.output
    assert "max_connections" in result.output and "1600" in result.output
