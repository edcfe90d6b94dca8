"""indicator_refresh: the last scheduled refresh of each export-API table and filter

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 02:30:00

The worker imports the tables of the `indicator_refresh` setting again on a schedule; this
table says when each was last fetched and how it went, so several workers (and one that
restarts) fetch a table once per interval, and an operator sees a failure.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator_refresh",
        sa.Column("scope", sa.String(length=1000), nullable=False),
        sa.Column("source_table", sa.String(length=100), nullable=False),
        sa.Column("filter", sa.String(length=1000), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("message", sa.String(length=2000), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('written', 'unchanged', 'failed')", name=op.f("ck_indicator_refresh_outcome_valid")
        ),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_indicator_refresh")),
    )


def downgrade() -> None:
    op.drop_table("indicator_refresh")
