"""`/metrics` for Prometheus (the metrics are declared in `kvalitet.infra.metrics`): served to a
caller with `KVALITET_METRICS_TOKEN` as a bearer token, or, when no token is set, only to callers
on the loopback interface (a Prometheus or an agent beside the service). A scrape also reads the
webhook queue and the change feed's horizon from the database, in one statement."""

from __future__ import annotations

import hmac
import ipaddress

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kvalitet.auth.authenticate import UNAUTHENTICATED
from kvalitet.db import Database
from kvalitet.infra import metrics
from kvalitet.infra.log import get_logger
from kvalitet.services.errors import FORBIDDEN

log = get_logger(__name__)

# What the database says at scrape time: the webhook queue and the oldest writing transaction.
_STATE = text(
    """
    SELECT (SELECT count(*) FROM webhook_delivery WHERE status = 'pending') AS pending,
           (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)
              FROM webhook_delivery WHERE status = 'pending') AS oldest,
           (SELECT coalesce(extract(epoch FROM now() - min(xact_start)), 0)
              FROM pg_stat_activity
             WHERE datname = current_database() AND backend_xid IS NOT NULL) AS lag
    """
)


async def metrics_endpoint(request: Request) -> Response:
    settings = request.app.state.settings
    refusal = _refusal(request, settings.metrics_token.get_secret_value() if settings.metrics_token else None)
    if refusal is not None:
        return refusal
    database: Database = request.app.state.database
    metrics.note_pools(database)
    try:
        async with database.engine.connect() as connection:
            row = (await connection.execute(_STATE)).one()
        metrics.QUEUE_PENDING.set(row.pending)
        metrics.QUEUE_AGE.set(float(row.oldest))
        metrics.FEED_LAG.set(float(row.lag))
    except Exception as error:  # noqa: BLE001 - the process's own metrics are still worth answering
        log.warning("metrics.database_unreachable", error=repr(error))
    return Response(generate_latest(metrics.registry()), media_type=CONTENT_TYPE_LATEST)


def _refusal(request: Request, token: str | None) -> Response | None:
    if token is not None:
        given = request.headers.get("authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return None
        return _refused(401, UNAUTHENTICATED, "Send the metrics token as `Authorization: Bearer <token>`.")
    host = request.client.host if request.client else None
    try:
        if host is not None and ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return _refused(
        403, FORBIDDEN.value, "Metrics are served on the loopback interface only, unless KVALITET_METRICS_TOKEN is set."
    )


def _refused(status: int, code: str, message: str) -> Response:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)
