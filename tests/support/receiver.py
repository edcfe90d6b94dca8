"""A webhook receiver for tests: a real HTTP server on loopback, in a thread, that records
what it is sent and answers with the status the test sets; and a bare TCP listener that
records every connection and byte it gets (to prove nothing reached it, or to act as a proxy
that shows where a request was meant to go)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class Received:
    headers: dict
    body: bytes
    at: float = 0.0  # time.monotonic() when the request arrived


@dataclass
class Receiver:
    url: str = ""
    status: int = 200
    delay: float = 0.0
    location: str | None = None  # sent as the Location header (with a 3xx status)
    certificate: tuple[str, str] | None = None  # (certificate file, key file): serve https
    received: list[Received] = field(default_factory=list)
    _server: uvicorn.Server | None = None

    def start(self) -> Receiver:
        async def hook(request: Request):
            arrived = time.monotonic()
            self.received.append(Received(dict(request.headers), await request.body(), arrived))
            if self.delay:
                import asyncio

                await asyncio.sleep(self.delay)
            headers = {"Location": self.location} if self.location else None
            return JSONResponse({"ok": self.status < 300}, status_code=self.status, headers=headers)

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self._server = uvicorn.Server(
            uvicorn.Config(
                Starlette(routes=[Route("/hook", hook, methods=["POST"])]),
                host="127.0.0.1",
                port=port,
                log_level="warning",
                ssl_certfile=self.certificate and self.certificate[0],
                ssl_keyfile=self.certificate and self.certificate[1],
            )
        )
        threading.Thread(target=self._server.run, daemon=True).start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "the receiver did not start"
            time.sleep(0.02)
        self.url = f"{'https' if self.certificate else 'http'}://127.0.0.1:{port}/hook"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True


@dataclass
class Listener:
    """A bare TCP server on loopback, in a thread. It records every connection it accepts and
    the bytes of the request on it, and answers each request with `answer` (an HTTP 200, so
    it also serves as a forward proxy that records the request line it was asked to send on)."""

    answer: bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)
    port: int = 0
    _socket: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def bytes_received(self) -> int:
        return sum(len(r) for r in self.requests)

    def start(self) -> Listener:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.port = self._socket.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:  # stopped
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        data = b""
        with connection:
            connection.settimeout(5)
            try:
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                head = data.split(b"\r\n\r\n", 1)[0].lower()
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.startswith(b"content-length:")
                    ),
                    0,
                )
                while len(data) - len(head) - 4 < length:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                if data:
                    connection.sendall(self.answer)
            except OSError:
                pass
            finally:
                if data:
                    self.requests.append(data)

    def stop(self) -> None:
        if self._socket is not None:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            except OSError:
                pass
            self._socket.close()
