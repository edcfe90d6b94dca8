"""A municipality's whole export, streamed through GraphQL as a subscription (over
graphql-transport-ws or multipart HTTP): the same chunks as `kvalitet export` writes."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from .. import bulk, models
from ..services.errors import UserInputError
from .errors import BadInput
from .mutation_support import read_service


@strawberry.type(description="Some rows of one table of an export, ready to insert in the order they come.")
class ExportChunk:
    table: str
    rows: list[JSON]
    rows_sent: int = strawberry.field(description="Rows sent so far, this chunk included.")
    rows_total: int = strawberry.field(description="Rows the whole export holds.")


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Stream the export of a municipality (sector admins, viewers, and keys that read it): the "
        "same rows as `kvalitet export`, table by table, from one consistent snapshot."
    )
    async def municipality_export(
        self, info: Info, number: str, chunk_size: int = 500
    ) -> AsyncGenerator[ExportChunk, None]:
        if not 1 <= chunk_size <= 5_000:
            raise BadInput("chunkSize must be between 1 and 5000", argument="chunkSize")
        async with read_service(info) as service:
            from sqlalchemy import select

            municipality_id = await service.session.scalar(
                select(models.Municipality.id).where(models.Municipality.number == number)
            )
            try:
                await service.load(models.Municipality, municipality_id, "municipality", action="export", field_name="number")
            except UserInputError as error:
                raise BadInput(error.problems[0].message, argument="number") from error
        engine = info.context.database.engine
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            async with connection.begin():
                total = sum((await bulk.export_counts(connection, municipality_id)).values())
                sent = 0
                async for chunk in bulk.stream_export(connection, municipality_id, chunk_size=chunk_size):
                    sent += len(chunk.rows)
                    yield ExportChunk(table=chunk.table, rows=chunk.rows, rows_sent=sent, rows_total=total)
