"""OpenTelemetry traces (kvalitet.infra.tracing), read back from the SDK's in-memory exporter: a
span per request named after its operation, carrying the request id, with a span per SQL
statement under it, on the compiled path (which bypasses strawberry's extensions) and on the
default path alike; and a span per webhook POST."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from kvalitet.webhooks.worker import deliver_due
from tests.support.cycle import Cycle
from tests.webhooks.conftest import subscribe

_EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def provider():
    # The global tracer provider can be set once per process: one for this module's tests. After
    # them its exporter stops keeping spans (the tests after these keep none).
    sdk = TracerProvider()
    sdk.add_span_processor(SimpleSpanProcessor(_EXPORTER))
    trace.set_tracer_provider(sdk)
    yield
    _EXPORTER.shutdown()
    _EXPORTER.clear()


@pytest.fixture
def spans():
    _EXPORTER.clear()
    return _EXPORTER


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"webhook_allow_private_targets": True})


def _request(spans, request_id: str):
    [found] = [s for s in spans.get_finished_spans() if s.attributes.get("kvalitet.request_id") == request_id]
    children = [
        s for s in spans.get_finished_spans() if s.context.trace_id == found.context.trace_id and s is not found
    ]
    return found, children


async def test_a_compiled_and_a_default_request_each_have_their_span_with_their_statements(client, gql, spans):
    await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
    spans.clear()
    read = await client.post(
        "/graphql",
        json={"query": 'query Kommunen { municipality(number: "9901") { name } }'},
        headers={"X-Request-ID": "spor-1"},
    )
    assert read.json()["data"] == {"municipality": {"name": "Testkommune"}}
    request, children = _request(spans, "spor-1")
    assert request.name == "query Kommunen" and request.kind == trace.SpanKind.SERVER
    assert request.attributes["kvalitet.route"] == "compiled"
    assert request.attributes["http.response.status_code"] == 200
    statements = [s for s in children if s.name.startswith("db ")]
    assert [s.name for s in statements] == ["db SELECT"]  # the one compiled statement
    assert statements[0].parent.span_id == request.context.span_id
    assert statements[0].attributes["db.system.name"] == "postgresql"

    write = await client.post(
        "/graphql",
        json={
            "query": "mutation Ny($input: CreateMunicipalityInput!) { createMunicipality(input: $input) { errors { code } } }",
            "variables": {"input": {"number": "9902", "name": "Nabokommune", "profile": "testprofil"}},
        },
        headers={"X-Request-ID": "spor-2"},
    )
    assert write.json()["data"]["createMunicipality"]["errors"] == []
    request, children = _request(spans, "spor-2")
    assert request.name == "mutation Ny" and request.attributes["kvalitet.route"] == "default"
    names = [s.name for s in children]
    assert "db INSERT" in names and all(s.parent is not None for s in children), names


async def test_a_webhook_post_has_its_span(gql, database, spans):
    from tests.support.receiver import Receiver

    receiver = Receiver().start()
    try:
        cycle = Cycle(gql)
        municipality = await cycle.municipality("9901", "Testkommune", "testprofil")
        made = await subscribe(gql, municipality["id"], receiver.url + "?token=hemmelig", ["unit.created"])
        assert made["errors"] == []
        await cycle.unit(municipality["id"], "Barnehage", "KINDERGARTEN")
        spans.clear()
        async with httpx.AsyncClient(timeout=5) as http:
            assert await deliver_due(database.engine, http, max_attempts=3, backoff_seconds=1, allow_private=True) == 1
    finally:
        receiver.stop()
    [post] = [s for s in spans.get_finished_spans() if s.name == "webhook POST"]
    assert post.kind == trace.SpanKind.CLIENT
    assert post.attributes["http.response.status_code"] == 200
    assert post.attributes["url.full"] == receiver.url and "hemmelig" not in str(dict(post.attributes))
