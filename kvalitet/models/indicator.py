"""Indicators: national statistics (Udir) and a municipality's own surveys, their figures per
nation / county / municipality / unit and school year, and the import batches they came in."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Base, Entity, kinds_subset, one_of
from kvalitet.models.enums import (
    FigureReason,
    FigureStatus,
    Gender,
    IndicatorLevel,
    IndicatorMeasure,
    IndicatorSource,
    RefreshOutcome,
)


class Indicator(Entity):
    """What is measured. National indicators (no municipality) are kvalitet's catalogue
    (kvalitet/data/indicators.yaml, written here when first imported); a municipality's own
    carry its id and are seen by it alone."""

    __tablename__ = "indicator"
    __table_args__ = (
        one_of("source", IndicatorSource),
        one_of("measure", IndicatorMeasure),
        kinds_subset("unit_kinds"),
        CheckConstraint("min_respondents IS NULL OR min_respondents > 0", name="min_respondents_positive"),
        # Local indicators are the municipality's; national ones are nobody's.
        CheckConstraint("(source = 'local') = (municipality_id IS NOT NULL)", name="local_has_municipality"),
        Index("uq_indicator_national_code", "code", unique=True, postgresql_where=text("municipality_id IS NULL")),
        Index(
            "uq_indicator_local_code",
            "municipality_id",
            "code",
            unique=True,
            postgresql_where=text("municipality_id IS NOT NULL"),
        ),
    )

    code: Mapped[str] = mapped_column(String(80))
    municipality_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    # {"nb": …, "nn": …, "en": …}
    names: Mapped[dict] = mapped_column(JSONB)
    source: Mapped[str] = mapped_column(String(20))
    # The source's own name of the table: "eksport:148", "rapportering:np-5-lesing", "file:grunnskolepoeng".
    source_table: Mapped[str | None] = mapped_column(String(80))
    measure: Mapped[str] = mapped_column(String(20))
    scale_min: Mapped[Decimal | None] = mapped_column(Numeric)
    scale_max: Mapped[Decimal | None] = mapped_column(Numeric)
    higher_is_better: Mapped[bool | None] = mapped_column(Boolean)
    decimals: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    # Fewer respondents than this and the figure is suppressed here too (besides the source's own «*»).
    min_respondents: Mapped[int | None] = mapped_column(Integer)
    unit_kinds: Mapped[list[str]] = mapped_column(ARRAY(String(20)))


class IndicatorBatch(Base):
    """One import: where from, when, which filter, and the checksum of what it brought, so the
    same data imported again is recognised and writes nothing. Append-only."""

    __tablename__ = "indicator_batch"
    __table_args__ = (Index("ix_indicator_batch_scope", "scope", "imported_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # A local upload's municipality (national imports have none).
    municipality_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    source: Mapped[str] = mapped_column(String(200))
    # What a later import of the same thing replaces: source, table and filter together.
    scope: Mapped[str] = mapped_column(String(1000))
    filter: Mapped[str | None] = mapped_column(String(1000))
    checksum: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer)
    figures: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str | None] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IndicatorRefresh(Base):
    """The last scheduled refresh of one export-API table and filter (a `scope` as the batches
    name it): when it ran and how it went, so that several workers, and a worker that restarts,
    fetch a table once per interval, and an operator sees what failed."""

    __tablename__ = "indicator_refresh"
    __table_args__ = (one_of("outcome", RefreshOutcome),)

    scope: Mapped[str] = mapped_column(String(1000), primary_key=True)
    source_table: Mapped[str] = mapped_column(String(100))
    filter: Mapped[str] = mapped_column(String(1000))
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(20))
    # Why it failed, for the operator (as the import's message). What was imported, and when, is
    # the scope's batches'.
    message: Mapped[str | None] = mapped_column(String(2000))


class IndicatorValue(Base):
    """One figure: an indicator for one place, school year, grade and gender.

    A figure that cannot be shown has no number at all (`value` NULL) and says why: a
    suppressed figure is never stored as 0, nor as a NULL without a reason."""

    __tablename__ = "indicator_value"
    __table_args__ = (
        one_of("level", IndicatorLevel),
        one_of("gender", Gender),
        one_of("status", FigureStatus),
        one_of("reason", FigureReason),
        CheckConstraint("(status = 'reported') = (value IS NOT NULL)", name="value_when_reported"),
        CheckConstraint("(status = 'reported') = (reason IS NULL)", name="reason_when_not_reported"),
        CheckConstraint("n IS NULL OR n >= 0", name="n_not_negative"),
        UniqueConstraint(
            "indicator_id", "level", "code", "school_year", "grade", "gender", name="uq_indicator_value_key"
        ),
        Index("ix_indicator_value_batch", "batch_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    indicator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(20))
    # The place: "NO" for the nation, the county's or municipality's number, a unit's organisation number.
    code: Mapped[str] = mapped_column(String(20))
    # The municipality the source placed a unit in (unit figures only).
    municipality_code: Mapped[str | None] = mapped_column(String(4))
    name: Mapped[str | None] = mapped_column(String(300))
    # The school year by its first calendar year: 2024 is 2024–25.
    school_year: Mapped[int] = mapped_column(SmallInteger)
    # "all", or the grade's number ("5", "10"), or "vg1"…
    grade: Mapped[str] = mapped_column(String(10))
    gender: Mapped[str] = mapped_column(String(10))
    value: Mapped[Decimal | None] = mapped_column(Numeric)
    n: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("indicator_batch.id", ondelete="RESTRICT"))
