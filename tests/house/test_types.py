"""The package type-checks (mypy, configured in pyproject.toml): clean everywhere, and strict for
the plug-in SDK (`kvalitet.plugins`) and the compiled read path (`kvalitet.schema.compiled`)."""

import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

CONFIG = REPO / "pyproject.toml"


def _mypy(*arguments: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mypy", *arguments], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_the_package_type_checks():
    result = _mypy()  # the files and the flags are the configuration's
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_type_error_fails_the_check(tmp_path):
    (tmp_path / "wrong.py").write_text('count: int = "a"\n', encoding="utf-8")
    result = _mypy("--config-file", str(CONFIG), "--cache-dir", str(tmp_path / "cache"), "wrong.py", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'wrong.py:1: error: Incompatible types in assignment (expression has type "str"' in result.stdout


def test_only_the_sdk_and_the_compiled_path_are_strict(tmp_path):
    untyped = "def echo(value):\n    return value\n"
    for package in ("kvalitet", "kvalitet/plugins", "kvalitet/schema", "kvalitet/schema/compiled"):
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    for module in ("kvalitet/plugins/sdk.py", "kvalitet/schema/compiled/read.py", "kvalitet/schema/other.py"):
        (tmp_path / module).write_text(untyped, encoding="utf-8")
    result = _mypy("--config-file", str(CONFIG), "--cache-dir", str(tmp_path / "cache"), "kvalitet", cwd=tmp_path)
    report = result.stdout + result.stderr
    assert "kvalitet/plugins/sdk.py:1: error: Function is missing a type annotation  [no-untyped-def]" in report
    assert "kvalitet/schema/compiled/read.py:1: error: Function is missing a type annotation" in report
    assert "other.py" not in report
