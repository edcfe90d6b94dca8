"""Step 1, parse (pure): each register entry becomes a checked `RegisterUnit`, or a `Rejected`
saying why it cannot be imported; the reasons are the constants here."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kvalitet.models.enums import Ownership, UnitKind
from kvalitet.services.validation import NAME_MAX, Checker, valid_org_number

if TYPE_CHECKING:
    pass


# Why an entry is skipped: the summary groups skipped entries by these.
INVALID_ORG_NUMBER = "invalid organisation number"


INVALID_ENTRY = "invalid entry"


NOT_OURS = "not a kindergarten or primary school"


DUPLICATE = "listed more than once"


UNKNOWN_MUNICIPALITY = "municipality not in the database"


INACTIVE = "inactive, and never imported"


ELSEWHERE = "in another municipality here"


OTHER_KIND = "of another kind here"


ARCHIVED_HERE = "archived here, active in the register"


# The list in the paged responses: `Enheter` (v3), `EnhetListe` (v4).
_LIST_KEYS = ("enheter", "enhetliste")


_PUBLIC_FLAGS = ("eroffentligskole", "eroffentligbarnehage")


_PRIVATE_FLAGS = ("erprivatskole", "erprivatbarnehage")


_MUNICIPALITY_NUMBER = re.compile(r"[0-9]{4}")


class RegisterFileError(ValueError):
    """A file that is not a register response at all (not JSON, no list of units)."""


@dataclass(frozen=True)
class RegisterUnit:
    """One register entry, checked: what kvalitet keeps of it."""

    org_number: str
    name: str
    municipality_number: str
    kind: str  # kindergarten | school
    # municipal | private; None only for an inactive entry, which is only ever archived.
    ownership: str | None
    active: bool


@dataclass(frozen=True)
class Rejected:
    """An entry that is not imported, and why (`reason` groups it in the summary)."""

    org_number: str | None
    name: str | None
    reason: str
    detail: str


@dataclass
class Parsed:
    units: list[RegisterUnit] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


class _Unfit(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def read_entries(path: Path) -> list:
    """The entries of a saved register response."""
    try:
        # utf-8-sig: a response saved by PowerShell or Notepad starts with a byte-order mark.
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RegisterFileError(f"{path}: not a readable JSON file ({error}).") from error
    return entries_of(data, str(path))


def entries_of(data, where: str = "the file") -> list:
    """The list of units: the whole response (the by-municipality endpoints answer a list),
    or the list inside a paged response."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key).casefold() in _LIST_KEYS and isinstance(value, list):
                return value
    raise RegisterFileError(
        f"{where}: expected a list of units, or an object with one under «Enheter» or «EnhetListe»."
    )


def parse_files(paths: Iterable[Path]) -> Parsed:
    parsed = Parsed()
    for path in paths:
        parse_entries(read_entries(path), parsed)
    return parsed


def parse_entries(entries: Iterable, parsed: Parsed | None = None) -> Parsed:
    """Check each entry; the first of several with one organisation number wins (an
    oppvekstsenter can be listed by both registers, and a unit has one kind)."""
    parsed = parsed if parsed is not None else Parsed()
    seen = {unit.org_number for unit in parsed.units}
    for raw in entries:
        try:
            unit = parse_entry(raw)
        except _Unfit as unfit:
            parsed.rejected.append(_rejected_entry(raw, unfit))
            continue
        if unit.org_number in seen:
            parsed.rejected.append(rejected_unit(unit, DUPLICATE, "the first entry with this number is imported"))
            continue
        seen.add(unit.org_number)
        parsed.units.append(unit)
    return parsed


def parse_entry(raw) -> RegisterUnit:
    """The entry checked, or `_Unfit`. The organisation number and the kind come first: an
    entry without a valid number is never imported, and owners and other units are not ours
    whatever else they lack."""
    if not isinstance(raw, dict):
        raise _Unfit(INVALID_ENTRY, "not an object")
    fields = _fields(raw)
    org_number = _org_number(fields)
    kind = _kind(fields)
    name = _name(fields)
    municipality_number = _municipality_number(fields)
    active = _active(fields)
    ownership = _ownership(fields)
    if active and ownership is None:
        raise _Unfit(INVALID_ENTRY, "the register does not say whether it is public or private")
    return RegisterUnit(org_number, name, municipality_number, kind, ownership, active)


def org_number_of(raw: object) -> str | None:
    """An entry's organisation number, if it has a valid one."""
    if not isinstance(raw, dict):
        return None
    try:
        return _org_number(_fields(raw))
    except _Unfit:
        return None


