"""Municipalities: register one and choose the profile it uses."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from kvalitet.messages import text
from kvalitet.models import Municipality
from kvalitet.services.context import ServiceContext
from kvalitet.services.errors import DUPLICATE, INVALID_VALUE, fail
from kvalitet.services.units import UNSET
from kvalitet.services.validation import NAME_MAX, Checker

_NUMBER = re.compile(r"^[0-9]{4}$")


def _check_profile(ctx: ServiceContext, checker: Checker, code: str | None) -> None:
    if code is not None and ctx.profiles.get(code) is None:
        known = ", ".join(p.code for p in ctx.profiles.all())
        checker.add(INVALID_VALUE, text("municipality.unknown_profile", code=code, known=known), "profile")


async def create_municipality(ctx: ServiceContext, number: str, name: str, profile_code: str | None) -> Municipality:
    checker = Checker()
    number = (number or "").strip()
    checker.check(bool(_NUMBER.match(number)), INVALID_VALUE, text("municipality.number_format"), "number")
    checked_name = checker.text(name, "name", max_length=NAME_MAX)
    _check_profile(ctx, checker, profile_code)
    checker.raise_if_any()
    assert checked_name is not None  # required: refused above when empty
    await ctx.authorize("create", Municipality, None)
    if await ctx.session.scalar(select(Municipality.id).where(Municipality.number == number)):
        fail(DUPLICATE, text("municipality.exists", number=number), "number")
    municipality = Municipality(number=number, name=checked_name, profile_code=profile_code)
    ctx.session.add(municipality)
    await ctx.session.flush()
    return municipality


async def update_municipality(
    ctx: ServiceContext, municipality_id: uuid.UUID, version: int, *, name=UNSET, profile_code=UNSET
) -> Municipality:
    municipality = await ctx.load_for_change(Municipality, municipality_id, version, "municipality")
    checker = Checker()
    if name is not UNSET:
        checked_name = checker.text(name, "name", max_length=NAME_MAX)
        if checked_name is not None:  # else REQUIRED, refused below
            municipality.name = checked_name
    if profile_code is not UNSET:
        _check_profile(ctx, checker, profile_code)
        municipality.profile_code = profile_code
    checker.raise_if_any()
    await ctx.session.flush()
    return municipality
