"""The yearly report to the municipal council: the year's draft, its sections' texts, and the
editions published from it.

A draft holds the figures drawn from the data when it was made or last refreshed, and a text
per section of the profile's structure; each text is versioned, and its changes are in the
change log. Publishing freezes structure, figures and texts into an edition's `content`: plain
values, never references, so no later change of units, plans, reports or indicators changes
what was published. A newer edition supersedes the one before it, which stays readable.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    ARRAY,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.models.base import Base, Entity, one_of
from kvalitet.models.enums import ReportLocale


class CouncilReport(Entity):
    __tablename__ = "council_report"
    __table_args__ = (
        UniqueConstraint("municipality_id", "year"),
        one_of("locale", ReportLocale),
    )

    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    # The reporting period whose unit reports the self-assessment part rolls up.
    period_key: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(2))
    figures: Mapped[dict] = mapped_column(JSONB)
    figures_drawn_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(Text)


class CouncilReportSection(Entity):
    """The sector office's own text for one section of the structure (by its key), the plan's
    measures it names as the measures ahead, and the units' comments it quotes."""

    __tablename__ = "council_report_section"
    __table_args__ = (UniqueConstraint("council_report_id", "key"),)

    council_report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("council_report.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    measure_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list, server_default="{}")
    # The units' own words the sector office quotes: assessments (with a comment) of its reports.
    comment_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list, server_default="{}")
    updated_by: Mapped[str | None] = mapped_column(Text)


class CouncilReportEdition(Entity):
    __tablename__ = "council_report_edition"
    __table_args__ = (UniqueConstraint("council_report_id", "number"), one_of("locale", ReportLocale))

    council_report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("council_report.id", ondelete="RESTRICT"))
    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)  # 1 for the year's first edition, then 2 …
    locale: Mapped[str] = mapped_column(String(2))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(Text)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    content: Mapped[dict] = mapped_column(JSONB)
    # Its roll-up part: the sector report of the period, frozen with it (None when no adopted
    # plan covered the year). One snapshot, which `publishedSectorReports` lists as well.
    sector_report_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sector_report.id", ondelete="RESTRICT"))


class CouncilReportPdf(Base):
    """An edition's PDF for the archive, made the first time it is asked for and kept, so it is
    the same bytes ever after (a table of its own: reading an edition never reads its PDF)."""

    __tablename__ = "council_report_pdf"

    edition_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("council_report_edition.id", ondelete="CASCADE"), primary_key=True
    )
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
