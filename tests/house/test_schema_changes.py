"""No breaking schema change unless CHANGELOG.md lists it as deliberate.

The baseline is `schema.baseline.graphql`: the contract API users may rely on, a pinned copy of
`schema.graphql` that moves only when a release is cut (together with CHANGELOG.md's Unreleased
section). graphql-core's `find_breaking_changes(baseline, the schema the code builds)` must find
nothing that CHANGELOG.md's `## [Unreleased]` section does not list, in a code span written as
this check prints it: `CHANGE_TYPE: description`. Dangerous changes (an optional argument or
input field added, an enum value added, a default changed) are reported as a warning and do not fail.

`schema.graphql` itself cannot be the baseline: it is regenerated with every change, so comparing
the code with it only catches drift (tests/house/test_schema_contract.py). Nor is git history used:
which earlier revision counts as "before this change" depends on how the clone was made and
how the change landed, and a tarball or shallow clone has no history at all.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import warnings

import pytest
from graphql import (
    BreakingChangeType,
    DocumentNode,
    find_breaking_changes,
    find_dangerous_changes,
    parse,
    print_ast,
)
from graphql import build_schema as parse_sdl

from kvalitet.plugins import Profiles, new_plugin_manager
from kvalitet.schema import build_schema, schema_sdl
from tests.support.paths import REPO

ROOT = REPO
BASELINE_FILE = ROOT / "schema.baseline.graphql"
CHANGELOG_FILE = ROOT / "CHANGELOG.md"

_UNRELEASED = re.compile(r"^## \[Unreleased\][^\n]*\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)
_LISTED = re.compile(r"`(" + "|".join(BreakingChangeType.__members__) + r"): ([^`]+)`")


class DangerousSchemaChange(UserWarning):
    """A change that breaks no query but may change what existing clients get."""


@dataclasses.dataclass
class SchemaChanges:
    breaking: list[str]  # not listed as deliberate
    deliberate: list[str]  # breaking, and listed in the changelog's Unreleased section
    dangerous: list[str]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def deliberate_changes(changelog: str) -> set[str]:
    """The breaking changes the changelog's Unreleased section lists as deliberate."""
    section = _UNRELEASED.search(changelog)
    if section is None:
        raise AssertionError("CHANGELOG.md has no `## [Unreleased]` section")
    # A code span may wrap across lines in Markdown; compare it as one line.
    return {f"{kind}: {_one_line(description)}" for kind, description in _LISTED.findall(section[1])}


def schema_changes(baseline_sdl: str, current_sdl: str, changelog: str) -> SchemaChanges:
    baseline, current = parse_sdl(baseline_sdl), parse_sdl(current_sdl)
    listed = deliberate_changes(changelog)
    breaking = [f"{c.type.name}: {_one_line(c.description)}" for c in find_breaking_changes(baseline, current)]
    return SchemaChanges(
        breaking=[c for c in breaking if c not in listed],
        deliberate=[c for c in breaking if c in listed],
        dangerous=[f"{c.type.name}: {_one_line(c.description)}" for c in find_dangerous_changes(baseline, current)],
    )


def check_schema_changes(baseline_sdl: str, current_sdl: str, changelog: str) -> SchemaChanges:
    """Fails on a breaking change the changelog does not list; warns of dangerous ones."""
    changes = schema_changes(baseline_sdl, current_sdl, changelog)
    if changes.dangerous:
        warnings.warn(
            DangerousSchemaChange(
                "Dangerous (not breaking) schema changes since schema.baseline.graphql; worth a line in "
                "CHANGELOG.md:\n" + "\n".join(f"  {c}" for c in changes.dangerous)
            ),
            stacklevel=2,
        )
    if changes.breaking:
        raise AssertionError(
            "Breaking schema changes since schema.baseline.graphql:\n"
            + "".join(f"  {c}\n" for c in changes.breaking)
            + "Keep the contract: deprecate (with a reason) instead of removing or retyping. A change "
            "made on purpose is listed in CHANGELOG.md under `## [Unreleased]`, with its reason:\n"
            + "".join(f"  - **Breaking:** `{c}` Why, and what clients do instead.\n" for c in changes.breaking)
        )
    return changes


@functools.cache
def _baseline_sdl() -> str:
    return BASELINE_FILE.read_text(encoding="utf-8")


@functools.cache
def _changelog() -> str:
    return CHANGELOG_FILE.read_text(encoding="utf-8")


def test_the_code_makes_no_breaking_change_the_changelog_does_not_list():
    current = schema_sdl(build_schema(Profiles(new_plugin_manager())))
    check_schema_changes(_baseline_sdl(), current, _changelog())


# The check itself: what it finds, and what the changelog excuses.


