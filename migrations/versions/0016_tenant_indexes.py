"""Indexes for one tenant among many: the change feed per municipality and unit, reports per period

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 19:00:00

The change feed reads a caller's changes in (tx_id, id) order from a cursor. With only the
feed's own index (tx_id, id), a municipality's poll for what is new walks past every change of
every other municipality made since its cursor: at national size, hundreds of thousands of rows
to answer "nothing new". These indexes start at the caller's municipality (a sector office, an
integrator's key) or unit (a unit's leader and staff).

A municipality's reports of one period (which plan the sector report is on) were found through
its units; by the report's own municipality and period they are found at once.
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


# name, table, columns
INDEXES = (
    ("ix_change_log_municipality_feed", "change_log", ["municipality_id", "tx_id", "id"]),
    ("ix_change_log_unit_feed", "change_log", ["unit_id", "tx_id", "id"]),
    ("ix_report_municipality_period", "report", ["municipality_id", "year", "period_key"]),
)


def upgrade() -> None:
    # IF NOT EXISTS: on a large database an operator may build them beforehand, CONCURRENTLY
    # (docs/operations.md), rather than have writes wait while the upgrade builds them; the
    # upgrade runs in one transaction (kvalitet.db.migrate), where CONCURRENTLY cannot.
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, if_not_exists=True)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table, if_exists=True)
