"""The `kvalitet` command, run as a user runs it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
from typer.testing import CliRunner

from kvalitet.cli import app
from kvalitet.infra.settings import Settings
from tests.support.paths import REPO
from tests.support.serving import free_port, wait_until_ready

runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch, empty_database_url):
    monkeypatch.setenv("KVALITET_DATABASE_URL", empty_database_url)
    return empty_database_url


def test_profiles_list_names_the_shipped_profiles():
    result = runner.invoke(app, ["profiles", "list"])
    assert result.exit_code == 0, result.output
    lines = {line.split("\t")[0]: line.split("\t")[1] for line in result.output.strip().splitlines()}
    assert lines["tromso"] == "5501" and lines["vestvagoy"] == "1860" and lines["drammen"] == "3301"


def test_schema_export_prints_the_checked_in_schema(tmp_path):
    result = runner.invoke(app, ["schema", "export", "--out", str(tmp_path / "s.graphql")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s.graphql").read_text() == (REPO / "schema.graphql").read_text()


def test_db_upgrade_current_downgrade(cli_env):
    result = runner.invoke(app, ["db", "current"])
    assert "current: empty" in result.output and "migrations pending" in result.output
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["db", "current"])
    assert "up to date" in result.output, result.output
    assert runner.invoke(app, ["db", "downgrade", "base"]).exit_code == 0
    assert "current: empty" in runner.invoke(app, ["db", "current"]).output


def test_settings_log_hides_the_database_password():
    settings = Settings(database_url="postgresql+asyncpg://kvalitet:hemmelig@db.example/kvalitet", _env_file=None)
    shown = settings.redacted()
    assert "hemmelig" not in str(shown)
    assert shown["database_url"] == "postgresql+asyncpg://kvalitet:***@db.example/kvalitet"


def _postmasters(pgdata: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] == "postgres" and str(pgdata) in " ".join(cmdline):
            found.append(process)
    return found


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_starts_one_embedded_database_serves_demo_and_stops_it(tmp_path, workers):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KVALITET_")}
    env["KVALITET_DATA_DIR"] = str(tmp_path / "data")
    command = [sys.executable, "-m", "kvalitet", "serve", "--demo", "--workers", str(workers), "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_ready(server, port, 60, why=server.stdout.read)
        query = '{ municipality(number: "5501") { name plans { title } } }'
        for _ in range(6):  # spread over both workers
            body = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": query}, timeout=10).json()
            assert body["data"]["municipality"]["plans"][0]["title"] == "Du og jeg og vi to – VI VIL!"
        assert len(_postmasters(tmp_path / "data" / "pgdata")) == 1
        # An operator makes a token from another directory, naming the service's data directory.
        made = subprocess.run(
            [sys.executable, "-m", "kvalitet", "token", "create", "--role", "sector_admin", "--municipality", "5501"],
            env=env,
            cwd=tmp_path.parent,
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stderr
        units = '{ municipality(number: "5501") { units(first: 1) { totalCount } } }'
        body = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": units},
            timeout=10,
            headers={"Authorization": f"Bearer {made.stdout.strip()}"},
        ).json()
        assert body["data"]["municipality"]["units"]["totalCount"] > 0, body
    finally:
        server.send_signal(signal.SIGTERM)  # what an orchestrator sends
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    assert _postmasters(tmp_path / "data" / "pgdata") == []


def _claims(token: str) -> dict:
    import jwt

    return jwt.decode(token, options={"verify_signature": False})


def test_token_create_refuses_without_the_services_key_and_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("KVALITET_DATA_DIR", str(tmp_path / "elsewhere"))
    result = runner.invoke(app, ["token", "create", "--role", "sector_admin", "--municipality", "5501"])
    assert result.exit_code == 1
    assert f"No service key at {tmp_path / 'elsewhere' / 'auth' / 'local-token.key'}" in result.stderr
    assert not (tmp_path / "elsewhere").exists()  # no key of its own was made


def test_token_create_names_units_as_claims_do_and_refuses_anything_else(tmp_path, monkeypatch):
    import uuid

    from strawberry.relay import GlobalID

    from kvalitet.auth.local_tokens import signing_key

    monkeypatch.setenv("KVALITET_DATA_DIR", str(tmp_path))
    signing_key(tmp_path)  # as `serve` makes it
    unit_id = uuid.uuid4()
    for given, claimed in (
        ("974760673", "974760673"),
        (str(unit_id), str(unit_id)),
        (str(GlobalID("Unit", str(unit_id))), str(unit_id)),
    ):
        result = runner.invoke(app, ["token", "create", "--role", "unit_leader", "--unit", given])
        assert result.exit_code == 0, result.output
        assert _claims(result.stdout.strip())["roles"] == [{"role": "unit_leader", "unit": claimed}]
    for wrong in ("974760674", "Fjellheim skole", str(GlobalID("Report", str(unit_id))), "12345"):
        result = runner.invoke(app, ["token", "create", "--role", "unit_leader", "--unit", wrong])
        assert result.exit_code == 2 and "a unit is named by its organisation number, id or global id" in result.output
    result = runner.invoke(app, ["token", "create", "--role", "viewer", "--municipality", "Tromsø"])
    assert result.exit_code == 2 and "4-digit number" in result.output


def test_default_token_subjects_differ_by_role_and_target(tmp_path, monkeypatch):
    from kvalitet.auth.local_tokens import signing_key

    monkeypatch.setenv("KVALITET_DATA_DIR", str(tmp_path))
    signing_key(tmp_path)
    subjects = set()
    for args in (
        ["--role", "sector_admin", "--municipality", "5501"],
        ["--role", "sector_admin", "--municipality", "3301"],
        ["--role", "viewer", "--municipality", "5501"],
        ["--role", "unit_leader", "--unit", "974760673"],
    ):
        result = runner.invoke(app, ["token", "create", *args])
        assert result.exit_code == 0, result.output
        subjects.add(_claims(result.stdout.strip())["sub"])
    assert len(subjects) == 4
    result = runner.invoke(app, ["token", "create", "--role", "viewer", "--municipality", "5501", "--subject", "kari"])
    assert _claims(result.stdout.strip())["sub"] == "kari"


def _serve(tmp_path, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KVALITET_")}
    env["KVALITET_DATA_DIR"] = str(tmp_path / "data")
    env["KVALITET_WEBHOOK_WORKER"] = "false"
    command = [sys.executable, "-m", "kvalitet", "serve", "--workers", str(workers), "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_ready(server, port, 60)
    return server, port


def _no_postmaster_within(pgdata: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _postmasters(pgdata):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_the_database_stops_even_when_serve_is_killed_outright(tmp_path):
    pgdata = tmp_path / "data" / "pgdata"
    for _ in range(2):  # the second run starts after the first was killed: its dead entry must not linger
        server, _ = _serve(tmp_path, workers=1)
        assert len(_postmasters(pgdata)) == 1
        server.kill()  # SIGKILL: no exit handler runs in the service
        server.wait(timeout=10)
        assert _no_postmaster_within(pgdata, 30), "the embedded PostgreSQL outlived its service"
    server, _ = _serve(tmp_path, workers=1)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    assert _no_postmaster_within(pgdata, 10)


def test_a_killed_worker_does_not_keep_the_database_running(tmp_path):
    pgdata = tmp_path / "data" / "pgdata"
    server, port = _serve(tmp_path, workers=2)
    try:
        workers = psutil.Process(server.pid).children()
        victim = next(p for p in workers if "spawn_main" in " ".join(p.cmdline()))
        victim.kill()
        time.sleep(2)
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    assert _no_postmaster_within(pgdata, 10)
