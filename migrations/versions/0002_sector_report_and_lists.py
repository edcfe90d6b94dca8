"""sector report; municipality on local plans and reports; indexes for lists

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:58:07.389560
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sector_report",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=True),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_sector_report_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_sector_report_plan_id_plan"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sector_report")),
    )
    op.create_index("ix_sector_report_period", "sector_report", ["municipality_id", "year", "period_key"], unique=False)
    op.add_column("local_plan", sa.Column("municipality_id", sa.Uuid(), nullable=False))
    op.create_index(
        "ix_local_plan_municipality_updated", "local_plan", ["municipality_id", "updated_at", "id"], unique=False
    )
    op.create_index("ix_local_plan_unit_updated", "local_plan", ["unit_id", "updated_at", "id"], unique=False)
    op.create_index("ix_local_plan_updated", "local_plan", ["updated_at", "id"], unique=False)
    op.create_foreign_key(
        op.f("fk_local_plan_municipality_id_municipality"),
        "local_plan",
        "municipality",
        ["municipality_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.add_column("report", sa.Column("municipality_id", sa.Uuid(), nullable=False))
    op.create_index("ix_report_municipality_updated", "report", ["municipality_id", "updated_at", "id"], unique=False)
    op.create_index("ix_report_unit_updated", "report", ["unit_id", "updated_at", "id"], unique=False)
    op.create_index("ix_report_updated", "report", ["updated_at", "id"], unique=False)
    op.create_foreign_key(
        op.f("fk_report_municipality_id_municipality"),
        "report",
        "municipality",
        ["municipality_id"],
        ["id"],
        ondelete="RESTRICT",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_report_municipality_id_municipality"), "report", type_="foreignkey")
    op.drop_index("ix_report_updated", table_name="report")
    op.drop_index("ix_report_unit_updated", table_name="report")
    op.drop_index("ix_report_municipality_updated", table_name="report")
    op.drop_column("report", "municipality_id")
    op.drop_constraint(op.f("fk_local_plan_municipality_id_municipality"), "local_plan", type_="foreignkey")
    op.drop_index("ix_local_plan_updated", table_name="local_plan")
    op.drop_index("ix_local_plan_unit_updated", table_name="local_plan")
    op.drop_index("ix_local_plan_municipality_updated", table_name="local_plan")
    op.drop_column("local_plan", "municipality_id")
    op.drop_index("ix_sector_report_period", table_name="sector_report")
    op.drop_table("sector_report")
