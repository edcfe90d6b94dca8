"""Notes each operation's name and type on the request's record (`kvalitet.infra.observed`),
and the default path when the compiled path did not answer it: what the access log line and the
metrics say of a request."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from kvalitet.infra import observed


class ObservedOperation(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        try:
            kind = execution.operation_type.value
        except Exception:  # noqa: BLE001 - no operation to name (the request was refused before it)
            kind = None
        observed.note(operation=execution.operation_name, operation_type=kind)
        exchange = observed.current.get()
        if exchange is not None and exchange.route is None:
            exchange.route = observed.DEFAULT
