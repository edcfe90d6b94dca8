"""The ASGI application: GraphQL at /graphql, and health checks for orchestrators.

Subscriptions are served over websockets (graphql-transport-ws) and multipart HTTP
(`Accept: multipart/mixed;subscriptionSpec="1.0"`). An HTTP request, and a websocket's
upgrade request, is authenticated by its `Authorization` header; a browser, which cannot set
that header on a websocket, sends the token in `connection_init`'s payload instead (see
`KvalitetGraphQL.authenticate_connection`)."""

from __future__ import annotations

import asyncio
import contextlib
import json

from cross_web import HTTPException  # what strawberry's views answer as an HTTP error
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, MULTIPART_SUBSCRIPTION_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.types.unset import UNSET

from kvalitet.access import ANONYMOUS, AccessPolicy, Actor
from kvalitet.auth.authenticate import AuthenticationError, Authenticator
from kvalitet.auth.policy import RolePolicy
from kvalitet.caches import LRUCache
from kvalitet.compiled.extension import RawJSON
from kvalitet.compiled.prepared import Repeat, RepeatedRequests
from kvalitet.config import Settings
from kvalitet.db import Database
from kvalitet.db.migrate import is_current
from kvalitet.db.outage import RETRY_AFTER
from kvalitet.loaders import Loaders
from kvalitet.log import configure_logging, get_logger
from kvalitet.middleware import BodyLimitMiddleware, RequestIdMiddleware
from kvalitet.plugins import Profiles, new_plugin_manager
from kvalitet.schema import build_schema
from kvalitet.schema.context import Context

log = get_logger(__name__)


# Credentials longer than this, or with characters no token or API key has (controls, NUL,
# anything not ASCII), are refused before they reach the verifiers or the database.
_MAX_CREDENTIALS = 16_384
_MALFORMED = "Send credentials as `Authorization: Bearer <token or API key>`."


class ConnectionRefused(Exception):
    """A websocket's `connection_init` is refused: the socket is closed with `code`."""

    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _close_reason(text: str) -> str:
    """A close frame's reason holds at most 123 bytes."""
    return text.encode()[:120].decode(errors="ignore")


def _normalized(authorization: str) -> tuple[str, str]:
    """(scheme, token) of an `Authorization` value, to tell whether two name the same caller."""
    scheme, _, token = authorization.strip().partition(" ")
    return scheme.lower(), token.strip()


def connection_credentials(payload: dict) -> list[str]:
    """The credentials in a `connection_init` payload, each as an `Authorization` value:
    `Authorization` (any case) holds one (`Bearer <token or API key>`), `token` (any case) a
    bare token or API key. A null or empty value counts as absent; any other value that is not
    a string is refused (4401)."""
    found = []
    for key, value in payload.items():
        kind = key.lower()
        if kind not in ("authorization", "token") or value is None or value == "":
            continue
        if not isinstance(value, str):
            raise ConnectionRefused(4401, f"`{kind}` in connection_init must be a string.")
        found.append(value if kind == "authorization" else f"Bearer {value}")
    return found


def operation_problem(
    query: object, operation_name: object, *, subscriptions_only: bool, max_tokens: int
) -> str | None:
    """Why an operation cannot run, for what strawberry would otherwise raise inside the
    execution and so answer as an unexpected error over a streaming transport: no query, an
    operation name that is not a string or names no operation, or (`subscriptions_only`) a query
    or mutation. None when it may run (syntax errors and limits are the schema's to answer)."""
    if not isinstance(query, str) or not query.strip():
        return "No GraphQL query found in the request"
    if operation_name is not None and not isinstance(operation_name, str):
        return "The GraphQL operation's `operationName` must be a string or null, if provided."
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return None  # the schema's parser answers it, with its code
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        if operation_name:
            return _close_reason(f'Unknown operation named "{operation_name}".')
        return "Can't get GraphQL operation type"
    if subscriptions_only and operation.operation is not OperationType.SUBSCRIPTION:
        return "Only subscriptions are streamed: send queries and mutations as application/json."
    return None


class TransportWSHandler(BaseGraphQLTransportWSHandler):
    """graphql-transport-ws as strawberry speaks it, with two additions: the credentials in
    `connection_init` authenticate the connection, and a message of the wrong shape closes the
    socket with 4400 instead of failing in the handler."""

    async def handle_message(self, message) -> None:
        problem = self._message_problem(message)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)

    def _message_problem(self, message: object) -> str | None:
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            return "Failed to parse message"
        kind = message["type"]
        if kind in ("subscribe", "complete") and (not isinstance(message.get("id"), str) or not message["id"]):
            return "Failed to parse message"
        if kind == "subscribe":
            payload = message.get("payload")
            if not isinstance(payload, dict):
                return "Failed to parse message"
            if not isinstance(payload.get("variables"), (dict, type(None))):
                return "The operation's `variables` must be an object or null."
            if not isinstance(payload.get("extensions"), (dict, type(None))):
                return "The operation's `extensions` must be an object or null."
            return operation_problem(
                payload.get("query"),
                payload.get("operationName"),
                subscriptions_only=False,
                max_tokens=self.view.settings.max_query_tokens,
            )
        return None

    async def handle_connection_init(self, message) -> None:
        if self.connection_init_received or self.connection_timed_out:
            await super().handle_connection_init(message)  # strawberry refuses a second one
            return
        if message.get("payload") is None:  # the protocol allows no payload, or null
            message = {**message, "payload": {}}
        payload = message["payload"]
        if isinstance(payload, dict):  # anything else strawberry refuses (4400)
            try:
                await self.view.authenticate_connection(self.context, payload)
            except ConnectionRefused as refusal:
                self.connection_init_received = True
                if self.connection_init_timeout_task:
                    self.connection_init_timeout_task.cancel()
                await self.websocket.close(code=refusal.code, reason=_close_reason(refusal.reason))
                return
        await super().handle_connection_init(message)


