"""Unexpected errors are masked: the caller gets a request id, the log gets the details."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from kvalitet.db.outage import RETRY_AFTER, is_outage
from kvalitet.infra.log import get_logger
from kvalitet.web.middleware import SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE, request_id

log = get_logger(__name__)


def is_unexpected(error: GraphQLError) -> bool:
    """Errors of the query itself (syntax, validation, limits, bad arguments) are the caller's
    to see; an exception raised inside the service is not."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self):
        super().__init__(should_mask_error=is_unexpected)
        self.outage = False

    def on_operation(self):
        yield from super().on_operation()
        if self.outage:
            response = getattr(self.execution_context.context, "response", None)
            if response is not None:
                response.status_code = 503
                response.headers["Retry-After"] = str(RETRY_AFTER)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        rid = request_id.get() or "-"
        if is_outage(error.original_error):
            # The whole answer becomes a 503 with Retry-After (see `on_operation`).
            self.outage = True
            log.warning("graphql.database_unavailable", path=error.path, error=repr(error.original_error))
            return GraphQLError(
                message=f"{UNAVAILABLE_MESSAGE} (request id {rid}).",
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                original_error=None,
                extensions={"code": SERVICE_UNAVAILABLE, "requestId": rid},
            )
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
