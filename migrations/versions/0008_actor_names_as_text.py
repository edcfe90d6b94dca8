"""who did a change is kept whole: actor names as text

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:00:00

An actor's name is `user:` and the token's subject, and OIDC allows subjects of 255 characters:
at 200 characters, every write of such a person failed. The names are now text; the subject
itself is checked when the token is (at most 255 characters, no control characters).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = (("change_log", "actor"), ("api_key", "created_by"), ("sector_report", "published_by"))


def upgrade() -> None:
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(length=200), existing_nullable=True)


def downgrade() -> None:
    for table, column in COLUMNS:
        op.execute(f"UPDATE {table} SET {column} = left({column}, 200)")
        op.alter_column(table, column, type_=sa.String(length=200), existing_type=sa.Text(), existing_nullable=True)