class KvalitetGraphQL(GraphQL):
    """Strawberry's ASGI view: authenticates the caller, then builds the per-request context."""

    graphql_transport_ws_handler_class = TransportWSHandler

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
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL, MULTIPART_SUBSCRIPTION_PROTOCOL],
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
            authorization = connection.headers.get("authorization")
            try:
                actor = await self.authenticate(authorization)
            except AuthenticationError as error:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4401, "reason": _close_reason(str(error))})
                    return
                response = JSONResponse(
                    {"errors": [{"message": str(error), "extensions": {"code": "UNAUTHENTICATED"}}]},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="kvalitet"'},
                )
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["actor"] = actor
            if scope["type"] == "websocket":
                scope["state"]["authorization"] = authorization  # connection_init must agree with it
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

    async def authenticate(self, authorization: str | None) -> Actor:
        """The caller an `Authorization` value names (anonymous when there is none)."""
        if authorization and (
            len(authorization) > _MAX_CREDENTIALS or not authorization.isascii() or not authorization.isprintable()
        ):
            raise AuthenticationError(_MALFORMED)
        return await self.authenticator.authenticate(authorization)

    async def authenticate_connection(self, context: Context, payload: dict) -> None:
        """A websocket's caller from its `connection_init` payload (`connection_credentials`
        says which keys hold credentials). With none there, the upgrade request's header (or
        nobody) stays the caller. Credentials that are not valid close the socket with 4401;
        credentials that name another token than the header's, or than each other, with 4403.
        The caller found is the one every operation of the connection runs as."""
        given = connection_credentials(payload)
        if not given:
            return
        if len({_normalized(credential) for credential in given}) > 1:
            raise ConnectionRefused(4403, "The credentials in connection_init disagree.")
        state = context.request.scope.setdefault("state", {})
        header = state.get("authorization")
        if header and _normalized(header) != _normalized(given[0]):
            raise ConnectionRefused(
                4403, "The credentials in connection_init are not those of the Authorization header."
            )
        try:
            actor = await self.authenticate(given[0])
        except AuthenticationError as error:
            raise ConnectionRefused(4401, str(error)) from error
        state["actor"] = actor
        context.actor = actor
        context.loaders = Loaders(self.database.engine, self.policy, actor)

    async def execute_operation(self, request, request_adapter, request_data, context, root_value, sub_response):
        # Over multipart HTTP, strawberry raises what it answers elsewhere as a 400 (no query, no
        # such operation, not a subscription) inside the execution, so it would be masked as an
        # unexpected error: it is answered here as the 400 every other request gets.
        if isinstance(request_data, GraphQLRequestData) and self._get_stream_transport(request_data.protocol):
            problem = operation_problem(
                request_data.query,
                request_data.operation_name,
                subscriptions_only=True,
                max_tokens=self.settings.max_query_tokens,
            )
            if problem is not None:
                raise HTTPException(400, problem)
        return await super().execute_operation(
            request=request,
            request_adapter=request_adapter,
            request_data=request_data,
            context=context,
            root_value=root_value,
            sub_response=sub_response,
        )

    async def run(self, request, context=UNSET, root_value=UNSET):
        # strawberry answers its HTTP errors (a body that is no GraphQL request, an unknown
        # operation …) as plain text; front ends get them as JSON with a code like any error.
        try:
            return await super().run(request, context=context, root_value=root_value)
        except HTTPException as error:
            if not isinstance(request, Request):
                raise
            code = _HTTP_CODES.get(error.status_code, f"HTTP_{error.status_code}")
            return JSONResponse(
                {"errors": [{"message": error.reason, "extensions": {"code": code}}]}, status_code=error.status_code
            )

    def parse_json(self, data):
        try:
            parsed = super().parse_json(data)
        except RecursionError:
            parsed = _TOO_DEEP
        if parsed is _TOO_DEEP or _too_deep(parsed):
            raise HTTPException(400, f"The request body is nested deeper than {MAX_JSON_DEPTH} levels.")
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


_HTTP_CODES = {400: "BAD_REQUEST", 405: "METHOD_NOT_ALLOWED", 415: "UNSUPPORTED_MEDIA_TYPE"}

# No GraphQL input of ours nests this deep; deeper JSON only costs recursion further on.
MAX_JSON_DEPTH = 64


_TOO_DEEP = object()  # what a body too deep for the JSON parser itself parses to


def _too_deep(value: object) -> bool:
    """Is `value` nested deeper than MAX_JSON_DEPTH? (Walked without recursion.)"""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


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
            idle_in_transaction_timeout_ms=settings.idle_in_transaction_timeout_ms,
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
        worker = None
        if settings.webhook_worker:
            from kvalitet.webhooks.worker import run as run_webhooks

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
