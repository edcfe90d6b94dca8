"""OpenTelemetry traces, when the `otel` extra is installed (`pip install kvalitet[otel]`): a span
for each request (named after its GraphQL operation, with the request id, the caller's name, the
path that answered it and the status), one for each SQL statement under it, and one for each
webhook POST. Without the extra every call here does nothing.

The spans are made here rather than by the instrumentation packages because the statements run
on two drivers' paths (SQLAlchemy's pool for the default path, asyncpg's own pools for the
compiled reads and writes, which bypass strawberry's extensions too) and one place names them
all alike. With `OTEL_EXPORTER_OTLP_ENDPOINT` set, `configure` sends them with OTLP over HTTP;
a test, or an embedding program, may set its own tracer provider instead."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

try:
    from opentelemetry import trace
except ImportError:  # the extra is not installed: no traces
    trace = None  # type: ignore[assignment]

TRACER = "kvalitet"


def enabled() -> bool:
    """Whether spans are made: the extra is installed and a tracer provider is set (`configure`,
    or a test's). Without one, OpenTelemetry's default makes spans that go nowhere, at a cost per
    request the fast path should not pay."""
    return trace is not None and not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def configure() -> None:
    """Send spans with OTLP over HTTP when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or its
    traces variant) is set and no tracer provider has been set yet."""
    if trace is None or not (
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    ):
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(
        resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "kvalitet")})
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)


# What `span` and `statement` give without tracing: one shared context manager that does nothing
# (no generator made, nor a statement's SQL read, on every request).
_NOTHING: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()


def span(name: str, kind: str = "internal", **attributes: Any) -> contextlib.AbstractContextManager[Any]:
    """A span named `name` around the block (a child of the current one), or nothing."""
    return _span(name, kind, attributes) if enabled() else _NOTHING


@contextlib.contextmanager
def _span(name: str, kind: str, attributes: dict[str, Any]) -> Iterator[Any]:
    span_kind = {"server": trace.SpanKind.SERVER, "client": trace.SpanKind.CLIENT}.get(kind, trace.SpanKind.INTERNAL)
    tracer = trace.get_tracer(TRACER)
    with tracer.start_as_current_span(name, kind=span_kind, attributes=_clean(attributes)) as current:
        yield current


def annotate(current: Any, **attributes: Any) -> None:
    """Add attributes to a span `span` gave (nothing when it gave none)."""
    if current is not None:
        current.set_attributes(_clean(attributes))


def statement(sql: str) -> contextlib.AbstractContextManager[Any]:
    """A span for one SQL statement, named by its first word (SELECT, INSERT, WITH …)."""
    if not enabled():
        return _NOTHING
    words = sql.split(None, 1)
    name = f"db {words[0].upper()}" if words else "db statement"
    return _span(name, "client", {"db.system.name": "postgresql", "db.query.text": sql[:2000]})


def trace_statements(engine: Any) -> None:
    """A span for each statement SQLAlchemy's `engine` (an async engine) runs."""
    if trace is None:
        return
    from sqlalchemy import event

    sync_engine = engine.sync_engine
    if getattr(sync_engine, "_kvalitet_traced", False):
        return
    sync_engine._kvalitet_traced = True

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _start(conn, cursor, sql, parameters, context, executemany):
        opened = contextlib.ExitStack()
        opened.enter_context(statement(sql))
        context._kvalitet_span = opened

    def _end(context) -> None:
        opened = getattr(context, "_kvalitet_span", None)
        if opened is not None:
            context._kvalitet_span = None
            opened.close()

    @event.listens_for(sync_engine, "after_cursor_execute")
    def _done(conn, cursor, sql, parameters, context, executemany):
        _end(context)

    @event.listens_for(sync_engine, "handle_error")
    def _failed(exception_context):
        if exception_context.execution_context is not None:
            _end(exception_context.execution_context)


def _clean(attributes: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in attributes.items() if value is not None}
