"""The package as pip installs it: every module directory is listed, every profile registered."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.support.paths import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def test_every_python_package_is_installed():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    mapping = PYPROJECT["tool"]["setuptools"]["package-dir"]
    on_disk = set()
    for init in (REPO / "kvalitet").rglob("__init__.py"):
        on_disk.add(".".join(init.parent.relative_to(REPO).parts))
    for name, directory in mapping.items():
        for init in (REPO / directory).rglob("__init__.py"):
            on_disk.add(".".join((name, *init.parent.relative_to(REPO / directory).parts)))
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_every_shipped_profile_with_code_is_an_entry_point():
    entry_points = PYPROJECT["project"]["entry-points"]["kvalitet.profiles"]
    with_code = {p.name for p in (REPO / "profiles").iterdir() if (p / "__init__.py").exists()}
    assert {v.split(":")[0].split(".")[1] for v in entry_points.values()} == with_code


def _deptry(root: Path, *paths: str) -> subprocess.CompletedProcess:
    deptry = Path(sys.executable).parent / "deptry"
    return subprocess.run(
        [str(deptry), "--no-ansi", *paths],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_every_import_of_the_package_is_a_runtime_dependency():
    # `pip install .` without extras must be enough to run everything under these paths: an
    # import of a test extra here (httpx once was) crashes `kvalitet serve` on a new machine.
    result = _deptry(REPO, "kvalitet", "profiles", "migrations")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dependency_check_catches_an_import_of_a_test_extra(tmp_path):
    (tmp_path / "pyproject.toml").write_text((REPO / "pyproject.toml").read_text())
    (tmp_path / "kvalitet").mkdir()
    (tmp_path / "kvalitet" / "__init__.py").write_text("import hypothesis\nimport yaml\n")
    result = _deptry(tmp_path, "kvalitet")
    assert result.returncode != 0
    assert "DEP004 'hypothesis' imported but declared as a dev dependency" in result.stdout + result.stderr
    assert "'yaml'" not in result.stdout + result.stderr  # PyYAML is a runtime dependency
