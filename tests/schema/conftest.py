"""Fixtures of the compiled path's tests: `both`, which runs a query both ways (the service as
configured, and `default_client`, the same service with the compiled path off) and holds them to
the same answer, and `both_as`, the same for one caller under the real access policy."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def both(client, default_client, statements):
    """both(query, variables) → the compiled answer, after checking it equals the default one."""

    async def run(query: str, variables: dict | None = None, *, compiled: bool = True) -> dict:
        body = {"query": query, "variables": variables or {}}
        statements.reset()
        fast = await client.post("/graphql", json=body)
        count = statements.count
        slow = await default_client.post("/graphql", json=body)
        assert fast.status_code == slow.status_code == 200, (fast.text, slow.text)
        fast_body, slow_body = fast.json(), slow.json()
        fast_text, slow_text = json.dumps(fast_body), json.dumps(slow_body)
        assert fast_text == slow_text, first_difference(fast_text, slow_text)
        if compiled:
            assert count == 1 and len(statements.compiled) == 1, statements.statements
        return fast_body

    return run


@pytest.fixture
def both_as(secure_client, secure_default_client, statements):
    """both_as(bearer, body) → the compiled answer for the caller with that token (None:
    anonymous) under the real access policy, after checking it took one compiled statement and
    equals the default path's."""

    async def run(bearer: str | None, body: dict) -> dict:
        headers = {"Accept-Language": "nb", **({"Authorization": f"Bearer {bearer}"} if bearer else {})}
        statements.reset()
        fast = await secure_client.post("/graphql", json=body, headers=headers)
        assert len(statements.compiled) == 1, statements.statements
        slow = await secure_default_client.post("/graphql", json=body, headers=headers)
        fast_text, slow_text = json.dumps(fast.json()), json.dumps(slow.json())
        assert fast_text == slow_text, first_difference(fast_text, slow_text)
        return fast.json()

    return run


def first_difference(fast: str, slow: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(fast, slow, strict=False)) if a != b), min(len(fast), len(slow)))
    return f"compiled: …{fast[max(0, at - 150) : at + 150]}…\ndefault:  …{slow[max(0, at - 150) : at + 150]}…"
