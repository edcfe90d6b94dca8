"""The code keeps its lint and format rules (ruff, configured in pyproject.toml): what CI checks
on every landing, and what `ruff check . && ruff format --check .` tells a developer first."""

import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

RUFF = Path(sys.executable).parent / "ruff"


def _ruff(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(RUFF), *arguments], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_the_code_passes_the_linter():
    result = _ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted():
    result = _ruff("format", "--no-cache", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr
