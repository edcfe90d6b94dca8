"""The GraphQL view: strawberry's ASGI view with the service's authentication, request-body
checks (size, JSON depth), error shapes, compiled reads and per-request context."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

from cross_web import HTTPException  # what strawberry's views answer as an HTTP error
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, MULTIPART_SUBSCRIPTION_PROTOCOL
from strawberry.types.unset import UNSET

from kvalitet.access.actor import ANONYMOUS, AccessPolicy, Actor
from kvalitet.auth.authenticate import UNAUTHENTICATED, AuthenticationError, Authenticator
from kvalitet.db import Database
from kvalitet.db.shared import SharedConnection
from kvalitet.infra import observed
from kvalitet.infra.caches import LRUCache, TimedCache
from kvalitet.infra.settings import Settings
from kvalitet.messages import DEFAULT_LOCALE, negotiate
from kvalitet.models import Municipality
from kvalitet.plugins import Profiles
from kvalitet.schema.compiled.extension import RawJSON
from kvalitet.schema.compiled.prepared import PreparedQuery, Repeat, RepeatedRequests
from kvalitet.schema.compiled.writes import WritePlans, arguments, scales_of
from kvalitet.schema.context import Context
from kvalitet.schema.reading.loaders import Loaders
from kvalitet.web import graphiql
from kvalitet.web.media import GRAPHQL_RESPONSE, wants_graphql_response
from kvalitet.web.persisted import ONLY_REGISTERED, PersistedQueries, Refusal, read_manifest
from kvalitet.web.ratelimit import RATE_LIMITED, RateLimits, Standing, refusal, watching
from kvalitet.web.websocket import (
    ConnectionRefused,
    TransportWSHandler,
    close_reason,
    connection_credentials,
    normalized_credentials,
    operation_problem,
)

# Credentials longer than this, or with characters no token or API key has (controls, NUL,
# anything not ASCII), are refused before they reach the verifiers or the database.
_MAX_CREDENTIALS = 16_384


_MALFORMED = "Send credentials as `Authorization: Bearer <token or API key>`."


class KvalitetGraphQL(GraphQL[Context, None]):
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
        self.compiled_cache: LRUCache[PreparedQuery] = LRUCache(512)
        self.repeats = RepeatedRequests()
        self.writes = WritePlans()
        self.scales = scales_of(profiles)
        # The profile of each municipality a caller's roles are at, for the language a request
        # that asks for none is answered in (a municipality's profile seldom changes).
        self.profile_codes = TimedCache(60)
        self.persisted = persisted_queries_of(settings)
        self.limits = RateLimits.of(settings)

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.response()  # its assets from the service, not a CDN

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket"):
            connection = HTTPConnection(scope)
            authorization = connection.headers.get("authorization")
            try:
                actor = await self.authenticate(authorization)
            except AuthenticationError as error:
                observed.note(error_codes=[UNAUTHENTICATED])
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4401, "reason": close_reason(str(error))})
                    return
                response: Response = JSONResponse(
                    {"errors": [{"message": str(error), "extensions": {"code": UNAUTHENTICATED}}]},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="kvalitet"'},
                )
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["actor"] = actor
            observed.note(caller=actor.name)
            if self.limits is not None:
                send = await self._limited(scope, receive, send, actor)
                if send is None:
                    return  # refused: over its budget
            if scope["type"] == "websocket":
                scope["state"]["authorization"] = authorization  # connection_init must agree with it
            body = None
            if scope["type"] == "http" and self.persisted is not None:
                scope, body, refusal = await self._persisted(scope, receive)
                if refusal is not None:
                    observed.note(error_codes=[refusal.code])
                    await JSONResponse(refusal.body(), status_code=refusal.status)(scope, receive, send)
                    return
                if scope["method"] == "POST" and body is None:
                    return  # nobody to answer
            if scope["type"] == "http" and scope["method"] == "POST" and self.settings.compiled_queries:
                body = body if body is not None else await _read_body(receive)
                if body is None:
                    return  # nobody to answer
                key = RepeatedRequests.key(scope, body, actor)
                repeat = self.repeats.get(key)
                data = None
                wait = observed.admit(repeat.cost or 1) if repeat is not None else None
                if wait is not None:  # its budget cannot pay for it now
                    await self._refuse_over_limit(scope, receive, send, actor, None, wait)
                    return
                if repeat is not None:
                    data = await self.database.reader.fetch_bytes(repeat.query.sql, repeat.query.arguments)
                if repeat is not None and data is not None:  # (data only from a repeat)
                    observed.note(
                        operation=repeat.operation, operation_type="query", route=observed.COMPILED, cost=repeat.cost
                    )
                    await _answer(send, b'{"data":' + data + repeat.tail, _media_type(scope))
                    return
                written = await self._write(scope, body, actor) if repeat is None else None
                if written is not None:
                    await _answer(send, written, _media_type(scope))
                    return
                scope["state"]["repeat_key"] = key
            if body is not None:  # read here: the view reads it again
                receive = _replay(body, receive)
        await super().__call__(scope, receive, send)

    async def _limited(self, scope, receive, send, actor: Actor):
        """The caller's budget (kvalitet.web.ratelimit) on the request's record, so each operation
        is charged when its cost is known, over HTTP and over a websocket alike; for HTTP, `send`
        with the RateLimit headers, or None when it was refused (429) on arrival."""
        assert self.limits is not None
        client = scope.get("client")
        standing = self.limits.standing(actor, client[0] if client else None)
        exchange = observed.current.get()
        if scope["type"] == "websocket":
            watching(standing, exchange, send)
            return send
        wait = standing.refused_for()
        if wait is not None:
            await self._refuse_over_limit(scope, receive, send, actor, standing, wait)
            return None
        return watching(standing, exchange, send)

    async def _refuse_over_limit(
        self, scope, receive, send, actor: Actor, standing: Standing | None, wait: float
    ) -> None:
        """429 for a caller (or its municipality) whose budget is spent, in the caller's language."""
        said, extensions = refusal(wait)
        connection = HTTPConnection(scope)
        locale = negotiate(
            connection.query_params.get("locale"), connection.headers.get("accept-language"), default=""
        ) or await self.written_standard(actor, SharedConnection(self.database.autocommit, share=False))
        params = [{"name": k, "value": v} for k, v in said.flat_params(locale).items()]
        observed.note(error_codes=[RATE_LIMITED])
        response = JSONResponse(
            {
                "errors": [
                    {
                        "message": said.render(locale),
                        "extensions": {**extensions, "messageKey": said.key, "params": params},
                    }
                ]
            },
            status_code=429,
            headers={"Retry-After": str(extensions["retryAfter"])},
        )
        if standing is not None:  # (else `send` adds them)
            response.raw_headers.extend(standing.headers())
        await response(scope, receive, send)

    async def _persisted(self, scope, receive) -> tuple[dict, bytes | None, Refusal | None]:
        """The request with a persisted document put in its place (kvalitet.web.persisted): the
        scope (a GET's query string rewritten), a POST's body (read here), or why it is refused.
        A body that is not a JSON object is left to the view's own refusals."""
        assert self.persisted is not None
        if scope["method"] == "GET":
            params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            given = dict(params)
            if "extensions" not in given and not ("query" in given and self.persisted.only_registered):
                return scope, None, None
            try:
                extensions = json.loads(given["extensions"]) if "extensions" in given else None
            except ValueError:
                return scope, None, None
            resolved = self.persisted.resolve({"query": given.get("query"), "extensions": extensions})
            if isinstance(resolved, Refusal):
                return scope, None, resolved
            if resolved.get("query") != given.get("query"):
                params = [(k, v) for k, v in params if k != "query"] + [("query", resolved["query"])]
                scope = {**scope, "query_string": urlencode(params).encode("latin-1")}
            return scope, None, None
        if scope["method"] != "POST":
            return scope, None, None
        body = await _read_body(receive)
        if body is None or (not self.persisted.only_registered and b"persistedQuery" not in body):
            return scope, body, None  # the common case, without parsing the body here
        headers = dict(scope.get("headers") or [])
        if not (headers.get(b"content-type") or b"").startswith(b"application/json"):
            return scope, body, ONLY_REGISTERED if self.persisted.only_registered else None
        try:
            request = json.loads(body)
        except (ValueError, RecursionError):
            return scope, body, None
        if not isinstance(request, dict) or _too_deep(request):
            return scope, body, None
        resolved = self.persisted.resolve(request)
        if isinstance(resolved, Refusal):
            return scope, body, resolved
        if resolved is not request:
            body = json.dumps(resolved, ensure_ascii=False).encode()
        return scope, body, None

    async def _write(self, scope, body: bytes, actor: Actor) -> bytes | None:
        """The response to a learnt write document (`kvalitet.schema.compiled.writes`), when
        its one statement wrote it; None for the default path."""
        if b"mutation" not in body or len(body) > RepeatedRequests.MAX_BODY:
            return None
        headers = dict(scope.get("headers") or [])
        if not (headers.get(b"content-type") or b"").startswith(b"application/json"):
            return None
        try:
            request = json.loads(body)
        except (ValueError, RecursionError):  # the default path answers with its 400
            return None
        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            return None
        plan = self.writes.get(request["query"], request.get("operationName"))
        values = None if plan is None else arguments(plan, request.get("variables"), actor, self.policy, self.scales)
        if plan is None or values is None:
            return None
        if observed.admit(plan.cost or 1) is not None:
            return None  # over its budget: the default path refuses it, saying when to try again
        data = await self.database.writer.fetch_bytes(plan.data_sql, values)
        if data is None:
            return None
        observed.note(operation=plan.operation, operation_type="mutation", route=observed.COMPILED, cost=plan.cost)
        return b'{"data":' + data + plan.tail

    async def process_result(self, request, result):
        processed = await super().process_result(request, result)
        if isinstance(processed, dict) and processed.get("errors"):
            observed.note(error_codes=[_code_of(e) for e in processed["errors"]])
        # A mutation run without GraphQL errors: its document may be answered by one statement
        # from now on (CompiledQueries marks the candidates).
        state = getattr(request, "scope", {}).get("state") or {}
        candidate = state.pop("write_candidate", None)
        if candidate is not None and not result.errors and isinstance(processed, dict):
            rest = {key: value for key, value in processed.items() if key != "data"}
            exchange = observed.current.get()
            self.writes.learn(
                self.schema._schema, *candidate, tail=_tail(rest), cost=exchange.cost if exchange else None
            )
        return processed

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
        if len({normalized_credentials(credential) for credential in given}) > 1:
            raise ConnectionRefused(4403, "The credentials in connection_init disagree.")
        state = context.request.scope.setdefault("state", {})
        header = state.get("authorization")
        if header and normalized_credentials(header) != normalized_credentials(given[0]):
            raise ConnectionRefused(
                4403, "The credentials in connection_init are not those of the Authorization header."
            )
        try:
            actor = await self.authenticate(given[0])
        except AuthenticationError as error:
            raise ConnectionRefused(4401, str(error)) from error
        state["actor"] = actor
        context.actor = actor
        context.loaders = Loaders(self.database.autocommit, self.policy, actor)
        if self.limits is not None:  # the connection's operations spend this caller's budget
            await self._limited(context.request.scope, None, None, actor)

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
            response = await super().run(request, context=context, root_value=root_value)
        except HTTPException as error:
            if not isinstance(request, Request):
                raise
            code = _HTTP_CODES.get(error.status_code, f"HTTP_{error.status_code}")
            observed.note(error_codes=[code])
            response = JSONResponse(
                {"errors": [{"message": error.reason, "extensions": {"code": code}}]}, status_code=error.status_code
            )
        finally:
            shared = (request.scope.get("state") or {}).get("shared_connection")
            if shared is not None:  # the request's reads are done (a stream's later ones take their own)
                await shared.end()
        if isinstance(request, Request) and isinstance(response, Response):
            wait = (request.scope.get("state") or {}).get("rate_limited")
            if wait is not None:  # refused by its budget once its cost was known
                response.status_code = 429
                response.headers["Retry-After"] = str(wait)
            return _negotiated(request, response)
        return response

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
        # An HTTP request's reads share one connection (kvalitet.db.shared); a websocket's, which
        # may stay open for hours, take one per batch.
        shared = SharedConnection(self.database.autocommit, share=isinstance(request, Request))
        if isinstance(request, Request):
            request.scope.setdefault("state", {})["shared_connection"] = shared
        return Context(
            settings=self.settings,
            profiles=self.profiles,
            policy=self.policy,
            actor=actor,
            loaders=Loaders(self.database.autocommit, self.policy, actor, shared),
            database=self.database,
            request=request,
            response=response,
            compiled=self.settings.compiled_queries and isinstance(request, Request),
            compiled_cache=self.compiled_cache,
            locale=negotiate(request.query_params.get("locale"), request.headers.get("accept-language"), default="")
            or await self.written_standard(actor, shared),
        )

    async def written_standard(self, actor: Actor, shared: SharedConnection) -> str:
        """The language of a request that asks for none: the written standard the profile of the
        caller's municipalities declares (when they agree), else bokmål."""
        ids = {g.municipality_id for g in actor.grants if g.municipality_id is not None}
        unknown = [i for i in ids if self.profile_codes.get(i) is None]
        if unknown:
            statement = select(Municipality.id, Municipality.profile_code).where(Municipality.id.in_(unknown))

            async def read(connection: AsyncConnection):
                return (await connection.execute(statement)).all()

            for municipality_id, code in await shared.run(read):
                self.profile_codes.put(municipality_id, code or "")
        standards = {
            profile.default_locale
            for i in ids
            if (profile := self.profiles.get(self.profile_codes.get(i) or "")) is not None
        }
        return standards.pop() if len(standards) == 1 else DEFAULT_LOCALE

    def encode_json(self, data: object) -> str | bytes:
        # A compiled answer's `data` is JSON text already: written as it is, not re-encoded.
        if isinstance(data, dict) and isinstance(data.get("data"), RawJSON):
            raw = data["data"]
            rest = {key: value for key, value in data.items() if key != "data"}
            tail = _tail(rest)
            if raw.repeat_key is not None and "errors" not in rest:
                exchange = observed.current.get()
                operation, cost = (exchange.operation, exchange.cost) if exchange else (None, None)
                self.repeats.put(raw.repeat_key, Repeat(raw.query, tail, operation, cost))
            return b'{"data":' + raw.json + tail
        return super().encode_json(data)


