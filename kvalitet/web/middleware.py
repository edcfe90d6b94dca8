"""ASGI middleware: a request id on every request and log line, and a limit on body size."""

from __future__ import annotations

import contextvars
import random
import re
import sys

import structlog
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kvalitet.db.outage import RETRY_AFTER, is_outage
from kvalitet.infra import metrics, observed, tracing

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("kvalitet_request_id", default=None)

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Takes a sane `X-Request-ID` or makes one; puts it in the logs' context and the response.
    Starts the request's record (`kvalitet.infra.observed`), and counts the request in the
    metrics when it ends."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        # A correlation id, not a secret: from `random` (seeded from the system once per process,
        # and again in a forked worker), so no system call for randomness on every request.
        rid = given if _SAFE_ID.match(given) else f"{random.getrandbits(128):032x}"
        token = request_id.set(rid)
        structlog.contextvars.bind_contextvars(request_id=rid)
        http = scope["type"] == "http"
        exchange = observed.Exchange(scope.get("method", "GET") if http else "WEBSOCKET", scope.get("path", ""))
        exchange_token = observed.current.set(exchange)
        rid_header = (b"x-request-id", rid.encode())
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                exchange.status = message.get("status", 200)
                message["headers"] = [*message.get("headers", ()), rid_header]
            await send(message)

        # The request's span (kvalitet.infra.tracing; nothing without the otel extra): the
        # statements and webhook posts under it are its children.
        tracing_span = tracing.span(
            f"{exchange.method} {exchange.path}",
            "server",
            **{"http.request.method": exchange.method, "url.path": exchange.path, "kvalitet.request_id": rid},
        )
        traced = tracing_span.__enter__()
        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            # The client went away mid-request (a closed connection): nothing went wrong here.
            structlog.get_logger(__name__).info("request.client_disconnected")
        except Exception as error:
            # Answered here, not by Starlette's outer error handler, so the request id is kept.
            outage = is_outage(error)
            if outage:
                structlog.get_logger(__name__).warning("request.database_unavailable", error=repr(error))
            else:
                structlog.get_logger(__name__).exception("request.unexpected_error")
            if scope["type"] != "http" or started:
                raise
            exchange.status = 503 if outage else 500
            observed.note(error_codes=[SERVICE_UNAVAILABLE if outage else INTERNAL_SERVER_ERROR])
            response = (
                unavailable_response(rid)
                if outage
                else JSONResponse(
                    {
                        "errors": [
                            {
                                "message": f"Something went wrong on our side (request id {rid}).",
                                "extensions": {"code": INTERNAL_SERVER_ERROR, "requestId": rid},
                            }
                        ]
                    },
                    status_code=500,
                )
            )
            await response(scope, receive, send_with_id)
        finally:
            if traced is not None:
                _describe(traced, exchange)
            tracing_span.__exit__(*sys.exc_info())
            if http:  # a websocket's connection is no request to time
                metrics.observe(exchange)
            observed.current.reset(exchange_token)
            structlog.contextvars.unbind_contextvars("request_id")
            request_id.reset(token)


def _describe(traced, exchange: observed.Exchange) -> None:
    """The request's span named after its GraphQL operation, with what the request turned out to be."""
    if exchange.operation or exchange.operation_type:
        traced.update_name(" ".join(p for p in (exchange.operation_type, exchange.operation) if p))
    tracing.annotate(
        traced,
        **{
            "http.response.status_code": exchange.status,
            "graphql.operation.name": exchange.operation,
            "graphql.operation.type": exchange.operation_type,
            "kvalitet.route": exchange.route,
            "kvalitet.caller": exchange.caller,
            "kvalitet.cost": exchange.cost,
        },
    )


def unavailable_response(rid: str) -> JSONResponse:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"{UNAVAILABLE_MESSAGE} (request id {rid}).",
                    "extensions": {"code": SERVICE_UNAVAILABLE, "requestId": rid},
                }
            ]
        },
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER)},
    )


SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
UNAVAILABLE_MESSAGE = "The database cannot be reached just now; try again shortly"


class BodyLimitMiddleware:
    """Refuses (413) a request body larger than `max_bytes`, by its Content-Length or as read."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and not length.isdigit():
            response = JSONResponse(
                {
                    "errors": [
                        {"message": "The Content-Length header is not a number.", "extensions": {"code": "BAD_REQUEST"}}
                    ]
                },
                status_code=400,
            )
            await response(scope, receive, send)
            return
        if length is not None and int(length) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {
                "errors": [
                    {
                        "message": f"The request body is larger than {self.max_bytes} bytes.",
                        "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                    }
                ]
            },
            status_code=413,
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
