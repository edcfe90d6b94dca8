"""The GraphQL schema: one module per domain concept, assembled here with the profiles' additions."""

from __future__ import annotations

import strawberry
from strawberry.extensions import QueryDepthLimiter
from strawberry.tools import merge_types

from ..plugins import Profiles
from .node_types import NODE_TYPES
from .mutations import Mutation
from .query import query_type

MAX_QUERY_DEPTH = 15


def build_schema(profiles: Profiles) -> strawberry.Schema:
    """The schema for the installed profiles: the core's query plus each profile's fields."""
    extra = profiles.graphql_query_types()
    query = merge_types("Query", (query_type(), *extra)) if extra else query_type()
    return strawberry.Schema(
        query=query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=[lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH)],
    )


def schema_sdl(schema: strawberry.Schema) -> str:
    return schema.as_str() + "\n"
