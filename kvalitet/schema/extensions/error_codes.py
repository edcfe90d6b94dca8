"""Codes and language on the errors of a query itself (syntax, validation, limits, arguments),
so programs can tell them apart and people can read them: graphql-core and strawberry's limiters
give English messages and no code.

An error a person can act on (an argument out of range, a query over a limit) is written in the
request's language from the catalogues (`kvalitet.messages`), with its `messageKey` and `params`
in `extensions` beside the code. Syntax and validation errors stay in graphql-core's English:
they are for the developer writing the query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from kvalitet.infra.settings import Settings
from kvalitet.messages import DEFAULT_LOCALE, Text, text
from kvalitet.schema.errors import BadInput

# (a piece of the message, the code), first match wins.
_CODES = (
    ("Document contains more than", "TOO_MANY_TOKENS"),
    ("exceeds maximum operation depth", "QUERY_TOO_DEEP"),
    ("aliases found", "TOO_MANY_ALIASES"),
    ("introspection has been disabled", "INTROSPECTION_DISABLED"),
)

# What the limits' errors say, by code, from the limits of the settings and the error's extensions.
_LIMITS: dict[str, Callable[[Settings, dict], Text]] = {
    "TOO_MANY_TOKENS": lambda s, _: text("limit.too_many_tokens", limit=s.max_query_tokens),
    "QUERY_TOO_DEEP": lambda s, _: text("limit.too_deep", limit=s.max_query_depth),
    "TOO_MANY_ALIASES": lambda s, _: text("limit.too_many_aliases", limit=s.max_query_aliases),
    "QUERY_TOO_COSTLY": lambda _, e: text("limit.too_costly", cost=e["cost"], limit=e["limit"]),
    "RATE_LIMITED": lambda _, e: text("limit.rate_limited", seconds=e["retryAfter"]),
}


# The codes of a request refused before any of it ran.
REFUSALS = frozenset({"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", *_LIMITS})


def _label(errors, default: str) -> None:
    for error in errors or ():
        if error.extensions and error.extensions.get("code"):
            continue
        code = next((c for piece, c in _CODES if piece in error.message), default)
        error.extensions = {**(error.extensions or {}), "code": code}


class ErrorCodes(SchemaExtension):
    def __init__(self, settings: Settings):
        self.settings = settings

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        refused = context.pre_execution_errors or ()
        if refused and all((error.extensions or {}).get("code") in REFUSALS for error in refused):
            # The request itself was refused (parse, validation, a limit): the view answers a
            # client of GraphQL over HTTP's media type with 400 (kvalitet.web.media). (The
            # compiled path reports a field's error before execution too: that is no refusal.)
            scope = getattr(getattr(context.context, "request", None), "scope", None)
            if isinstance(scope, dict):
                scope.setdefault("state", {})["request_refused"] = True
        locale = getattr(context.context, "locale", DEFAULT_LOCALE)
        result = context.result
        for error in [*(context.pre_execution_errors or ()), *((result.errors or ()) if result else ())]:
            said = self._text_of(error)
            if said is not None:
                _write(error, said, locale)

    def _text_of(self, error: GraphQLError) -> Text | None:
        for candidate in (error, error.original_error):
            if isinstance(candidate, BadInput):
                return candidate.text if isinstance(candidate.text, Text) else None
        limit = _LIMITS.get((error.extensions or {}).get("code", ""))
        return limit(self.settings, error.extensions or {}) if limit else None

    def on_parse(self) -> Iterator[None]:
        yield
        _label(self.execution_context.pre_execution_errors, "GRAPHQL_PARSE_FAILED")

    def on_validate(self) -> Iterator[None]:
        yield
        _label(self.execution_context.pre_execution_errors, "GRAPHQL_VALIDATION_FAILED")


def _write(error: GraphQLError, said: Text, locale: str) -> None:
    error.message = said.render(locale)
    params = [{"name": k, "value": v} for k, v in said.flat_params(locale).items()]
    error.extensions = {**(error.extensions or {}), "messageKey": said.key, "params": params}
