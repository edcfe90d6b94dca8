"""Small helpers shared by the mutation modules."""

from __future__ import annotations

import strawberry

from kvalitet.services.units import UNSET


def given(value):
    """strawberry's UNSET (the field was left out) as the services' UNSET."""
    return UNSET if value is strawberry.UNSET else value


def given_enum(value):
    """An enum input's value; UNSET and None pass through."""
    if value is strawberry.UNSET:
        return UNSET
    return None if value is None else value.value


def given_text(value):
    """A text that may be left out but, given, is required: null is taken as empty (and refused)."""
    return UNSET if value is strawberry.UNSET else ("" if value is None else value)


def given_or_kept(value):
    """A required value that may be left out: null, too, leaves it as it is."""
    return UNSET if value is None or value is strawberry.UNSET else value


def given_enum_or_kept(value):
    """`given_or_kept` of an enum input, as its stored word."""
    found = given_enum(value)
    return UNSET if found is None else found


# The description of the `version` field of the inputs that change a stored object.
VERSION = "The `version` you read; refused (`STALE_VERSION`) if it has changed since."
