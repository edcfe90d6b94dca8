"""The government's sector goals (sektormål) that a plan's goals may link to."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Entity, one_of
from kvalitet.models.enums import Sector


class NationalGoal(Entity):
    __tablename__ = "national_goal"
    __table_args__ = (one_of("sector", Sector),)

    key: Mapped[str] = mapped_column(String(80), unique=True)
    sector: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
