"""The compiled path's pool (kvalitet.db.statement_pool) against a real server: at most `size`
connections, a connection given back only when its state is known, and every connection
dropped after the server went away."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from kvalitet.db import Database
from kvalitet.db.statement_pool import StatementPool


@pytest.fixture
async def pool(database: Database):
    made = StatementPool((await database.reader._get_pool())._connect, size=2)
    yield made
    await made.close()


async def pid(pool: StatementPool) -> int:
    async with pool.acquire() as connection:
        return await connection.fetchval("SELECT pg_backend_pid()")


async def test_an_idle_connection_is_used_again(pool):
    assert await pid(pool) == await pid(pool)
    assert pool.connections() == (1, 1)


async def test_no_more_than_size_connections_and_the_rest_wait(pool):
    most = 0

    async def sleep() -> None:
        nonlocal most
        async with pool.acquire() as connection:
            most = max(most, pool.connections()[0])
            await connection.execute("SELECT pg_sleep(0.1)")

    await asyncio.gather(*(sleep() for _ in range(5)))
    assert most == 2
    assert pool.connections() == (2, 2)


async def test_a_statement_postgresql_refused_leaves_its_connection_in_the_pool(pool):
    before = await pid(pool)
    with pytest.raises(asyncpg.DivisionByZeroError):
        async with pool.acquire() as connection:
            await connection.fetchval("SELECT 1 / 0")
    assert await pid(pool) == before


async def test_a_cancelled_statement_closes_its_connection_and_frees_its_slot(pool):
    before = await pid(pool)

    async def sleep() -> None:
        async with pool.acquire() as connection:
            await connection.execute("SELECT pg_sleep(5)")

    task = asyncio.create_task(sleep())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert pool.connections() == (0, 0)  # its state was not known: closed, not kept
    after = await asyncio.wait_for(asyncio.gather(pid(pool), pid(pool)), timeout=5)  # both slots free
    assert before not in after


async def test_expire_drops_idle_connections_now_and_busy_ones_when_given_back(pool):
    idle = await pid(pool)
    connection = await pool.take()
    busy = await connection.fetchval("SELECT pg_backend_pid()")
    await pool.expire()
    assert pool.connections() == (1, 0)  # the busy one, still open
    pool.give(connection)
    assert connection.is_closed()
    assert pool.connections() == (0, 0)
    assert await pid(pool) not in (idle, busy)


async def test_a_closed_pool_closes_its_connections_and_refuses_more(pool):
    connection = await pool.take()
    pool.give(connection)
    await pool.close()
    assert connection.is_closed()
    with pytest.raises(asyncpg.InterfaceError):
        await pool.take()
