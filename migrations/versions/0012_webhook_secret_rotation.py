"""webhook_subscription.previous_secret(_until): a rotated secret stays valid for a while

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 03:20:00

`rotateWebhookSecret` gives a subscription a new secret; deliveries are signed with the old one
too (a second signature in `webhook-signature`) until `previous_secret_valid_until`, so a receiver
switches over without refusing a delivery.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("webhook_subscription", sa.Column("previous_secret", sa.String(length=200), nullable=True))
    op.add_column(
        "webhook_subscription", sa.Column("previous_secret_valid_until", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("webhook_subscription", "previous_secret_valid_until")
    op.drop_column("webhook_subscription", "previous_secret")
