"""Websockets (graphql-transport-ws): the credentials a `connection_init` may carry, and the
checks that close a socket with a 44xx code instead of failing inside strawberry's handler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler

from kvalitet.schema.context import Context
from kvalitet.web.persisted import Refusal

if TYPE_CHECKING:
    from kvalitet.web.view import KvalitetGraphQL


class ConnectionRefused(Exception):
    """A websocket's `connection_init` is refused: the socket is closed with `code`."""

    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def close_reason(text: str) -> str:
    """A close frame's reason holds at most 123 bytes."""
    return text.encode()[:120].decode(errors="ignore")


def normalized_credentials(authorization: str) -> tuple[str, str]:
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
            return close_reason(f'Unknown operation named "{operation_name}".')
        return "Can't get GraphQL operation type"
    if subscriptions_only and operation.operation is not OperationType.SUBSCRIPTION:
        return "Only subscriptions are streamed: send queries and mutations as application/json."
    return None


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws as strawberry speaks it, with two additions: the credentials in
    `connection_init` authenticate the connection, and a message of the wrong shape closes the
    socket with 4400 instead of failing in the handler."""

    if TYPE_CHECKING:
        view: KvalitetGraphQL  # the view that made the handler (strawberry types it as any view)

    async def handle_message(self, message) -> None:
        persisted = self.view.persisted
        if (
            persisted is not None
            and isinstance(message, dict)
            and message.get("type") == "subscribe"
            and isinstance(message.get("id"), str)
            and isinstance(message.get("payload"), dict)
        ):
            # Persisted documents (kvalitet.web.persisted) over the socket too: the allow list
            # holds for every transport.
            resolved = persisted.resolve(message["payload"])
            if isinstance(resolved, Refusal):
                await self.send_message({"id": message["id"], "type": "error", "payload": resolved.body()["errors"]})
                return
            message = {**message, "payload": resolved}
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
                await self.websocket.close(code=refusal.code, reason=close_reason(refusal.reason))
                return
        await super().handle_connection_init(message)
