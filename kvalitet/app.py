"""The ASGI application: GraphQL at /graphql, and health checks for orchestrators."""

from __future__ import annotations

import asyncio
import contextlib
import json

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from cross_web import HTTPException  # what strawberry's views answer as an HTTP error
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from .access import ANONYMOUS, AccessPolicy
from .auth.authenticate import AuthenticationError, Authenticator
from .auth.policy import RolePolicy
from .compiled.extension import RawJSON
from .caches import LRUCache
from .compiled.prepared import Repeat, RepeatedRequests
from .config import Settings
from .db import Database
from .db.migrate import is_current
from .loaders import Loaders
from .log import configure_logging, get_logger
from .middleware import BodyLimitMiddleware, RequestIdMiddleware
from .plugins import Profiles, new_plugin_manager
from .schema import build_schema
from .schema.context import Context

log = get_logger(__name__)


class KvalitetGraphQL(GraphQL):
    """Strawberry's ASGI view: authenticates the caller, then builds the per-request context."""

    def __init__(
        self,
        schema,
        *,
        database: Database,
        settings: Settings,
        profiles: Profiles,
        policy: AccessPolicy,
        authenticator: Authenticator,
    ):
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            # Only the current protocol: the legacy graphql-ws one has published advisories.
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        )
        self.database = database
        self.settings = settings
        self.profiles = profiles
        self.policy = policy
        self.authenticator = authenticator
        self.compiled_cache = LRUCache(512)
        self.repeats = RepeatedRequests()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket"):
            connection = HTTPConnection(scope)
            try:
                actor = await self.authenticator.authenticate(connection.headers.get("authorization"))
            except AuthenticationError as error:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4401, "reason": str(error)[:120]})
                    return
                response = JSONResponse(
                    {"errors": [{"message": str(error), "extensions": {"code": "UNAUTHENTICATED"}}]},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="kvalitet"'},
                )
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["actor"] = actor
            if scope["type"] == "http" and scope["method"] == "POST" and self.settings.compiled_queries:
                body = await _read_body(receive)
                if body is None:
                    return  # nobody to answer
                key = RepeatedRequests.key(scope, body, actor)
                repeat = self.repeats.get(key)
                data = None
                if repeat is not None:
                    data = await self.database.reader.fetch_bytes(repeat.query.sql, repeat.query.arguments)
                if data is not None:
                    response = Response(b'{"data":' + data + repeat.tail, media_type="application/json")
                    await response(scope, receive, send)
                    return
                scope["state"]["repeat_key"] = key
                receive = _replay(body, receive)
        await super().__call__(scope, receive, send)

    def parse_json(self, data):
        parsed = super().parse_json(data)
        if not isinstance(parsed, (dict, list)):  # lists reach strawberry's refusal of batches
            raise HTTPException(400, "The request body must be a JSON object with a `query`.")
        return parsed

    async def get_context(self, request, response) -> Context:
        actor = request.scope.get("state", {}).get("actor", ANONYMOUS)
        return Context(
            settings=self.settings,
            profiles=self.profiles,
            policy=self.policy,
            actor=actor,
            loaders=Loaders(self.database.engine, self.policy, actor),
            database=self.database,
            request=request,
            response=response,
            compiled=self.settings.compiled_queries and isinstance(request, Request),
            compiled_cache=self.compiled_cache,
        )

    def encode_json(self, data: object) -> str | bytes:
        # A compiled answer's `data` is JSON text already: written as it is, not re-encoded.
        if isinstance(data, dict) and isinstance(data.get("data"), RawJSON):
            raw = data["data"]
            rest = {key: value for key, value in data.items() if key != "data"}
            tail = "," + json.dumps(rest, separators=(",", ":"))[1:] if rest else "}"
            if raw.repeat_key is not None and "errors" not in rest:
                self.repeats.put(raw.repeat_key, Repeat(raw.query, tail.encode()))
            return b'{"data":' + raw.json + tail.encode()
        return super().encode_json(data)


async def _read_body(receive) -> bytes | None:
    """The request's body; None when the client went away before sending all of it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive):
    """`receive` for the view after the body was read here: the body once, then the client."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


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
        )
    profiles = profiles or Profiles(new_plugin_manager(data_dirs=settings.profile_dirs))
    policy = policy or RolePolicy()
    graphql = KvalitetGraphQL(
        build_schema(profiles, settings),
        database=database,
        settings=settings,
        profiles=profiles,
        policy=policy,
        authenticator=Authenticator(settings, database.engine),
    )

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        try:
            async with database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            current = await is_current(database.engine)
        except Exception as error:  # any failure to reach the database means not ready
            log.warning("readyz.database_unreachable", error=str(error))
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        if not current:
            return JSONResponse({"status": "unavailable", "database": "migrations pending"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        stop = asyncio.Event()
        worker = None
        if settings.webhook_worker:
            from .webhooks.worker import run as run_webhooks

            worker = asyncio.create_task(run_webhooks(database.engine, settings, stop))
        yield
        stop.set()
        if worker is not None:
            await worker
        await database.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
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


def create_app_from_env() -> Starlette:
    """uvicorn's factory in each worker process."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings)
