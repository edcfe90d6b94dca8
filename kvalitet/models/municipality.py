"""A municipality: owner of kindergartens and schools, identified by its kommunenummer."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Entity


class Municipality(Entity):
    __tablename__ = "municipality"
    __table_args__ = (CheckConstraint("number ~ '^[0-9]{4}$'", name="number_four_digits"),)

    number: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The code of the profile (plug-in) this municipality uses; checked against the installed
    # profiles by the service, not by a foreign key, since profiles are code, not rows.
    profile_code: Mapped[str | None] = mapped_column(String(80))
