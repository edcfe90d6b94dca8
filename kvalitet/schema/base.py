"""What every node type shares: a global ID, timestamps, a version, and loading by id."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Self

import strawberry
from strawberry import relay
from strawberry.types import Info
from strawberry.types.base import StrawberryList, StrawberryOptional, get_object_definition

from kvalitet.models import Base, ChangeLog
from kvalitet.schema.history import ChangeRecord
from kvalitet.schema.reading.connection import Connection
from kvalitet.schema.reading.relations import Page, relation

HistoryConnection = Connection[ChangeRecord]


def _oldest_first(arguments: dict) -> tuple[str, ...]:
    return ("id",)


@strawberry.interface(description="A stored row: when it was made and changed, its version and history.")
class Versioned:
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    updated_at: dt.datetime = strawberry.field(description="When it was last changed (its creation until then).")
    version: int = strawberry.field(
        description="Increases with every change; send it back with an update so a stale write is refused."
    )

    @relation(
        Page(
            ChangeLog,
            "entity_id",
            order=_oldest_first,
            item=lambda: ChangeRecord,
            parent_type_column="entity_type",
        ),
        description="Every recorded change of this object, oldest first.",
    )
    async def history(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> HistoryConnection: ...


def _enum_class(kind):
    """The Python enum behind a strawberry enum type (strawberry wraps it in a definition)."""
    wrapped = getattr(kind, "wrapped_cls", None)
    return wrapped if isinstance(wrapped, type) and issubclass(wrapped, Enum) else kind


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return None


class RowNode(relay.Node):
    """A Relay node backed by one table. Subclasses set `model` and list their fields."""

    model: ClassVar[type[Base]]
    if TYPE_CHECKING:  # declared for the type checker only: strawberry reads no field from here
        id: str  # each node type's `relay.NodeID[str]`
        _row_converters: ClassVar[dict[str, Any]]

    @classmethod
    def _converters(cls) -> dict[str, Any]:
        """Per field, how a column value becomes the field's value (enums from their text)."""
        cached = cls.__dict__.get("_row_converters")
        if cached is None:
            cached = {}
            strawberry_types = {f.python_name: f.type for f in get_object_definition(cls, strict=True).fields}
            for field in dataclasses.fields(cls):
                kind = _enum_class(strawberry_types.get(field.name))
                if isinstance(kind, StrawberryOptional):
                    kind = _enum_class(kind.of_type)
                of_type = _enum_class(kind.of_type) if isinstance(kind, StrawberryList) else None
                if isinstance(kind, type) and issubclass(kind, Enum):
                    cached[field.name] = kind
                elif isinstance(of_type, type) and issubclass(of_type, Enum):
                    cached[field.name] = lambda values, enum=of_type: [enum(v) for v in values]
                else:
                    cached[field.name] = None
            cls._row_converters = cached
        return cached

    @classmethod
    def from_row(cls, row: Any) -> Self:
        values = {}
        for name, convert in cls._converters().items():
            if name == "id":
                values["id"] = str(row["id"])
            elif name in row:
                value = row[name]
                values[name] = convert(value) if convert is not None and value is not None else value
        return cls(**values)

    @classmethod
    def from_rows(cls, rows: Iterable[Any]) -> list[Self]:
        return [cls.from_row(row) for row in rows]

    @classmethod
    async def load(cls, info: Info, id_: uuid.UUID | None) -> Self | None:
        """The node with `id_` through the request's batched loader; None when absent or hidden."""
        if id_ is None:
            return None
        row = await info.context.loaders.by_id(cls.model).load(id_)
        return cls.from_row(row) if row else None

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        ids = [parse_uuid(node_id) for node_id in node_ids]
        loader = info.context.loaders.by_id(cls.model)
        rows = await loader.load_many([i for i in ids if i is not None])
        found = {row["id"]: row for row in rows if row is not None}
        return [cls.from_row(found[i]) if i in found else None for i in ids]