def persisted_queries_of(settings: Settings) -> PersistedQueries | None:
    """The persisted queries the settings ask for (None: off). A manifest that cannot be read
    stops the service at start, saying why."""
    if settings.persisted_queries == "off":
        return None
    registered = None
    if settings.persisted_queries == "only":
        assert settings.persisted_query_file is not None  # the settings require it
        registered = read_manifest(settings.persisted_query_file)
    return PersistedQueries(cache_size=settings.persisted_query_cache_size, registered=registered)


async def _answer(send, body: bytes, media_type: str) -> None:
    """A 200 answer with a statement's JSON: the messages starlette's `Response` would send, sent
    without building one on the path that answers most requests."""
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", media_type.encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _media_type(scope) -> str:
    """The media type of an answer whose operation ran, as the request's Accept prefers."""
    accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
    return GRAPHQL_RESPONSE if wants_graphql_response(accept) else "application/json"


def _negotiated(request: Request, response: Response) -> Response:
    """`response` in GraphQL over HTTP's media type when the client prefers it: a refused request
    (no operation ran) as 400 without `data`."""
    if not wants_graphql_response(request.headers.get("accept")):
        return response
    if not (response.headers.get("content-type") or "").startswith("application/json"):
        return response  # the IDE's page, a stream
    if (request.scope.get("state") or {}).get("request_refused") and response.status_code == 200:
        body = json.loads(bytes(response.body))
        body.pop("data", None)
        return Response(json.dumps(body).encode(), status_code=400, media_type=GRAPHQL_RESPONSE)
    response.headers["content-type"] = GRAPHQL_RESPONSE
    return response


def _tail(rest: dict) -> bytes:
    """What a response holds after its `data` (errors, extensions), as JSON text."""
    return ("," + json.dumps(rest, separators=(",", ":"))[1:] if rest else "}").encode()


def _code_of(error: object) -> str:
    """A GraphQL error's code, as answered (every error the service answers carries one)."""
    code = error.get("extensions", {}).get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else "UNKNOWN"


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
