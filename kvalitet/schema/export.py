"""A municipality's whole export, streamed through GraphQL as a subscription: the same chunks
as `kvalitet export` writes. Sector admins and viewers of the municipality, and API keys that
read it, may stream it; anyone else gets an error and no row.

Two transports, one set of access rules:

- **Multipart HTTP**: POST (or GET) /graphql with `Accept: multipart/mixed;subscriptionSpec="1.0"`
  and, like every HTTP request, `Authorization: Bearer <token or API key>`. Each part is
  `{"payload": {"data": …}}` (an empty `{}` part is a heartbeat); the last boundary ends the
  stream. Only subscriptions are served this way (anything else is a 400).
- **Websockets** (graphql-transport-ws only): the caller is named by the upgrade request's
  `Authorization` header or, since a browser cannot set that header on a websocket, by the
  payload of `connection_init`: `{"Authorization": "Bearer <token>"}` (the key in any case,
  e.g. `authorization`) or `{"token": "<token>"}` (a bare token or API key). A null or empty
  value counts as absent (anonymous). Credentials that are not valid (unknown, expired, not a
  string, malformed) close the socket with 4401 before `connection_ack`; credentials that differ
  from the header's, or from each other, with 4403; a payload that is not an object with 4400.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from kvalitet import bulk, models
from kvalitet.messages import text
from kvalitet.schema.errors import BadInput
from kvalitet.schema.mutation_support import read_service
from kvalitet.services.errors import UserInputError


@strawberry.type(description="Some rows of one table of an export, ready to insert in the order they come.")
class ExportChunk:
    table: str = strawberry.field(description="The database table the rows are of, as `kvalitet export` names it.")
    rows: list[JSON] = strawberry.field(
        description="The rows, each an object of the table's columns (ids, dates and timestamps as ISO strings)."
    )
    rows_sent: int = strawberry.field(description="Rows sent so far, this chunk included.")
    rows_total: int = strawberry.field(description="Rows the whole export holds.")


@strawberry.type(
    description="What can be streamed: a municipality's export, chunk by chunk (multipart HTTP or websockets)."
)
class Subscription:
    @strawberry.subscription(
        description="Stream the export of a municipality (sector admins, viewers, and keys that read it): the "
        "same rows as `kvalitet export`, table by table, from one consistent snapshot."
    )
    async def municipality_export(
        self, info: Info, number: str, chunk_size: int = 500
    ) -> AsyncGenerator[ExportChunk, None]:
        if not 1 <= chunk_size <= 5_000:
            raise BadInput(text("input.between", argument="chunkSize", low=1, high=5000), argument="chunkSize")
        async with read_service(info) as service:
            from sqlalchemy import select

            municipality_id = None
            if _plausible_number(number):  # anything else is no municipality, as an unknown number is
                municipality_id = await service.session.scalar(
                    select(models.Municipality.id).where(models.Municipality.number == number)
                )
            try:
                await service.load(
                    models.Municipality, municipality_id, "municipality", action="export", field_name="number"
                )
            except UserInputError as error:
                raise BadInput(error.problems[0].message, argument="number") from error
        assert municipality_id is not None  # load refused a number of no municipality
        engine = info.context.database.engine
        async with info.context.loaders.shared.apart(), engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            async with connection.begin():
                total = sum((await bulk.export_counts(connection, municipality_id)).values())
                sent = 0
                async for chunk in bulk.stream_export(connection, municipality_id, chunk_size=chunk_size):
                    sent += len(chunk.rows)
                    rows = [JSON(row) for row in chunk.rows]
                    yield ExportChunk(table=chunk.table, rows=rows, rows_sent=sent, rows_total=total)


def _plausible_number(number: str) -> bool:
    """Whether `number` may be a municipality's number: four digits, as the table's check says.
    (NUL and other controls could not even be sent to the database.)"""
    return len(number) == 4 and number.isascii() and number.isdigit()
