"""indicators: national and local statistics, their figures and import batches

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 15:00:00

Udir's statistics (Elevundersøkelsen, nasjonale prøver, grunnskolepoeng, Foreldreundersøkelsen)
and a municipality's own surveys, per nation / county / municipality / unit and school year.
A figure that cannot be shown has no number and a reason (suppressed, no data).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

KINDS = "ARRAY['kindergarten', 'school', 'sfo']::varchar[]"


def _in(column: str, *values: str) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "indicator",
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=True),
        sa.Column("names", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_table", sa.String(length=80), nullable=True),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("scale_min", sa.Numeric(), nullable=True),
        sa.Column("scale_max", sa.Numeric(), nullable=True),
        sa.Column("higher_is_better", sa.Boolean(), nullable=True),
        sa.Column("decimals", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("min_respondents", sa.Integer(), nullable=True),
        sa.Column("unit_kinds", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(_in("source", "udir", "local"), name=op.f("ck_indicator_source_valid")),
        sa.CheckConstraint(
            _in("measure", "score", "percent", "scale_points", "points"), name=op.f("ck_indicator_measure_valid")
        ),
        sa.CheckConstraint(
            f"unit_kinds <@ {KINDS} AND cardinality(unit_kinds) > 0", name=op.f("ck_indicator_unit_kinds_valid")
        ),
        sa.CheckConstraint(
            "min_respondents IS NULL OR min_respondents > 0", name=op.f("ck_indicator_min_respondents_positive")
        ),
        sa.CheckConstraint(
            "(source = 'local') = (municipality_id IS NOT NULL)", name=op.f("ck_indicator_local_has_municipality")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_indicator_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
    )
    op.create_index(
        "uq_indicator_national_code",
        "indicator",
        ["code"],
        unique=True,
        postgresql_where=sa.text("municipality_id IS NULL"),
    )
    op.create_index(
        "uq_indicator_local_code",
        "indicator",
        ["municipality_id", "code"],
        unique=True,
        postgresql_where=sa.text("municipality_id IS NOT NULL"),
    )
    op.create_table(
        "indicator_batch",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=1000), nullable=False),
        sa.Column("filter", sa.String(length=1000), nullable=True),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("figures", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_indicator_batch_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_batch")),
    )
    op.create_index("ix_indicator_batch_scope", "indicator_batch", ["scope", "imported_at"])
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("school_year", sa.SmallInteger(), nullable=False),
        sa.Column("grade", sa.String(length=10), nullable=False),
        sa.Column("gender", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Numeric(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            _in("level", "nation", "county", "municipality", "unit"), name=op.f("ck_indicator_value_level_valid")
        ),
        sa.CheckConstraint(_in("gender", "all", "girls", "boys"), name=op.f("ck_indicator_value_gender_valid")),
        sa.CheckConstraint(
            _in("status", "reported", "suppressed", "missing"), name=op.f("ck_indicator_value_status_valid")
        ),
        sa.CheckConstraint(
            _in(
                "reason",
                "source",
                "below_threshold",
                "complementary",
                "contains_suppressed",
                "no_data",
                "series_break",
            ),
            name=op.f("ck_indicator_value_reason_valid"),
        ),
        sa.CheckConstraint(
            "(status = 'reported') = (value IS NOT NULL)", name=op.f("ck_indicator_value_value_when_reported")
        ),
        sa.CheckConstraint(
            "(status = 'reported') = (reason IS NULL)", name=op.f("ck_indicator_value_reason_when_not_reported")
        ),
        sa.CheckConstraint("n IS NULL OR n >= 0", name=op.f("ck_indicator_value_n_not_negative")),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_indicator_value_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["indicator_batch.id"],
            name=op.f("fk_indicator_value_batch_id_indicator_batch"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value")),
        sa.UniqueConstraint(
            "indicator_id", "level", "code", "school_year", "grade", "gender", name="uq_indicator_value_key"
        ),
    )
    op.create_index("ix_indicator_value_batch", "indicator_value", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_indicator_value_batch", table_name="indicator_value")
    op.drop_table("indicator_value")
    op.drop_index("ix_indicator_batch_scope", table_name="indicator_batch")
    op.drop_table("indicator_batch")
    op.drop_index("uq_indicator_local_code", table_name="indicator")
    op.drop_index("uq_indicator_national_code", table_name="indicator")
    op.drop_table("indicator")
