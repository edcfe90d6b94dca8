"""uvicorn's HTTP protocol (httptools) with the limits it does not have: a request's head must
arrive within a time and a size, and its body within a time.

Without them a client that sends its headers or body a byte at a time holds a connection (and
its slot) forever, and megabytes of headers are read into memory. uvicorn offers no such
setting for httptools (`h11_max_incomplete_event_size` is h11's only, and h11 is slower), so
the protocol class is extended here. `kvalitet serve` passes `ServiceHttpProtocol` to uvicorn.
"""

from __future__ import annotations

import asyncio
from functools import cache

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kvalitet.infra.settings import get_settings


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    head_timeout: float = 10.0
    body_timeout: float = 30.0
    max_head_bytes: int = 32 * 1024

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_bytes = 0
        self._timer: asyncio.TimerHandle | None = None
        self._await_head()

    def _await_head(self) -> None:
        self._in_head, self._head_bytes = True, 0
        self._arm(self.head_timeout, 408, "The request's headers did not arrive in time.")

    def _arm(self, seconds: float, status: int, message: str) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._refuse, status, message)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` (if no response began) and close the connection."""
        self._timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete or not self.cycle.response_started:
            reason = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}[status]
            body = message.encode()
            self.transport.write(
                b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
                b"connection: close\r\n\r\n%s" % (status, reason, len(body), body)
            )
        if self.cycle is not None:
            self.cycle.keep_alive = False
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            end = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else end
            if self._head_bytes > self.max_head_bytes:
                self._refuse(431, f"The request's headers are larger than {self.max_head_bytes} bytes.")
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._arm(self.body_timeout, 408, "The request's body did not arrive in time.")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()  # the next request on this connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def guarded_protocol(
    *, head_timeout: float, body_timeout: float, max_head_bytes: int
) -> type[GuardedHttpToolsProtocol]:
    return type(
        "GuardedHttpToolsProtocol",
        (GuardedHttpToolsProtocol,),
        {"head_timeout": head_timeout, "body_timeout": body_timeout, "max_head_bytes": max_head_bytes},
    )


@cache
def _service_protocol() -> type[GuardedHttpToolsProtocol]:
    settings = get_settings()
    return guarded_protocol(
        head_timeout=settings.http_head_timeout_seconds,
        body_timeout=settings.http_body_timeout_seconds,
        max_head_bytes=settings.max_header_bytes,
    )


def ServiceHttpProtocol(*args, **kwargs) -> GuardedHttpToolsProtocol:  # noqa: N802 - used as a class
    """The protocol `serve` gives uvicorn (by import string, so each worker builds it), with the
    limits of the settings."""
    return _service_protocol()(*args, **kwargs)
