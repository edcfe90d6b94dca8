"""The compiled path as a strawberry extension: it answers a query before graphql-core runs it.

Strawberry executes an operation only when no extension has set a result, so `on_execute`
compiles the operation (after parsing, validation and the limits ran as usual) and, when it
can, runs the one statement and sets the result. The database's JSON text is passed through
as `RawJSON` and written into the response as it is (`KvalitetGraphQL.encode_json`): parsing
and re-encoding a large answer in Python would cost more than the query.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

from ..log import get_logger

log = get_logger(__name__)


class RawJSON(str):
    """JSON text made by the database, to be written into the response unchanged."""


class CompiledQueries(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        if getattr(context, "compiled", False) and execution.graphql_document is not None and not execution.result:
            # Imported here: the compiler reads the schema's types, and the schema lists this extension.
            from .compiler import Compiler, NotCompilable

            try:
                statement = Compiler(
                    execution.schema._schema,
                    execution.graphql_document,
                    execution.variables,
                    execution.operation_name,
                    actor=context.actor,
                    policy=context.policy,
                    settings=context.settings,
                    profiles=context.profiles,
                ).statement()
            except NotCompilable as reason:
                log.debug("query.default_path", reason=str(reason))
            else:
                async with context.loaders.engine.connect() as connection:
                    data = (await connection.execute(statement)).scalar_one()
                execution.result = GraphQLExecutionResult(data=RawJSON(data), errors=None)
        yield
