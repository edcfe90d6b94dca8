"""Every type of the schema and every field of its object, interface and input types has a
description: front ends read them in GraphiQL and in the clients they generate.

The schema is built as the service builds it, with the installed profiles and the test profile,
so what a profile adds (Vestvågøy's calendar, the test profile's field) is checked too.
Introspection's own types (`__*`) are graphql-core's and are left out.
"""

import strawberry
from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema

from kvalitet.schema import build_schema


def undescribed(schema: GraphQLSchema) -> list[str]:
    """The types (`Name`) and fields (`Name.field`) of `schema` with no description, or a blank one."""
    missing = []
    for name, named_type in sorted(schema.type_map.items()):
        if name.startswith("__"):
            continue
        if not (named_type.description or "").strip():
            missing.append(name)
        if isinstance(named_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in named_type.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
    return missing


def test_every_type_and_field_has_a_description(profiles):
    schema = build_schema(profiles)
    assert "testprofilGreeting" in schema._schema.query_type.fields  # the profiles' fields are there
    missing = undescribed(schema._schema)
    assert not missing, f"{len(missing)} types and fields have no description: " + ", ".join(missing)


def test_the_check_names_every_type_and_field_without_one():
    @strawberry.input
    class Filter:
        text: str = strawberry.field(description="Words to look for.")
        limit: int = 10

    @strawberry.type(description="A thing.")
    class Thing:
        name: str
        size: int = strawberry.field(description=" ")

    @strawberry.type(description="The root query.")
    class Query:
        @strawberry.field
        def things(self, filter: Filter | None = None) -> list[Thing]:
            return []

    schema = strawberry.Schema(query=Query)._schema
    assert undescribed(schema) == ["Filter", "Filter.limit", "Query.things", "Thing.name", "Thing.size"]
