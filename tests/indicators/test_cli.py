"""`kvalitet indicators` as an operator runs it: a summary of what was read and written, the
same data again writing nothing, and a changed answer stopping with a message and exit code 1."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kvalitet.cli import app
from tests.support.serving import serving
from tests.support.udir import PREFIX, UDIR_FIXTURES, udir_app

runner = CliRunner()


@pytest.fixture
def udir(monkeypatch, database_url):
    monkeypatch.setenv("KVALITET_DATABASE_URL", database_url)
    app_ = udir_app()
    with serving(app_) as port:
        monkeypatch.setenv("KVALITET_UDIR_BASE_URL", f"http://127.0.0.1:{port}{PREFIX}")
        yield app_


def test_list_names_the_catalogue():
    result = runner.invoke(app, ["indicators", "list"])
    assert result.exit_code == 0
    assert "eu.mobbing\teksport:150\tpercent\tMobbing på skolen" in result.output.splitlines()


def test_import_from_the_export_api(udir):
    args = ["indicators", "import", "eksport:150", "--filter", "TidID(202412)"]
    dry = runner.invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "(dry run: nothing written)" in dry.output
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "eksport:150: 496 rows read" in first.output and "suppressed" in first.output
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "nothing written" in again.output

    udir.state.changed_shape = True
    broken = runner.invoke(app, ["indicators", "import", "eksport:150", "--filter", "TidID(202512)"])
    assert broken.exit_code == 1
    assert "Import stopped, nothing written: eksport:150/2:1: the column(s) AndelMobbet are missing." in broken.output


def test_import_from_files(udir):
    csv = UDIR_FIXTURES / "files" / "grunnskolepoeng.csv"
    result = runner.invoke(app, ["indicators", "import", "file:grunnskolepoeng", str(csv)])
    assert result.exit_code == 0, result.output
    assert "file:grunnskolepoeng:" in result.output
    wrong = runner.invoke(app, ["indicators", "import", "file:grunnskolepoeng", "--filter", "x", str(csv)])
    assert wrong.exit_code == 1 and "give files or --filter, not both" in wrong.output
