"""reports may assess the plan's measures: plan.measures_assessed_by, assessment.measure_id

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 08:00:00

Drammen's school ambitions carry measures (tiltak) but no criteria (kjennetegn), so its schools'
reports had nothing of the plan to assess. A plan now names the kinds of unit whose reports
assess its measures (from the profile when the plan is created; empty for the plans made
before, as before), and an assessment is of a criterion, a local goal or a measure.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KINDS = "ARRAY['kindergarten', 'school', 'sfo']::varchar[]"


def upgrade() -> None:
    op.add_column(
        "plan",
        sa.Column(
            "measures_assessed_by",
            postgresql.ARRAY(sa.String(length=20)),
            server_default="{}",
            nullable=False,
        ),
    )
    op.create_check_constraint(op.f("ck_plan_measures_assessed_by_valid"), "plan", f"measures_assessed_by <@ {KINDS}")
    op.add_column("assessment", sa.Column("measure_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_assessment_measure_id_measure"), "assessment", "measure", ["measure_id"], ["id"], ondelete="RESTRICT"
    )
    op.create_unique_constraint("uq_assessment_report_measure", "assessment", ["report_id", "measure_id"])
    op.drop_constraint(op.f("ck_assessment_one_subject"), "assessment", type_="check")
    op.create_check_constraint(
        op.f("ck_assessment_one_subject"), "assessment", "num_nonnulls(criterion_id, local_goal_id, measure_id) = 1"
    )


def downgrade() -> None:
    op.execute("DELETE FROM assessment WHERE measure_id IS NOT NULL")
    op.drop_constraint(op.f("ck_assessment_one_subject"), "assessment", type_="check")
    op.create_check_constraint(
        op.f("ck_assessment_one_subject"), "assessment", "num_nonnulls(criterion_id, local_goal_id) = 1"
    )
    op.drop_constraint("uq_assessment_report_measure", "assessment", type_="unique")
    op.drop_constraint(op.f("fk_assessment_measure_id_measure"), "assessment", type_="foreignkey")
    op.drop_column("assessment", "measure_id")
    op.drop_constraint(op.f("ck_plan_measures_assessed_by_valid"), "plan", type_="check")
    op.drop_column("plan", "measures_assessed_by")
