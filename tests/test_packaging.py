"""The package as pip installs it: every module directory is listed, every profile registered."""

import tomllib
from pathlib import Path

REPO = Path(__file__).parent.parent
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
