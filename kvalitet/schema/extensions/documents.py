"""Parsed and validated documents, kept by their text: a document sent again (with other
variables, by another caller) is neither parsed nor validated again.

Parsing and validation depend only on the text, the schema and the rules, which are fixed for
a schema: the result is the same for every caller and every tenant, so one cache per schema
serves them all and holds nothing of anyone's data. Only documents that validated without
errors are marked valid; a document with errors is validated each time (rare, and its errors
are then made fresh for each answer). What depends on the variables (the cost limit, the
text-argument checks) runs on every request as before.

strawberry's `ParserCache` and `ValidationCache` are not used: the validation cache is keyed
by the tuple of rule classes, and the depth and alias limiters make new rule classes for each
request, so it would never hit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension

from kvalitet.infra.caches import LRUCache


@dataclass
class Document:
    node: DocumentNode
    valid: bool = False


class DocumentCache(SchemaExtension):
    """Give it the schema's one `LRUCache` (made in `build_schema`)."""

    def __init__(self, cache: LRUCache[Document]):
        self.cache = cache
        self.document: Document | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query is not None and context.graphql_document is None:
            self.document = self.cache.get(query)
            if self.document is None:
                try:
                    node = parse(query, **context.parse_options)
                except GraphQLError:
                    pass  # strawberry parses it again and answers the error in its own way
                else:
                    self.document = Document(node)
                    self.cache.put(query, self.document)
            if self.document is not None:
                context.graphql_document = self.document.node
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = self.document
        if document is not None and document.valid and context.pre_execution_errors is None:
            context.pre_execution_errors = []  # strawberry then skips its validation
            yield
            return
        yield
        if document is not None and context.pre_execution_errors == []:
            document.valid = True
