"""Persisted queries: Apollo's automatic persisted queries (APQ), as Apollo Client, urql and
Relay send them, and an allow-list mode for production where only registered operations run.

A request names its document by `extensions.persistedQuery = {"version": 1, "sha256Hash": …}`
(the hex SHA-256 of the document's text), in a POST body or a GET's `extensions` parameter.
Sent without `query`, the document is looked up: unknown, the answer is the error clients
expect (`PersistedQueryNotFound`, code `PERSISTED_QUERY_NOT_FOUND`, status 200), and they send
it again with the text, which is checked against the hash and kept (per process, least recently
used first out: a client whose hash another process does not know just sends the text once
more). The document is only text: it runs as the caller, like any other, so a hash learnt from
one caller gives another nothing their own rights do not.

With `KVALITET_PERSISTED_QUERIES=only`, the documents are those of a manifest file
(`KVALITET_PERSISTED_QUERY_FILE`: Apollo's persisted query manifest, or a JSON object of hash →
document) and nothing else runs, by hash or by text. Hand-written here: the protocol is a small
rewrite of the request before the view, which no library does for strawberry's ASGI view.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kvalitet.infra.caches import LRUCache

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
INVALID = "PERSISTED_QUERY_INVALID"

_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str

    def body(self) -> dict[str, Any]:
        return {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}


ONLY_REGISTERED = Refusal(400, NOT_ALLOWED, "Only registered operations run here.")


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def read_manifest(path: Path) -> dict[str, str]:
    """hash → document, from Apollo's manifest (`{"operations": [{"id", "body", …}]}`) or a plain
    JSON object; each hash is checked against its document. ValueError says what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a readable JSON file ({error})") from None
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        pairs = [(entry.get("id"), entry.get("body")) for entry in data["operations"] if isinstance(entry, dict)]
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        raise ValueError(f"{path}: expected Apollo's persisted query manifest or an object of hash → document")
    documents = {}
    for key, document in pairs:
        if not isinstance(key, str) or not isinstance(document, str) or sha256(document) != key:
            raise ValueError(f"{path}: «{str(key)[:70]}» is not the SHA-256 of its document")
        documents[key] = document
    return documents


class PersistedQueries:
    def __init__(self, *, cache_size: int, registered: dict[str, str] | None = None):
        """`registered`: the allow list (only these run); None: automatic persisted queries."""
        self.registered = registered
        self.learnt: LRUCache[str] = LRUCache(cache_size)

    @property
    def only_registered(self) -> bool:
        return self.registered is not None

    def resolve(self, request: dict[str, Any]) -> dict[str, Any] | Refusal:
        """The request with its `query` filled in from its hash, or why it does not run."""
        extensions = request.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        query = request.get("query")
        if persisted is None:
            if self.registered is not None and not (isinstance(query, str) and sha256(query) in self.registered):
                return ONLY_REGISTERED
            return request
        if (
            not isinstance(persisted, dict)
            or persisted.get("version") != 1
            or not isinstance(persisted.get("sha256Hash"), str)
            or not _HASH.fullmatch(persisted["sha256Hash"])
        ):
            return Refusal(400, INVALID, "extensions.persistedQuery must be {version: 1, sha256Hash: <64 hex digits>}.")
        wanted = persisted["sha256Hash"]
        if isinstance(query, str):
            if sha256(query) != wanted:
                return Refusal(400, HASH_MISMATCH, "provided sha does not match query")
            if self.registered is not None:
                if wanted not in self.registered:
                    return ONLY_REGISTERED
            else:
                self.learnt.put(wanted, query)
            return request
        known = self.registered.get(wanted) if self.registered is not None else self.learnt.get(wanted)
        if known is None:
            # The message is the protocol's: clients look for it to send the document again.
            return Refusal(200, NOT_FOUND, "PersistedQueryNotFound")
        return {**request, "query": known}
