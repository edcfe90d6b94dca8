"""The live sync with the national registers: where each municipality's sync with each
register stands (`kvalitet.registers.sync`)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Base, one_of
from kvalitet.models.enums import RefreshOutcome, Register


class RegisterSync(Base):
    """The last sync of one municipality's units with one register (NSR or NBR): when it ran,
    how it went, and the newest change date the register gave (the next sync fetches only what
    changed after it)."""

    __tablename__ = "register_sync"
    __table_args__ = (one_of("outcome", RefreshOutcome), one_of("register", Register))

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True
    )
    register: Mapped[str] = mapped_column(String(10), primary_key=True)
    synced_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(20))
    # The newest `DatoEndret` among the units the register listed (None: it gave none yet).
    changed_through: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    listed: Mapped[int] = mapped_column(Integer, default=0)  # units the register listed
    fetched: Mapped[int] = mapped_column(Integer, default=0)  # of them, read in full (changed or new)
    message: Mapped[str | None] = mapped_column(String(2000))  # why it failed, for the operator
