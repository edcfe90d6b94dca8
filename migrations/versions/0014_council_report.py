"""council_report, council_report_section, council_report_edition: the yearly report to the council

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 11:00:00

A municipality's draft for a year (figures drawn from the data, a text per section of its
profile's structure) and the editions published from it, each frozen in `content`; and each edition's PDF, kept once
made.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _entity_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "council_report",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=False),
        sa.Column("locale", sa.String(length=2), nullable=False),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("figures_drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        *_entity_columns(),
        sa.CheckConstraint("locale IN ('nb', 'nn')", name=op.f("ck_council_report_locale_valid")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_council_report_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_report")),
        sa.UniqueConstraint("municipality_id", "year", name=op.f("uq_council_report_municipality_id_year")),
    )
    op.create_table(
        "council_report_section",
        sa.Column("council_report_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("measure_ids", postgresql.ARRAY(sa.Uuid()), server_default="{}", nullable=False),
        sa.Column("comment_ids", postgresql.ARRAY(sa.Uuid()), server_default="{}", nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=True),
        *_entity_columns(),
        sa.ForeignKeyConstraint(
            ["council_report_id"],
            ["council_report.id"],
            name=op.f("fk_council_report_section_council_report_id_council_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_report_section")),
        sa.UniqueConstraint("council_report_id", "key", name=op.f("uq_council_report_section_council_report_id_key")),
    )
    op.create_index(
        op.f("ix_council_report_section_council_report_id"),
        "council_report_section",
        ["council_report_id"],
        unique=False,
    )
    op.create_table(
        "council_report_edition",
        sa.Column("council_report_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=2), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Text(), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("sector_report_id", sa.Uuid(), nullable=True),
        *_entity_columns(),
        sa.ForeignKeyConstraint(
            ["council_report_id"],
            ["council_report.id"],
            name=op.f("fk_council_report_edition_council_report_id_council_report"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_council_report_edition_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.CheckConstraint("locale IN ('nb', 'nn')", name=op.f("ck_council_report_edition_locale_valid")),
        sa.ForeignKeyConstraint(
            ["sector_report_id"],
            ["sector_report.id"],
            name=op.f("fk_council_report_edition_sector_report_id_sector_report"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_report_edition")),
        sa.UniqueConstraint(
            "council_report_id", "number", name=op.f("uq_council_report_edition_council_report_id_number")
        ),
    )
    op.create_index(
        op.f("ix_council_report_edition_municipality_id"), "council_report_edition", ["municipality_id"], unique=False
    )
    op.create_table(
        "council_report_pdf",
        sa.Column("edition_id", sa.Uuid(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["council_report_edition.id"],
            name=op.f("fk_council_report_pdf_edition_id_council_report_edition"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("edition_id", name=op.f("pk_council_report_pdf")),
    )


def downgrade() -> None:
    op.drop_table("council_report_pdf")
    op.drop_index(op.f("ix_council_report_edition_municipality_id"), table_name="council_report_edition")
    op.drop_table("council_report_edition")
    op.drop_index(op.f("ix_council_report_section_council_report_id"), table_name="council_report_section")
    op.drop_table("council_report_section")
    op.drop_table("council_report")
