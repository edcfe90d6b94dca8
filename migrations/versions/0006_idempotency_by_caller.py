"""idempotency records keyed by the caller's whole identity

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 00:30:00

A record was keyed by the actor's name only, so two callers with the same subject and other
grants shared records. It is now keyed by `caller`, a digest of the subject, its grants and
scopes (`Actor.identity`). Records made before cannot be given a caller and are dropped: they
only serve repeats of a call made moments ago.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM idempotency_record")
    op.drop_constraint("pk_idempotency_record", "idempotency_record", type_="primary")
    op.add_column("idempotency_record", sa.Column("caller", sa.String(length=64), nullable=False))
    op.alter_column("idempotency_record", "actor", type_=sa.Text(), existing_type=sa.String(length=200))
    op.create_primary_key("pk_idempotency_record", "idempotency_record", ["caller", "key"])


def downgrade() -> None:
    op.execute("DELETE FROM idempotency_record")
    op.drop_constraint("pk_idempotency_record", "idempotency_record", type_="primary")
    op.drop_column("idempotency_record", "caller")
    op.alter_column("idempotency_record", "actor", type_=sa.String(length=200), existing_type=sa.Text())
    op.create_primary_key("pk_idempotency_record", "idempotency_record", ["actor", "key"])
