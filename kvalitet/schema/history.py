"""The change history of a node, from the change log."""

from __future__ import annotations

import datetime as dt
import functools
from typing import ClassVar

import strawberry
from graphql import GraphQLEnumType, GraphQLObjectType, get_named_type
from strawberry.relay import to_base64
from strawberry.scalars import JSON
from strawberry.types import Info

from kvalitet.models import Base, ChangeLog
from kvalitet.schema.enums import ChangeAction


@strawberry.type(description="One field of a change, in the API's terms.")
class FieldChange:
    field: str = strawberry.field(
        description="The field of the object's GraphQL type (`periodKey`; a reference by its field: `unit`)."
    )
    old: JSON | None = strawberry.field(
        description="Its value before (null for a creation): an enum's GraphQL name, a reference's global id."
    )
    new: JSON | None = strawberry.field(description="Its value after, in the same terms.")


@strawberry.type(description="One recorded change: who, when, and what changed.")
class ChangeRecord:
    # A row of the change log; `at` is its `created_at` (what the compiled path reads).
    model: ClassVar = ChangeLog
    columns: ClassVar[dict[str, str]] = {"at": "created_at"}

    at: dt.datetime = strawberry.field(description="When the change was made.")
    actor: str | None = strawberry.field(
        description="Who made it, as the change log names callers (`user:<subject>`, `apikey:<prefix>`); null when "
        "no caller was recorded."
    )
    action: ChangeAction = strawberry.field(description="Whether the object was created, updated or deleted.")
    changes: JSON = strawberry.field(
        description="For a creation, the values set; for an update, `{field: [old, new]}` (the database's "
        "column names and values; `fieldChanges` has them in the API's terms)."
    )
    entity_type: strawberry.Private[str | None] = None

    @staticmethod
    def from_row(row) -> ChangeRecord:
        return ChangeRecord(
            at=row["created_at"],
            actor=row["actor"],
            action=ChangeAction(row["action"]),
            changes=row["changes"],
            entity_type=row.get("entity_type"),
        )

    @strawberry.field(
        description="What changed, field by field, in the API's terms: GraphQL field names, enum values as the "
        "schema names them, references as global ids."
    )
    def field_changes(self, info: Info) -> list[FieldChange]:
        model = _model(self.entity_type or "")
        api_type = info.schema._schema.type_map.get(self.entity_type or "")
        if model is None or not isinstance(api_type, GraphQLObjectType) or not isinstance(self.changes, dict):
            return []
        created = self.action is ChangeAction.CREATE
        changed = []
        for column, value in self.changes.items():
            old, new = (None, value) if created else (value[0], value[1])
            field, term = _term(model, api_type, column)
            changed.append(FieldChange(field=field, old=term(old), new=term(new)))
        return changed


@functools.cache
def _model(name: str) -> type[Base] | None:
    return next((m.class_ for m in Base.registry.mappers if m.class_.__name__ == name), None)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _term(model: type[Base], api_type: GraphQLObjectType, column: str):
    """The API's name of `column` of `model`, and how a stored value of it is said there."""
    table_column = model.__table__.c.get(column)
    if table_column is not None and table_column.foreign_keys:
        target = next(iter(table_column.foreign_keys)).column.table
        referred = _model_of_table(target.name)
        field = _camel(column.removesuffix("_id"))
        type_name = referred.__name__ if referred is not None else field
        return field, lambda value: to_base64(type_name, value) if value is not None else None
    field = _camel(column)
    found = api_type.fields.get(field)
    kind = get_named_type(found.type) if found is not None else None
    if isinstance(kind, GraphQLEnumType):
        names = {_stored(v.value): name for name, v in kind.values.items()}
        return (
            field,
            lambda value: [names.get(v, v) for v in value] if isinstance(value, list) else names.get(value, value),
        )
    return field, lambda value: value


def _stored(value: object) -> object:
    return getattr(value, "value", value)


@functools.cache
def _model_of_table(name: str) -> type[Base] | None:
    return next((m.class_ for m in Base.registry.mappers if getattr(m.class_, "__tablename__", None) == name), None)
