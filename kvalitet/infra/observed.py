"""What one request was, as an operator sees it: its operation, the path that answered it
(compiled or default), its caller, its error codes and how long it took. The outermost
middleware starts the record; the view and the schema's extensions fill it in; the access log
line and the metrics read it. One record per request, in a context variable, so no layer
passes it to another."""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# The paths a GraphQL request is answered on: one statement (a compiled read, a repeated
# request, a learnt write) or graphql-core's execution with the batched loaders.
COMPILED = "compiled"
DEFAULT = "default"

# Operation names are the client's words: a name that is not a GraphQL name is not kept.
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")


@dataclass
class Exchange:
    """One HTTP request or websocket connection, as it is being answered."""

    method: str
    path: str
    started: float = field(default_factory=time.perf_counter)
    status: int | None = None
    operation: str | None = None
    operation_type: str | None = None
    route: str | None = None
    caller: str | None = None
    cost: int | None = None  # the query cost extension's count (kvalitet.web.ratelimit charges it)
    error_codes: list[str] = field(default_factory=list)
    # The caller's budget (kvalitet.web.ratelimit): `admit(cost)` charges an operation's cost as
    # soon as it is known, or says in how many seconds it could be; `charged` once it was.
    admit: Callable[[int], float | None] | None = None
    charged: bool = False

    @property
    def duration_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 2)

    def fields(self) -> dict[str, object]:
        """What a log line says of the request (never a credential: the caller is its name)."""
        found: dict[str, object] = {"method": self.method, "path": self.path, "duration_ms": self.duration_ms}
        for name in ("status", "operation", "operation_type", "route", "caller", "cost"):
            value = getattr(self, name)
            if value is not None:
                found[name] = value
        if self.error_codes:
            found["error_codes"] = sorted(set(self.error_codes))
        return found


current: contextvars.ContextVar[Exchange | None] = contextvars.ContextVar("kvalitet_exchange", default=None)


def note(
    *,
    operation: object = None,
    operation_type: str | None = None,
    route: str | None = None,
    caller: str | None = None,
    cost: int | None = None,
    error_codes: list[str] | None = None,
) -> None:
    """Add what is known now to the current request's record (nothing outside a request)."""
    exchange = current.get()
    if exchange is None:
        return
    if isinstance(operation, str) and _NAME.match(operation):
        exchange.operation = operation
    if operation_type is not None:
        exchange.operation_type = operation_type
    if route is not None:
        exchange.route = route
    if caller is not None:
        exchange.caller = caller
    if cost is not None:
        exchange.cost = cost
    if error_codes:
        exchange.error_codes.extend(error_codes)


def admit(cost: int) -> float | None:
    """Charge `cost` to the current request's budget; None when it may run (or there is no
    budget), else the seconds until it could."""
    exchange = current.get()
    if exchange is None or exchange.admit is None:
        return None
    return exchange.admit(cost)
