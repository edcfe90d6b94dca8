"""Unexpected errors are masked: the caller gets a request id, the log gets the details."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from ..log import get_logger
from ..middleware import request_id

log = get_logger(__name__)


def is_unexpected(error: GraphQLError) -> bool:
    """Errors of the query itself (syntax, validation, limits, bad arguments) are the caller's
    to see; an exception raised inside the service is not."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self):
        super().__init__(should_mask_error=is_unexpected)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        rid = request_id.get() or "-"
        log.error(
            "graphql.unexpected_error",
            path=error.path,
            error=repr(error.original_error),
            exc_info=error.original_error,
        )
        return GraphQLError(
            message=f"Something went wrong on our side (request id {rid}).",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": rid},
        )
