"""Compiled statements kept ready to run: SQL text and its arguments, in small LRU caches.

What the compiler makes depends only on the operation, its variables and the caller (the
access policy's clauses name the caller's municipalities and units), never on the data, so a
compiled statement can be kept and run again for the same request by the same caller. Both
caches are bounded; a miss only costs a compilation.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select
from sqlalchemy.engine import Dialect

from kvalitet.access.actor import Actor
from kvalitet.infra.caches import LRUCache


@dataclass(frozen=True)
class PreparedQuery:
    """A compiled statement as asyncpg runs it: `$n` placeholders and their values in order."""

    sql: str
    arguments: tuple[Any, ...]


def prepare(statement: Select[Any], dialect: Dialect) -> PreparedQuery:
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    # The types' conversions, as SQLAlchemy's own execute applies them: one function per
    # parameter (a tuple-typed parameter would have one per element; the compiler makes none).
    processors = cast(Mapping[str, Callable[[Any], Any]], compiled._bind_processors)
    arguments = tuple(
        processors[name](values[name]) if name in processors else values[name] for name in compiled.positiontup or ()
    )
    return PreparedQuery(compiled.string, arguments)


@dataclass(frozen=True)
class Repeat:
    """A request answered on the compiled path before: its statement and the response's
    bytes after `data` (the extensions, e.g. the query's cost)."""

    query: PreparedQuery
    tail: bytes
    operation: str | None = None  # its operation's name, for the access log and the metrics
    cost: int | None = None  # its query cost, which the rate limits charge


class RepeatedRequests:
    """Requests (body, content type, accept, caller) that went through parsing, validation,
    the limits and the compiler, and were answered by one statement without errors. The same
    request again is answered by running that statement, without the GraphQL pipeline: the
    pipeline's outcome depends on nothing else, so it would be the same."""

    MAX_BODY = 16_384  # larger bodies are not kept

    def __init__(self, size: int = 512):
        self.cache: LRUCache[Repeat] = LRUCache(size)

    @staticmethod
    def key(scope: Mapping[str, Any], body: bytes, actor: Actor) -> Hashable | None:
        if len(body) > RepeatedRequests.MAX_BODY:
            return None
        headers = dict(scope.get("headers") or [])
        return (body, headers.get(b"content-type"), headers.get(b"accept"), scope.get("query_string"), actor)

    def get(self, key: Hashable | None) -> Repeat | None:
        return None if key is None else self.cache.get(key)

    def put(self, key: Hashable, repeat: Repeat) -> None:
        self.cache.put(key, repeat)
