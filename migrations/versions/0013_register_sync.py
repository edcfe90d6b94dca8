"""register_sync: where each municipality's live sync with the national registers stands

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 07:00:00

`kvalitet units sync` and the worker's schedule read a municipality's schools (NSR) and
kindergartens (NBR) from the registers' open APIs; this table keeps, per municipality and
register, when it last ran, how it went, and the newest change date seen, so the next sync
reads in full only what changed after it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "register_sync",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("register", sa.String(length=10), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("changed_through", sa.DateTime(timezone=True), nullable=True),
        sa.Column("listed", sa.Integer(), nullable=False),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=2000), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('written', 'unchanged', 'failed')", name=op.f("ck_register_sync_outcome_valid")
        ),
        sa.CheckConstraint("register IN ('nsr', 'nbr')", name=op.f("ck_register_sync_register_valid")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_register_sync_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "register", name=op.f("pk_register_sync")),
    )


def downgrade() -> None:
    op.drop_table("register_sync")
