"""GraphQL over HTTP's media type (https://graphql.github.io/graphql-over-http/): a client that
prefers `application/graphql-response+json` gets it, with the status codes that go with it: 200
when the operation ran (`data` present, even with field errors), 400 and no `data` when the
request itself was refused (it did not parse, did not validate, or is over a limit). A client
that asks for `application/json` (or anything) gets what it always got: 200 with `data: null`.
Hand-written: strawberry's view knows only `application/json`.
"""

from __future__ import annotations

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def wants_graphql_response(accept: str | None) -> bool:
    """Whether `accept` prefers `application/graphql-response+json` to `application/json` (equal
    preference goes to the newer)."""
    if not accept:
        return False
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        media = media.lower()
        weights[media] = max(weights.get(media, 0.0), weight)
    ours = weights.get(GRAPHQL_RESPONSE, 0.0)
    legacy = max(weights.get(JSON, 0.0), weights.get("application/*", 0.0), weights.get("*/*", 0.0))
    return ours > 0 and ours >= legacy
