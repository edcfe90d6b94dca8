"""change feed order; units by update time

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 19:45:59.601943
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "change_log",
        sa.Column(
            "tx_id", sa.BigInteger(), server_default=sa.text("pg_current_xact_id()::text::bigint"), nullable=False
        ),
    )
    op.create_index("ix_change_log_feed", "change_log", ["tx_id", "id"], unique=False)
    op.create_index("ix_unit_municipality_updated", "unit", ["municipality_id", "updated_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_unit_municipality_updated", table_name="unit")
    op.drop_index("ix_change_log_feed", table_name="change_log")
    op.drop_column("change_log", "tx_id")
