"""`/metrics`: Prometheus's text format, read back with prometheus-client's own parser; requests
by operation and by the path that answered them, errors by code, the pools, the webhook queue
and the change feed's lag; served to loopback callers, or to whoever holds the metrics token."""

from __future__ import annotations

import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from kvalitet.app import create_app
from tests.support.cycle import Cycle
from tests.webhooks.conftest import subscribe


async def _scrape(client: httpx.AsyncClient, **headers) -> dict:
    answer = await client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {family.name: family for family in text_string_to_metric_families(answer.text)}


def _requests(families: dict, operation: str) -> dict[tuple[str, str], float]:
    return {
        (s.labels["route"], s.labels["status"]): s.value
        for s in families["kvalitet_request_duration_seconds"].samples
        if s.name.endswith("_count") and s.labels["operation"] == operation and s.labels["path"] == "/graphql"
    }


def _errors(families: dict) -> dict[str, float]:
    return {s.labels["code"]: s.value for s in families["kvalitet_graphql_errors"].samples if s.name.endswith("_total")}


async def test_requests_are_counted_by_operation_and_path_and_errors_by_code(client, gql):
    read, write = f"Les{uuid.uuid4().hex[:8]}", f"Skriv{uuid.uuid4().hex[:8]}"
    before = _errors(await _scrape(client))
    created = await client.post(
        "/graphql",
        json={
            "query": f"mutation {write}($input: CreateMunicipalityInput!) "
            "{ createMunicipality(input: $input) { municipality { id } errors { code } } }",
            "variables": {"input": {"number": "9901", "name": "Testkommune", "profile": "testprofil"}},
        },
    )
    assert created.json()["data"]["createMunicipality"]["errors"] == []
    for _ in range(3):  # compiled: first by the compiler, then as a repeated request
        answer = await client.post(
            "/graphql", json={"query": f'query {read} {{ municipality(number: "9901") {{ name }} }}'}
        )
        assert answer.json()["data"] == {"municipality": {"name": "Testkommune"}}
    refused = await client.post("/graphql", json={"query": "query Feil { nothing }"})
    assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"

    families = await _scrape(client)
    assert _requests(families, read) == {("compiled", "2xx"): 3}
    assert _requests(families, write) == {("default", "2xx"): 1}
    after = _errors(families)
    assert after["GRAPHQL_VALIDATION_FAILED"] - before.get("GRAPHQL_VALIDATION_FAILED", 0) == 1
    pools = {(s.labels["pool"], s.labels["state"]): s.value for s in families["kvalitet_db_pool_connections"].samples}
    assert pools[("reader", "open")] >= 1 and pools[("orm", "open")] >= 1, pools
    for gauge in (
        "kvalitet_webhook_queue_pending",
        "kvalitet_webhook_queue_oldest_seconds",
        "kvalitet_change_feed_lag_seconds",
    ):
        assert [s.value for s in families[gauge].samples] and all(s.value >= 0 for s in families[gauge].samples), gauge


async def test_the_webhook_queue_is_read_from_the_database(client, gql):
    cycle = Cycle(gql)
    municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
    made = await subscribe(gql, municipality["id"], "https://mottak.example.org/kvalitet", ["unit.created"])
    assert made["errors"] == []
    assert [s.value for s in (await _scrape(client))["kvalitet_webhook_queue_pending"].samples] == [0]
    await cycle.unit(municipality["id"], "Barnehage", "KINDERGARTEN")  # an event, and its delivery
    families = await _scrape(client)
    assert [s.value for s in families["kvalitet_webhook_queue_pending"].samples] == [1]
    assert families["kvalitet_webhook_queue_oldest_seconds"].samples[0].value >= 0


@pytest.fixture
async def guarded(settings, profiles, database):
    from kvalitet.access.actor import PermissiveAccessPolicy

    guarded_settings = settings.model_copy(update={"metrics_token": SecretStr("prometheus-les")})
    return create_app(guarded_settings, profiles=profiles, policy=PermissiveAccessPolicy(), database=database)


async def test_with_a_token_only_its_holder_reads_the_metrics(guarded):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=guarded), base_url="http://test") as client:
        for headers in ({}, {"Authorization": "Bearer feil"}, {"Authorization": "prometheus-les"}):
            answer = await client.get("/metrics", headers=headers)
            assert answer.status_code == 401, headers
            assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "kvalitet_request_duration_seconds" in await _scrape(client, Authorization="Bearer prometheus-les")


async def test_without_a_token_only_loopback_callers_read_the_metrics(app):
    far = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=far, base_url="http://test") as client:
        answer = await client.get("/metrics")
    assert answer.status_code == 403 and answer.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    near = httpx.ASGITransport(app=app, client=("::1", 40000))
    async with httpx.AsyncClient(transport=near, base_url="http://test") as client:
        assert "kvalitet_graphql_errors" in await _scrape(client)
