"""The GraphQL schema: one module per domain concept, assembled here with the profiles' additions."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.tools import merge_types
from strawberry.types.base import get_object_definition

from kvalitet.infra.caches import LRUCache
from kvalitet.infra.settings import Settings
from kvalitet.plugins import Profiles
from kvalitet.schema.compiled.extension import CompiledQueries
from kvalitet.schema.export import Subscription
from kvalitet.schema.extensions.cost import QueryCost
from kvalitet.schema.extensions.documents import Document, DocumentCache
from kvalitet.schema.extensions.error_codes import ErrorCodes
from kvalitet.schema.extensions.masking import MaskUnexpectedErrors
from kvalitet.schema.extensions.observed import ObservedOperation
from kvalitet.schema.extensions.text_arguments import TextArguments
from kvalitet.schema.mutations import Mutation
from kvalitet.schema.node_types import NODE_TYPES
from kvalitet.schema.query import query_type


def build_schema(profiles: Profiles, settings: Settings | None = None) -> strawberry.Schema:
    """The schema for the installed profiles: the core's query plus each profile's fields,
    with the limits of `settings` (defaults when None)."""
    settings = settings or Settings(_env_file=None)
    extra = profiles.graphql_query_types()
    query = query_type()
    if extra:
        described = get_object_definition(query, strict=True).description
        query = merge_types("Query", (query, *extra))
        # merge_types makes its type without a description: the merged query keeps the core query's.
        get_object_definition(query, strict=True).description = described
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: ErrorCodes(settings),
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_query_aliases),
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: QueryCost(
            max_cost=settings.max_query_cost,
            default_page=settings.default_page_size,
            max_page=settings.max_page_size,
        ),
        MaskUnexpectedErrors,
        TextArguments,  # before the compiled path, which would send the text to the database
        CompiledQueries,
        ObservedOperation,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    if settings.document_cache_size:
        documents: LRUCache[Document] = LRUCache(settings.document_cache_size)
        extensions.append(lambda: DocumentCache(documents))
    return strawberry.Schema(
        query=query, mutation=Mutation, subscription=Subscription, types=NODE_TYPES, extensions=extensions
    )


def schema_sdl(schema: strawberry.Schema) -> str:
    return schema.as_str() + "\n"