def wanted(raw: object) -> bool:
    """Whether a register entry is an active unit of a kind the municipalities' plans are for
    (what a sync reads in full when it is not here yet)."""
    if not isinstance(raw, dict):
        return False
    fields = _fields(raw)
    try:
        _kind(fields)
    except _Unfit:
        return False
    return fields.get("eraktiv") is not False


def _fields(raw: dict) -> dict:
    """The entry's fields by lower-case name: the API versions spell them differently
    (OrgNr, Orgnr; ErGrunnSkole, ErGrunnskole; ErPrivatSkole, ErPrivatskole)."""
    return {str(key).casefold(): value for key, value in raw.items()}


def _first(fields: dict, *names: str):
    return next((fields[name] for name in names if fields.get(name) is not None), None)


def _org_number(fields: dict) -> str:
    value = _first(fields, "orgnr", "organisasjonsnummer")
    digits = str(value).replace(" ", "") if value is not None else ""
    if not valid_org_number(digits):
        detail = f"«{value}» is not a valid organisation number" if value is not None else "no organisation number"
        raise _Unfit(INVALID_ORG_NUMBER, detail)
    return digits


def _kind(fields: dict) -> str:
    kindergarten = fields.get("erbarnehage") is True
    school = fields.get("erskole") is True or fields.get("ergrunnskole") is True
    if kindergarten and school:
        raise _Unfit(INVALID_ENTRY, "both a school and a kindergarten in the register; add it by hand")
    if kindergarten:
        return UnitKind.KINDERGARTEN
    # NSR's schools include upper secondary, adult and other schools; the municipality's
    # plans are for the primary schools (grunnskoler). An entry that does not say is taken
    # as one.
    if school and fields.get("ergrunnskole") is not False:
        return UnitKind.SCHOOL
    raise _Unfit(NOT_OURS, _what_else(fields))


def _what_else(fields: dict) -> str:
    if fields.get("ervideregaaendeskole") is True:
        return "an upper secondary school"
    if fields.get("erskole") is True:
        return "a school, but not a primary school"
    if fields.get("erskoleeier") is True or fields.get("erbarnehageeier") is True:
        return "an owner of schools or kindergartens"
    return "neither a school nor a kindergarten"


def _name(fields: dict) -> str:
    checker = Checker()
    value = fields.get("navn")
    name = checker.text(value if isinstance(value, str) else None, "name", max_length=NAME_MAX)
    if checker.problems:
        raise _Unfit(INVALID_ENTRY, " ".join(str(problem.message) for problem in checker.problems))
    assert name is not None  # required: an empty one is among the problems
    return name


def _municipality_number(fields: dict) -> str:
    value = _first(fields, "kommunenr", "kommunenummer")
    if value is None and isinstance(fields.get("kommune"), dict):
        # The full records nest it: "Kommune": {"Kommunenummer": …}.
        value = _first(_fields(fields["kommune"]), "kommunenummer", "kommunenr")
    if not isinstance(value, str) or not _MUNICIPALITY_NUMBER.fullmatch(value.strip()):
        raise _Unfit(INVALID_ENTRY, f"«{value}» is not a municipality number (4 digits)")
    return value.strip()


def _active(fields: dict) -> bool:
    value = fields.get("eraktiv")
    if not isinstance(value, bool):
        raise _Unfit(INVALID_ENTRY, "ErAktiv is missing")
    return value


def _ownership(fields: dict) -> str | None:
    """municipal or private; None when the register says neither or both."""
    public = any(fields.get(flag) is True for flag in _PUBLIC_FLAGS)
    private = any(fields.get(flag) is True for flag in _PRIVATE_FLAGS)
    if public == private:
        return None
    return Ownership.MUNICIPAL if public else Ownership.PRIVATE


def _rejected_entry(raw, unfit: _Unfit) -> Rejected:
    """As written in the file, since an unfit entry's values may be what is wrong."""
    fields = _fields(raw) if isinstance(raw, dict) else {}
    org_number = _first(fields, "orgnr", "organisasjonsnummer")
    name = fields.get("navn")
    return Rejected(
        str(org_number) if org_number is not None else None,
        name if isinstance(name, str) else None,
        unfit.reason,
        unfit.detail,
    )


def rejected_unit(unit: RegisterUnit, reason: str, detail: str) -> Rejected:
    return Rejected(unit.org_number, unit.name, reason, detail)