def _edited(sdl: str, type_name: str, edit) -> str:
    """The SDL with `edit(fields)` applied to the fields of the object type named `type_name`."""
    document: DocumentNode = parse(sdl)
    definitions = tuple(
        dataclasses.replace(node, fields=edit(node.fields))
        if getattr(node, "name", None) is not None and node.name.value == type_name and hasattr(node, "fields")
        else node
        for node in document.definitions
    )
    assert definitions != document.definitions, type_name
    return print_ast(dataclasses.replace(document, definitions=definitions))


def _without_field(sdl: str, type_name: str, field_name: str) -> str:
    def edit(fields):
        assert field_name in [f.name.value for f in fields], f"{type_name}.{field_name}"
        return tuple(f for f in fields if f.name.value != field_name)

    return _edited(sdl, type_name, edit)


def _changelog_listing(changelog: str, entry: str) -> str:
    """The changelog with `entry` listed under Unreleased (its first subsection)."""
    head, unreleased, rest = changelog.partition("## [Unreleased]\n")
    assert unreleased, "CHANGELOG.md has no `## [Unreleased]` section"
    return f"{head}{unreleased}\n### Removed\n\n- **Breaking:** `{entry}`\n  The reason.\n{rest}"


REMOVED = "FIELD_REMOVED: Field Municipality.units was removed."


def test_a_removed_field_fails_the_check_and_is_named():
    current = _without_field(_baseline_sdl(), "Municipality", "units")
    with pytest.raises(AssertionError, match=re.escape(REMOVED)):
        check_schema_changes(_baseline_sdl(), current, _changelog())
    assert schema_changes(_baseline_sdl(), current, _changelog()).breaking == [REMOVED]


def test_a_removed_field_listed_as_deliberate_passes():
    current = _without_field(_baseline_sdl(), "Municipality", "units")
    changes = check_schema_changes(_baseline_sdl(), current, _changelog_listing(_changelog(), REMOVED))
    assert changes.breaking == [] and changes.deliberate == [REMOVED]


def test_only_the_unreleased_section_excuses_a_change():
    current = _without_field(_baseline_sdl(), "Municipality", "units")
    released = _changelog().replace("## [Unreleased]\n", f"## [Unreleased]\n\n## [0.0.0]\n\n- `{REMOVED}`\n", 1)
    with pytest.raises(AssertionError, match=re.escape(REMOVED)):
        check_schema_changes(_baseline_sdl(), current, released)
    other = _without_field(current, "Query", "nationalGoals")  # one listed, one not
    changes = schema_changes(_baseline_sdl(), other, _changelog_listing(_changelog(), REMOVED))
    assert changes.breaking == ["FIELD_REMOVED: Field Query.nationalGoals was removed."]


def test_a_listing_wrapped_across_lines_counts():
    entry = "FIELD_CHANGED_KIND: Field Unit.name changed type from String! to String."
    changelog = (
        "# Changelog\n\n## [Unreleased]\n\n"
        "- **Breaking:** `FIELD_CHANGED_KIND: Field Unit.name\n  changed type from String! to String.` Why.\n"
    )
    assert deliberate_changes(changelog) == {entry}
    with pytest.raises(AssertionError, match="Unreleased"):
        deliberate_changes("# Changelog\n\n## [0.1.0]\n")


def test_deprecating_a_field_is_not_breaking():
    deprecated = parse('type T { f: Int @deprecated(reason: "Use `units`.") }').definitions[0].fields[0].directives

    def deprecate(fields):
        return tuple(dataclasses.replace(f, directives=deprecated) if f.name.value == "plans" else f for f in fields)

    current = _edited(_baseline_sdl(), "Municipality", deprecate)
    assert '@deprecated(reason: "Use `units`.")' in current
    changes = schema_changes(_baseline_sdl(), current, _changelog())
    assert changes.breaking == changes.dangerous == []


def test_an_optional_argument_is_reported_as_dangerous_but_passes():
    argument = parse("type T { f(since: Int): Int }").definitions[0].fields[0].arguments

    def add_argument(fields):
        return tuple(
            dataclasses.replace(f, arguments=(*(f.arguments or ()), *argument)) if f.name.value == "plans" else f
            for f in fields
        )

    current = _edited(_baseline_sdl(), "Municipality", add_argument)
    with pytest.warns(DangerousSchemaChange, match=re.escape("Municipality.plans(since:)")):
        changes = check_schema_changes(_baseline_sdl(), current, _changelog())
    assert changes.breaking == [] and changes.dangerous == [
        "OPTIONAL_ARG_ADDED: An optional argument Municipality.plans(since:) was added."
    ]


def test_the_changelogs_deliberate_changes_are_well_formed():
    """Every listing in Unreleased names a breaking change the way the check prints one."""
    section = _UNRELEASED.search(_changelog())[1]
    for span in re.findall(r"`([A-Z][A-Z_]+): [^`]*`", section):
        assert span in BreakingChangeType.__members__, f"unknown breaking change type in CHANGELOG.md: {span}"
