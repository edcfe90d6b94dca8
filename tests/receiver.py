"""A webhook receiver for tests: a real HTTP server on loopback, in a thread, that records
what it is sent and answers with the status the test sets."""

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


@dataclass
class Receiver:
    url: str = ""
    status: int = 200
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    _server: uvicorn.Server | None = None

    def start(self) -> Receiver:
        async def hook(request: Request):
            self.received.append(Received(dict(request.headers), await request.body()))
            if self.delay:
                import asyncio

                await asyncio.sleep(self.delay)
            return JSONResponse({"ok": self.status < 300}, status_code=self.status)

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self._server = uvicorn.Server(
            uvicorn.Config(Starlette(routes=[Route("/hook", hook, methods=["POST"])]), host="127.0.0.1", port=port,
                           log_level="warning")
        )
        threading.Thread(target=self._server.run, daemon=True).start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "the receiver did not start"
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
