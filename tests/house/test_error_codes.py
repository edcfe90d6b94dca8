"""The core's error codes have one home, `kvalitet.services.errors.ErrorCode`: the code raises
them from there, `UserError.code`'s description is made from it, and the README lists them."""

import ast
import re
from pathlib import Path

from kvalitet.services.errors import CALLER, INPUT_CODES, ErrorCode, user_error_codes
from tests.support.paths import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
HOME = REPO / "kvalitet" / "services" / "errors.py"
CODE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{4,}$")

# Calls that take a code, and where: (positional index, keyword).
TAKES_A_CODE = {
    "fail": (0, "code"),
    "Problem": (0, "code"),
    "UserError": (None, "code"),
    "add": (0, "code"),
    "check": (1, "code"),
}


def _conventions_codes() -> tuple[list[str], list[str]]:
    """The codes README's «Conventions» name for a `UserError`: the core's, then the profiles' examples."""
    conventions = README.split("Conventions, for every mutation:", 1)[1]
    first_rule = conventions.split("\n- ", 2)[1]
    core, profiles = first_rule.split("or a profile rule's", 1)
    return re.findall(r"`([A-Z_]+)`", core), re.findall(r"`([A-Z_]+)`", profiles)


def test_every_code_has_its_name_and_a_one_line_meaning():
    for code in ErrorCode:
        assert code.value == code.name
        assert code.meaning.endswith(".") and "\n" not in code.meaning and len(code.meaning) <= 120, code


def test_the_readme_lists_exactly_the_codes_about_input():
    core, _ = _conventions_codes()
    assert core == [code.value for code in INPUT_CODES]


def test_the_readme_example_of_a_profile_code_is_a_profile_rule_code():
    _, examples = _conventions_codes()
    assert examples, "the README names an example of a profile rule's code"
    rules = "".join(path.read_text(encoding="utf-8") for path in (REPO / "profiles").glob("*/rules.py"))
    for example in examples:
        assert f'"{example}"' in rules, example
        assert example not in ErrorCode.__members__, f"{example} is a profile's code, not the core's"


def test_the_readme_explains_the_codes_about_the_caller():
    for code in ErrorCode:
        if code.about == CALLER:
            assert f"`{code.value}`" in README, code


def test_user_error_code_description_is_made_from_the_codes():
    assert user_error_codes() == ", ".join(code.value for code in INPUT_CODES) + ", or a profile rule's code."
    schema = (REPO / "schema.graphql").read_text(encoding="utf-8")
    assert f'  """\n  {user_error_codes()}\n  """\n  code: String!' in schema


def _bare_codes(path: Path, root: Path = REPO) -> list[str]:
    """Codes written as strings in `path`: a registry code anywhere, any code-like string given
    to a call that takes a code."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    # `__all__` lists names a package exports (a constant may share a code's name), not codes.
    exported = {
        id(constant)
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "__all__" for target in node.targets)
        for constant in ast.walk(node.value)
    }
    for node in ast.walk(tree):
        if id(node) in exported:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ErrorCode.__members__:
            found.append(f"{path.relative_to(root)}:{node.lineno}: {node.value!r}")
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name not in TAKES_A_CODE:
                continue
            index, keyword = TAKES_A_CODE[name]
            given = [k.value for k in node.keywords if k.arg == keyword]
            if index is not None and len(node.args) > index:
                given.append(node.args[index])
            for argument in given:
                if (
                    isinstance(argument, ast.Constant)
                    and isinstance(argument.value, str)
                    and CODE.match(argument.value)
                ):
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {name}({argument.value!r})")
    return sorted(found)


def test_codes_are_raised_only_through_the_registry():
    # A code written as a string is one the registry may not know: name it `ErrorCode.X` (or
    # the alias `X` from kvalitet.services.errors), adding it there with its meaning if new.
    bare = [hit for path in sorted((REPO / "kvalitet").rglob("*.py")) if path != HOME for hit in _bare_codes(path)]
    assert bare == []


def test_the_scan_finds_a_bare_code(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'fail("NOT_FOUND", "x")\nchecker.check(ok, "BRAND_NEW_CODE", "y", None)\n'
        'Problem(code="ANOTHER_ONE", message="z")\nfail(NOT_FOUND, "Not a «CODE».")\n',
        encoding="utf-8",
    )
    assert _bare_codes(sample, tmp_path) == [
        "sample.py:1: 'NOT_FOUND'",  # a registry code as a string
        "sample.py:1: fail('NOT_FOUND')",
        "sample.py:2: check('BRAND_NEW_CODE')",
        "sample.py:3: Problem('ANOTHER_ONE')",
    ]
