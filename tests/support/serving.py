"""A real HTTP server for tests: uvicorn on a free loopback port, in a thread."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(app, *, start_within: float = 15, **options) -> Iterator[int]:
    """Serve `app` (uvicorn.Config `options` besides host and port) while in the block; yields
    the port. Fails the test when the server does not start, or does not stop afterwards."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **{"log_level": "warning", **options}))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_within
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=20)
    assert not thread.is_alive(), "the server did not stop"


def wait_until_ready(server, port: int, seconds: float = 90, why=lambda: "") -> None:
    """Wait for a `kvalitet serve` subprocess (`server`, a Popen) to answer `/readyz` on `port`;
    fail the test, with `why()` (its output, say), when it exits or does not get ready in time."""
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        assert server.poll() is None, f"serve exited early: {why()}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"the service did not get ready in {seconds:g} s"
        time.sleep(0.3)
