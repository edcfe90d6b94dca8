"""The ASGI application: GraphQL at /graphql, health checks for orchestrators, and Prometheus's
/metrics.

Subscriptions are served over websockets (graphql-transport-ws) and multipart HTTP
(`Accept: multipart/mixed;subscriptionSpec="1.0"`). An HTTP request, and a websocket's
upgrade request, is authenticated by its `Authorization` header; a browser, which cannot set
that header on a websocket, sends the token in `connection_init`'s payload instead (see
`kvalitet.web.view.KvalitetGraphQL.authenticate_connection`).

The view and its transports live in `kvalitet.web`; this module puts them together."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from kvalitet.access.actor import AccessPolicy
from kvalitet.access.policy import RolePolicy
from kvalitet.auth.authenticate import Authenticator
from kvalitet.db import Database
from kvalitet.db.migrate import is_current
from kvalitet.db.outage import RETRY_AFTER
from kvalitet.infra import tracing
from kvalitet.infra.log import configure_logging, get_logger
from kvalitet.infra.settings import Settings
from kvalitet.plugins import Profiles, new_plugin_manager
from kvalitet.schema import build_schema
from kvalitet.web import council, graphiql
from kvalitet.web.metrics import metrics_endpoint
from kvalitet.web.middleware import BodyLimitMiddleware, RequestIdMiddleware
from kvalitet.web.view import KvalitetGraphQL

log = get_logger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    profiles: Profiles | None = None,
    policy: AccessPolicy | None = None,
    database: Database | None = None,
) -> Starlette:
    """Build the application. With no arguments (as uvicorn's factory) it reads the settings
    from the environment; `KVALITET_DATABASE_URL` must then be set (`kvalitet serve` sets it)."""
    settings = settings or Settings()
    if database is None:
        if settings.database_url is None:
            raise RuntimeError("KVALITET_DATABASE_URL is not set; start the service with `kvalitet serve`")
        database = Database(
            settings.database_url.get_secret_value(),
            pool_size=settings.db_pool_size,
            statement_timeout_ms=settings.statement_timeout_ms,
            idle_in_transaction_timeout_ms=settings.idle_in_transaction_timeout_ms,
            read_url=settings.read_database_url.get_secret_value() if settings.read_database_url else None,
        )
    tracing.trace_statements(database.engine)  # when the otel extra is installed
    profiles = profiles or Profiles(new_plugin_manager(data_dirs=settings.profile_dirs))
    policy = policy or RolePolicy()
    graphql = KvalitetGraphQL(
        build_schema(profiles, settings),
        database=database,
        settings=settings,
        profiles=profiles,
        policy=policy,
        authenticator=Authenticator(settings, database.autocommit),  # single reads: no BEGIN or ROLLBACK
    )

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    retry = {"Retry-After": str(RETRY_AFTER)}

    async def readyz(request: Request) -> JSONResponse:
        try:
            async with database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            current = await is_current(database.engine)
        except Exception as error:  # any failure to reach the database means not ready
            log.warning("readyz.database_unreachable", error=str(error))
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503, headers=retry)
        if not current:
            return JSONResponse(
                {"status": "unavailable", "database": "migrations pending"}, status_code=503, headers=retry
            )
        return JSONResponse({"status": "ok", "database": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        stop = asyncio.Event()
        workers = []
        if settings.webhook_worker:
            from kvalitet.webhooks.worker import run as run_webhooks

            workers.append(asyncio.create_task(run_webhooks(database.engine, settings, stop)))
        if settings.indicator_refresh:
            from kvalitet.indicators.refresh import run as run_refresh

            workers.append(asyncio.create_task(run_refresh(database, settings, stop)))
        if settings.register_sync:
            from kvalitet.registers.sync import run as run_register_sync

            workers.append(asyncio.create_task(run_register_sync(database, settings, stop)))
        yield
        stop.set()
        await asyncio.gather(*workers)
        await database.dispose()

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
    ]
    routes += council.routes(graphql)  # the council report's pages and PDFs
    if settings.graphiql:
        routes.append(Mount(graphiql.ASSETS_PATH, graphiql.assets()))
    app = Service(
        graphql,
        routes=routes,
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.profiles = profiles
    return app


class Service(Starlette):
    """Starlette, with POST /graphql (nearly every request the service gets) taken straight to
    the view under the service's own middleware, past Starlette's error and exception middleware
    and its router. The view needs none of them: RequestIdMiddleware answers an unexpected error
    itself (with the request id), and the view answers its own HTTP errors. Together they were
    about 40 µs of CPU a request (A/B runs of the benchmark's `history` read: 7 % of the server's
    CPU). Every other request, and the lifespan, goes through Starlette as usual."""

    def __init__(self, graphql: ASGIApp, **options):
        super().__init__(**options)
        app = graphql
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        self._graphql = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/graphql":
            if not scope.get("root_path"):  # (behind a prefix, the router strips it)
                scope["app"] = self
                await self._graphql(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app_from_env() -> Starlette:
    """uvicorn's factory in each worker process."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)
    tracing.configure()
    return create_app(settings)
