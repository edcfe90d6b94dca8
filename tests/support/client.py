"""A GraphQL client of the app under test, and a counter of the statements the database runs."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from sqlalchemy import event

from kvalitet.access.actor import PermissiveAccessPolicy
from kvalitet.app import create_app


@contextlib.asynccontextmanager
async def service_client(settings, profiles, database, *, compiled: bool = True) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the service (every caller allowed), with its compiled paths on or off."""
    app = create_app(
        settings.model_copy(update={"compiled_queries": compiled}),
        profiles=profiles,
        policy=PermissiveAccessPolicy(),
        database=database,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient, token: str | None = None):
        self.http = http
        # The tests read messages in English; tests/schema/test_languages.py asks for the others.
        self.headers = {"Accept-Language": "en", **({"Authorization": f"Bearer {token}"} if token else {})}

    async def raw(self, query: str, variables: dict | None = None) -> dict:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def __call__(self, query: str, variables: dict | None = None) -> dict:
        body = await self.raw(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]


class StatementCounter:
    """Counts the statements a database runs: through SQLAlchemy, and the compiled path's reader."""

    def __init__(self, database):
        self.count = 0
        self.statements: list[str] = []
        self.compiled: list[str] = []  # those of the compiled path's reader
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._on_execute)
        database.reader.listeners.append(self._on_compiled)

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany):
        self._on_statement(statement)

    def _on_compiled(self, statement: str) -> None:
        self.compiled.append(statement)
        self._on_statement(statement)

    def _on_statement(self, statement: str) -> None:
        self.count += 1
        self.statements.append(statement)

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()
        self.compiled.clear()
