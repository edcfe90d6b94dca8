"""webhook deliveries are leased, not locked, while they are posted

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 12:00:00

The worker held its `FOR UPDATE SKIP LOCKED` transaction open while it posted, which held back
every municipality's change feed for as long as a receiver took to answer. A delivery is now
claimed by setting `leased_until` in a short transaction, and posted with no transaction open.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("webhook_delivery", sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("webhook_delivery", "leased_until")
