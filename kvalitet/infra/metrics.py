"""The service's Prometheus metrics (prometheus-client), declared once: requests and their
latencies by path, operation and the path that answered them (compiled or default), GraphQL
errors by code, the database pools' connections, webhook deliveries by outcome and the queue's
age, and the change feed's lag. `kvalitet.web.metrics` serves them at `/metrics`.

With several worker processes (`kvalitet serve --workers N`), `kvalitet serve` gives them a
directory (`PROMETHEUS_MULTIPROC_DIR`, set before any worker imports this module) and a scrape
adds up what every worker counted: prometheus-client's multiprocess mode."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import multiprocess as multiprocess_mode

if TYPE_CHECKING:
    from kvalitet.db import Database
    from kvalitet.infra.observed import Exchange

# The paths the service answers; any other path is counted as "other" (the label stays bounded).
PATHS = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
# Operation names are the clients': the first this many a process sees are labels, the rest "other".
MAX_OPERATIONS = 200

REQUESTS = Histogram(
    "kvalitet_request_duration_seconds",
    "Requests by path, GraphQL operation name, the path that answered (compiled or default) and status class.",
    ["path", "operation", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
GRAPHQL_ERRORS = Counter("kvalitet_graphql_errors_total", "GraphQL errors answered, by their code.", ["code"])
POOL = Gauge(
    "kvalitet_db_pool_connections",
    "Database connections of each pool (orm, reader, writer): in use, and open.",
    ["pool", "state"],
    multiprocess_mode="livesum",
)
DELIVERIES = Counter("kvalitet_webhook_deliveries_total", "Webhook delivery attempts, by outcome.", ["outcome"])
QUEUE_PENDING = Gauge(
    "kvalitet_webhook_queue_pending", "Webhook deliveries waiting to be sent.", multiprocess_mode="mostrecent"
)
QUEUE_AGE = Gauge(
    "kvalitet_webhook_queue_oldest_seconds",
    "Age of the oldest webhook delivery waiting to be sent (0 when none waits).",
    multiprocess_mode="mostrecent",
)
FEED_LAG = Gauge(
    "kvalitet_change_feed_lag_seconds",
    "How far the change feed's horizon trails now: the age of the oldest transaction still writing "
    "(the feed shows only transactions older than every running one).",
    multiprocess_mode="mostrecent",
)

_operations: set[str] = set()


def observe(exchange: Exchange) -> None:
    """Count a finished request."""
    path = exchange.path if exchange.path in PATHS else "other"
    # A name is a label only from a request answered without errors (and the first so many).
    operation = exchange.operation or "" if not exchange.error_codes else ""
    if operation and operation not in _operations:
        if len(_operations) >= MAX_OPERATIONS:
            operation = "other"
        else:
            _operations.add(operation)
    status = f"{exchange.status // 100}xx" if exchange.status else "none"
    seconds = exchange.duration_ms / 1000
    REQUESTS.labels(path, operation, exchange.route or "", status).observe(seconds)
    for code in exchange.error_codes:
        GRAPHQL_ERRORS.labels(code).inc()


def note_pools(database: Database) -> None:
    """The pools' connections now (each worker reports its own; a scrape adds them up)."""
    pool = database.engine.pool
    POOL.labels("orm", "in_use").set(pool.checkedout())  # type: ignore[attr-defined]
    POOL.labels("orm", "open").set(pool.checkedout() + pool.checkedin())  # type: ignore[attr-defined]
    for name, reader in (("reader", database.reader), ("writer", database.writer)):
        size, idle = reader.connections()
        POOL.labels(name, "in_use").set(size - idle)
        POOL.labels(name, "open").set(size)


def registry() -> CollectorRegistry:
    """What a scrape reads: this process's metrics, or every worker's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        found = CollectorRegistry()
        multiprocess_mode.MultiProcessCollector(found)
        return found
    return REGISTRY
