"""The HTTP server's own limits, over real sockets: a request's head must arrive in time and
within its size, its body in time; a normal request is untouched. (uvicorn with the protocol
`kvalitet serve` uses, `kvalitet.web.protocol`, serving the real app.)"""

from __future__ import annotations

import socket
import time

import pytest

from kvalitet.app import create_app
from kvalitet.web.protocol import guarded_protocol
from tests.support.serving import serving


@pytest.fixture
def server(secure_settings, profiles, database):
    app = create_app(secure_settings.model_copy(update={"webhook_worker": False}), profiles=profiles, database=database)
    protocol = guarded_protocol(head_timeout=1.0, body_timeout=1.0, max_head_bytes=8 * 1024)
    with serving(app, http=protocol, lifespan="off") as port:
        yield port


def _exchange(port: int, *parts: bytes, pause: float = 0.0, wait: float = 5.0) -> tuple[bytes, float]:
    """Send `parts` (pausing between them), then read until the server closes; the answer and
    how long after the last part the connection was closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        for part in parts:
            try:
                sock.sendall(part)
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(pause)
        sent = time.monotonic()
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
        return answer, time.monotonic() - sent


def test_a_normal_request_is_answered(server):
    body = b'{"query":"{ profiles { code } }"}'
    answer, _ = _exchange(
        server,
        b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body),
    )
    assert answer.startswith(b"HTTP/1.1 200") and b'"profiles"' in answer


def test_headers_that_never_finish_are_cut_off(server):
    answer, after = _exchange(server, b"POST /graphql HTTP/1.1\r\nHost: t\r\n", b"X-Slow: a")
    assert answer.startswith(b"HTTP/1.1 408") and after < 3


def test_headers_sent_a_byte_at_a_time_are_cut_off(server):
    head = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Drip: " + b"a" * 40
    started = time.monotonic()
    answer, _ = _exchange(server, *(head[i : i + 1] for i in range(len(head))), pause=0.05)
    assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 4


def test_a_silent_connection_is_closed(server):
    answer, after = _exchange(server)
    assert answer in (b"", b"HTTP/1.1 408") or answer.startswith(b"HTTP/1.1 408")
    assert after < 3


def test_megabytes_of_headers_are_refused(server):
    huge = b"".join(b"X-Filler-%d: %s\r\n" % (n, b"b" * 1000) for n in range(2000))  # about 2 MB
    answer, _ = _exchange(server, b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + huge + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431")


def test_a_body_that_never_finishes_is_cut_off(server):
    answer, after = _exchange(
        server,
        b'POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":',
    )
    assert after < 3
    assert b"HTTP/1.1 200" not in answer


def test_a_kept_alive_connection_gets_the_same_limits_for_its_next_request(server):
    first = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
    answer, after = _exchange(server, first, b"GET /healthz HTTP/1.1\r\nHost: t\r\n", pause=0.1)
    assert answer.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 408" in answer and after < 3
