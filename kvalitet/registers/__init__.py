"""Importing units from the national registers: NSR (Nasjonalt skoleregister) for schools and
NBR (Nasjonalt barnehageregister) for kindergartens.

`kvalitet units import FILE…` reads responses saved from the registers' public APIs
(data-nsr.udir.no, data-nbr.udir.no) and brings the units in line with them, in three steps
that can each be tested alone:

1. parse (pure, `parse`): each entry becomes a checked `RegisterUnit`, or a `Rejected` saying why it
   cannot be imported (invalid organisation number, not a kindergarten or primary school …);
2. plan (`plan`): compare with the database, giving an `ImportPlan` of actions (create, update,
   archive, unchanged) and further rejections (unknown municipality …);
3. apply (`apply`): carry the actions out through the unit services, so the access rules are asked and
   the change log records every change, all in the caller's one transaction.

A unit is matched on its organisation number, so importing the same file again changes
nothing; a unit the register no longer lists as active is archived, never deleted.

`summary` tells a person what was done.
"""

from kvalitet.registers.apply import apply_action, apply_actions, import_units
from kvalitet.registers.parse import (
    ARCHIVED_HERE,
    DUPLICATE,
    ELSEWHERE,
    INACTIVE,
    INVALID_ENTRY,
    INVALID_ORG_NUMBER,
    NOT_OURS,
    OTHER_KIND,
    UNKNOWN_MUNICIPALITY,
    Parsed,
    RegisterFileError,
    RegisterUnit,
    Rejected,
    entries_of,
    parse_entries,
    parse_entry,
    parse_files,
    read_entries,
)
from kvalitet.registers.plan import ARCHIVE, CREATE, UNCHANGED, UPDATE, WRITES, Action, ImportPlan, plan_import
from kvalitet.registers.summary import summary

__all__ = [
    "ARCHIVE",
    "ARCHIVED_HERE",
    "Action",
    "CREATE",
    "DUPLICATE",
    "ELSEWHERE",
    "INACTIVE",
    "INVALID_ENTRY",
    "INVALID_ORG_NUMBER",
    "ImportPlan",
    "NOT_OURS",
    "OTHER_KIND",
    "Parsed",
    "RegisterFileError",
    "RegisterUnit",
    "Rejected",
    "UNCHANGED",
    "UNKNOWN_MUNICIPALITY",
    "UPDATE",
    "WRITES",
    "apply_action",
    "apply_actions",
    "entries_of",
    "import_units",
    "parse_entries",
    "parse_entry",
    "parse_files",
    "plan_import",
    "read_entries",
    "summary",
]
