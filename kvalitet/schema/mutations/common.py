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


# The description of the `version` field of the inputs that change a stored object.
VERSION = "The `version` you read; refused (`STALE_VERSION`) if it has changed since."
