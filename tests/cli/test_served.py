"""The service as an operator runs it (`kvalitet serve`, two workers): with
`KVALITET_LOG_JSON=true` every line it writes is JSON, uvicorn's access lines included, each
with the request's id, operation, path, caller and duration and never a credential; and
`/metrics` adds up what both workers counted."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.serving import free_port, wait_until_ready


def test_json_logs_and_metrics_of_two_workers(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KVALITET_", "PROMETHEUS_"))}
    env.update(KVALITET_DATA_DIR=str(tmp_path / "data"), KVALITET_LOG_JSON="true", KVALITET_WEBHOOK_WORKER="false")
    output = (tmp_path / "serve.log").open("w")
    command = [sys.executable, "-m", "kvalitet", "serve", "--demo", "--workers", "2", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(server, port, why=(tmp_path / "serve.log").read_text)
        made = subprocess.run(
            [sys.executable, "-m", "kvalitet", "token", "create", "--role", "sector_admin", "--municipality", "5501"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stderr
        token = made.stdout.strip()
        query = 'query Kommunen { municipality(number: "5501") { name units(first: 2) { totalCount } } }'
        for n in range(8):  # spread over both workers
            answer = httpx.post(
                f"{base}/graphql",
                json={"query": query},
                headers={"Authorization": f"Bearer {token}", "X-Request-ID": f"prove-{n}"},
                timeout=10,
            )
            assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
        refused = httpx.post(f"{base}/graphql", json={"query": "query Feil { nothing }"}, timeout=10)
        assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"

        scraped = httpx.get(f"{base}/metrics", timeout=10)
        assert scraped.status_code == 200, scraped.text
        families = {f.name: f for f in text_string_to_metric_families(scraped.text)}
        counts = {
            (s.labels["operation"], s.labels["route"], s.labels["status"]): s.value
            for s in families["kvalitet_request_duration_seconds"].samples
            if s.name.endswith("_count") and s.labels["path"] == "/graphql"
        }
        # Both workers' requests, added up, each answered by one statement (the first on each
        # worker by the compiler, the rest as repeated requests).
        assert sum(v for (op, _, _), v in counts.items() if op == "Kommunen") == 8, counts
        assert counts.get(("Kommunen", "compiled", "2xx"), 0) == 8, counts
        errors = {
            s.labels["code"]: s.value for s in families["kvalitet_graphql_errors"].samples if s.name.endswith("_total")
        }
        assert errors.get("GRAPHQL_VALIDATION_FAILED") == 1, errors
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        output.close()

    lines = [line for line in (tmp_path / "serve.log").read_text().splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not a JSON line: {line!r}") from None
    assert all(isinstance(p, dict) and "event" in p and "level" in p and "timestamp" in p for p in parsed)
    access = [p for p in parsed if p.get("logger") == "uvicorn.access" and p.get("path") == "/graphql"]
    ours = [p for p in access if str(p.get("request_id", "")).startswith("prove-")]
    assert len(ours) == 8, access
    for line in ours:
        assert line["operation"] == "Kommunen" and line["route"] == "compiled" and line["status"] == 200
        assert line["caller"] and line["method"] == "POST" and line["duration_ms"] >= 0
    assert token not in (tmp_path / "serve.log").read_text()
    assert any(p.get("logger", "").startswith("uvicorn.error") for p in parsed), "uvicorn's own lines are JSON too"


def test_sigterm_lets_requests_in_flight_finish_for_the_drain_time_and_no_longer(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KVALITET_", "PROMETHEUS_"))}
    env.update(
        KVALITET_DATA_DIR=str(tmp_path / "data"), KVALITET_WEBHOOK_WORKER="false", KVALITET_SHUTDOWN_DRAIN_SECONDS="3"
    )
    command = [sys.executable, "-m", "kvalitet", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(server, port)
        # A request in flight: its head, and part of its body (the rest would come within the
        # body timeout, 30 s).
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        time.sleep(0.5)
        signalled = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=25)
        took = time.monotonic() - signalled
        slow.close()
    finally:
        if server.poll() is None:
            server.kill()
    # It waited for the request in flight, and stopped waiting after the drain time.
    assert 2.5 <= took <= 12, took
