"""The compiled path as a strawberry extension: it answers a query before graphql-core runs it.

Strawberry executes an operation only when no extension has set a result, so `on_execute`
compiles the operation (after parsing, validation and the limits ran as usual) and, when it
can, runs the one statement and sets the result. The database's JSON text is passed through
as `RawJSON` and written into the response as it is (`KvalitetGraphQL.encode_json`): parsing
and re-encoding a large answer in Python would cost more than the query.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Hashable
from typing import TYPE_CHECKING

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from kvalitet.db.outage import is_outage
from kvalitet.infra import observed
from kvalitet.infra.log import get_logger

if TYPE_CHECKING:
    from kvalitet.schema.compiled.prepared import PreparedQuery
    from kvalitet.schema.context import Context

log = get_logger(__name__)


class RawJSON:
    """JSON made by the database (UTF-8 bytes), to be written into the response unchanged; it
    carries the statement that made it and the request's key, so the response can be kept
    (`Repeat`)."""

    __slots__ = ("json", "query", "repeat_key")

    def __init__(self, json: bytes, query: PreparedQuery | None, repeat_key: Hashable | None):
        self.json = json
        self.query = query
        self.repeat_key = repeat_key


class CompiledQueries(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        if (
            getattr(context, "compiled", False)
            and execution.operation_type is OperationType.MUTATION
            and execution.graphql_document is not None
            and execution.query is not None
        ):
            # The view learns the document once its answer has no GraphQL errors.
            state = context.request.scope.setdefault("state", {})
            state["write_candidate"] = (execution.graphql_document, execution.query)
        if getattr(context, "compiled", False) and execution.graphql_document is not None and not execution.result:
            query = self._prepared(execution, context)
            try:
                answer = (
                    None if query is None else await context.database.reader.fetch_bytes(query.sql, query.arguments)
                )
            except Exception as error:  # noqa: BLE001 - answered as the default path would
                if not is_outage(error):
                    # The default path runs the query again and answers (and logs) what failed.
                    log.warning("query.compiled_failed", error=repr(error))
                    answer = None
                else:
                    # Masked like any error raised inside the service: a 503 with Retry-After.
                    execution.result = GraphQLExecutionResult(
                        data=None, errors=[GraphQLError(str(error), original_error=error)]
                    )
                    yield
                    return
            # NULL means a value the schema calls non-null was missing: the default path says which.
            if answer is not None:
                repeat_key = (context.request.scope.get("state") or {}).get("repeat_key")
                # graphql-core types `data` as a dict; this one is passed through to `encode_json` as it is.
                raw = RawJSON(answer, query, repeat_key)
                execution.result = GraphQLExecutionResult(data=raw, errors=None)  # type: ignore[arg-type]
                observed.note(route=observed.COMPILED)
        yield

    @staticmethod
    def _prepared(execution: ExecutionContext, context: Context) -> PreparedQuery | None:
        """The operation's compiled statement (cached per operation, variables and caller); None
        when the compiler does not do it."""
        # Imported here: the compiler reads the schema's types, and the schema lists this extension.
        from kvalitet.schema.compiled.compiler import Compiler, NotCompilable
        from kvalitet.schema.compiled.prepared import prepare

        document = execution.graphql_document
        if document is None:  # on_execute asks only once the operation is parsed
            return None
        cache = context.compiled_cache
        try:
            variables = json.dumps(execution.variables, sort_keys=True, default=str)
        except (TypeError, ValueError):
            return None
        key = (execution.query, execution.operation_name, variables, context.actor)
        query = cache.get(key) if cache is not None else None
        if query is None:
            try:
                statement = Compiler(
                    execution.schema._schema,
                    document,
                    execution.variables,
                    execution.operation_name,
                    actor=context.actor,
                    policy=context.policy,
                    settings=context.settings,
                    profiles=context.profiles,
                ).statement()
            except NotCompilable as reason:
                log.debug("query.default_path", reason=str(reason))
                return None
            query = prepare(statement, context.database.engine.dialect)
            if cache is not None:
                cache.put(key, query)
        return query
