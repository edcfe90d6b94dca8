"""Labels for the coded values a screen shows, in the caller's language: a unit's kind, a
status, an assessment's level, a perspective, an area's or a goal's kind.

The code stays in its own field (`kind`, `status`, `level`, `perspective`), for programs; the
label beside it (`kindLabel`, `statusLabel`, `levelLabel`, `perspectiveLabel`) is for people.
The core's words come from its catalogues (`kvalitet.messages`); a level, a perspective and an
area's or goal's kind are the profile's, read from the profile of the row's municipality (one
batched statement per kind of row, `Loaders.profile_codes`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from strawberry.types import Info

from kvalitet.messages import kind, label, status
from kvalitet.models.base import Base
from kvalitet.plugins.content import Label


def _code(value: object) -> str:
    return str(getattr(value, "value", value))


def kind_label(value: object, info: Info) -> str:
    """A kind of unit as a label («Skule»)."""
    return label(kind(_code(value)), info.context.locale)


def status_label(value: object, info: Info) -> str:
    """A status as a label («Sendt inn»)."""
    return label(status(_code(value)), info.context.locale)


async def profile_of(info: Info, model: type[Base], row_id: str) -> str | None:
    """The profile code of the municipality the row belongs to."""
    code: str | None = await info.context.loaders.profile_codes(model).load(uuid.UUID(row_id))
    return code


def _said(labels: Iterable[tuple[str, Label]], key: str | None, info: Info) -> str | None:
    return next((str(getattr(found, info.context.locale)) for k, found in labels if k == key), None)


async def level_label(info: Info, model: type[Base], row_id: str, level: str) -> str:
    """An assessment level as the profile's scale names it (the level itself if it names none)."""
    code = await profile_of(info, model, row_id)
    scale = info.context.profiles.assessment_scale(code) if code else []
    return _said(((s.level, s.label) for s in scale), level, info) or level


async def perspective_label(info: Info, model: type[Base], row_id: str, key: str | None) -> str | None:
    """A perspective as the profile names it; None for none (or one the profile does not have)."""
    if key is None:
        return None
    code = await profile_of(info, model, row_id)
    perspectives = info.context.profiles.perspectives(code) if code else []
    return _said(((p.key, p.label) for p in perspectives), key, info)


async def vocabulary_label(info: Info, model: type[Base], row_id: str, key: str, goal: bool = False) -> str | None:
    """An area's (or, with `goal`, a goal's) kind as the profile's vocabulary names it."""
    code = await profile_of(info, model, row_id)
    vocabulary = info.context.profiles.vocabulary(code) if code else None
    if vocabulary is None:
        return None
    return _said((vocabulary.goal_kinds if goal else vocabulary.area_kinds).items(), key, info)


LABEL = "in the caller's language (`Accept-Language` or `?locale=`); the code is in `{field}`."


def described(what: str, field: str) -> str:
    """A label field's description."""
    return f"{what}, {LABEL.format(field=field)}"


__all__ = [
    "described",
    "kind_label",
    "level_label",
    "perspective_label",
    "profile_of",
    "status_label",
    "vocabulary_label",
]
