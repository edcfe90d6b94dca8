"""The benchmark's three queries (benchmarks/queries.py) on its synthetic data: each is answered
by exactly one compiled statement, the same answer as the default path, and the same as the
hand-written statement the benchmark times as the database's limit (benchmarks/db_limit.py)."""

from __future__ import annotations

import json

import asyncpg
import httpx
import pytest
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.engine import make_url

from benchmarks import data, db_limit, queries
from kvalitet.app import create_app


@pytest.fixture
async def synthetic(database_url):
    _, options = asyncpg_dialect.dialect().create_connect_args(make_url(database_url))
    connection = await asyncpg.connect(
        **{k: v for k, v in options.items() if k in ("host", "port", "user", "password", "database")}
    )
    try:
        dataset = await data.load(connection, units=4)
        yield dataset, connection
    finally:
        await connection.close()


@pytest.fixture
def big_pages(secure_settings):
    # The dashboard asks for every unit in one page, as benchmarks/run allows.
    return secure_settings.model_copy(update={"max_page_size": 10_000, "max_query_cost": 10_000_000})


async def _post(app, body, headers):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        response = await http.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("name", queries.NAMES)
async def test_benchmark_query_is_one_compiled_statement(
    name, synthetic, big_pages, profiles, database, token, statements
):
    dataset, connection = synthetic
    # (A language asked for, as browsers do: else the caller's municipality's is looked up, once a minute.)
    headers = {
        "Accept-Language": "nb",
        "Authorization": f"Bearer {token('sector_admin', municipality=dataset.municipality_number)}",
    }
    ours, _ = queries.requests(name, dataset)
    compiled_app = create_app(big_pages, profiles=profiles, database=database)
    default_app = create_app(
        big_pages.model_copy(update={"compiled_queries": False}), profiles=profiles, database=database
    )

    statements.reset()
    fast = await _post(compiled_app, ours.body(), headers)
    assert "errors" not in fast, fast
    assert len(statements.compiled) == 1 and statements.count <= 2, statements.statements  # roles, then data
    slow = await _post(default_app, ours.body(), headers)
    assert json.dumps(fast) == json.dumps(slow)
    assert queries.counts(fast["data"])  # the answer is not empty
    limit = json.loads(await db_limit.answer(connection, name, dataset))
    assert queries.difference(fast["data"], limit, "ours", "db_limit", ids=True) is None
