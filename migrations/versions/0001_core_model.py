"""core model

Revision ID: 0001
Revises:
Create Date: 2026-11-23 18:40:02.687811
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("entity_type", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.CheckConstraint("action IN ('create', 'update', 'delete')", name=op.f("ck_change_log_action_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    op.create_index("ix_change_log_entity", "change_log", ["entity_type", "entity_id", "id"], unique=False)
    op.create_table(
        "municipality",
        sa.Column("number", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("profile_code", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("number ~ '^[0-9]{4}$'", name=op.f("ck_municipality_number_four_digits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality")),
        sa.UniqueConstraint("number", name=op.f("uq_municipality_number")),
    )
    op.create_table(
        "national_goal",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("sector IN ('kindergarten', 'basic_education')", name=op.f("ck_national_goal_sector_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_goal")),
        sa.UniqueConstraint("key", name=op.f("uq_national_goal_key")),
    )
    op.create_table(
        "plan",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("period_start", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("applies_to", sa.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=True),
        sa.Column("adopted_by", sa.String(length=500), nullable=True),
        sa.Column("profile_code", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "applies_to <@ ARRAY['kindergarten', 'school', 'sfo']::varchar[] AND cardinality(applies_to) > 0",
            name=op.f("ck_plan_applies_to_valid"),
        ),
        sa.CheckConstraint("status IN ('draft', 'adopted', 'archived')", name=op.f("ck_plan_status_valid")),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_plan_period_ordered")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_plan_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    op.create_index("ix_plan_municipality_period", "plan", ["municipality_id", "period_start"], unique=False)
    op.create_table(
        "unit",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("org_number", sa.String(length=9), nullable=True),
        sa.Column("ownership", sa.String(length=20), server_default="municipal", nullable=False),
        sa.Column("zone", sa.String(length=200), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("kind IN ('kindergarten', 'school', 'sfo')", name=op.f("ck_unit_kind_valid")),
        sa.CheckConstraint("org_number ~ '^[0-9]{9}$'", name=op.f("ck_unit_org_number_nine_digits")),
        sa.CheckConstraint("ownership IN ('municipal', 'private')", name=op.f("ck_unit_ownership_valid")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_unit_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("org_number", name=op.f("uq_unit_org_number")),
    )
    op.create_index("ix_unit_municipality_name", "unit", ["municipality_id", "name"], unique=False)
    op.create_table(
        "area",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("key", sa.String(length=80), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("applies_to", sa.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "applies_to <@ ARRAY['kindergarten', 'school', 'sfo']::varchar[] AND cardinality(applies_to) > 0",
            name=op.f("ck_area_applies_to_valid"),
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["area.id"], name=op.f("fk_area_parent_id_area"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_area_plan_id_plan"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area")),
        sa.UniqueConstraint("plan_id", "key", name="uq_area_plan_key"),
    )
    op.create_index("ix_area_parent", "area", ["parent_id"], unique=False)
    op.create_index("ix_area_plan_position", "area", ["plan_id", "position"], unique=False)
    op.create_table(
        "local_plan",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'returned')", name=op.f("ck_local_plan_status_valid")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_local_plan_plan_id_plan"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_local_plan_unit_id_unit"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_plan")),
        sa.UniqueConstraint("unit_id", "plan_id", name="uq_local_plan_unit_plan"),
    )
    op.create_index("ix_local_plan_plan", "local_plan", ["plan_id"], unique=False)
    op.create_table(
        "goal",
        sa.Column("area_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("national_goal_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_goal_area_id_area"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["national_goal_id"],
            ["national_goal.id"],
            name=op.f("fk_goal_national_goal_id_national_goal"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal")),
    )
    op.create_index("ix_goal_area_position", "goal", ["area_id", "position"], unique=False)
    op.create_table(
        "local_goal",
        sa.Column("local_plan_id", sa.Uuid(), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=False),
        sa.Column("perspective", sa.String(length=80), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_local_goal_area_id_area"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(
            ["local_plan_id"],
            ["local_plan.id"],
            name=op.f("fk_local_goal_local_plan_id_local_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_goal")),
    )
    op.create_index("ix_local_goal_plan", "local_goal", ["local_plan_id", "position"], unique=False)
    op.create_table(
        "local_plan_section",
        sa.Column("local_plan_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_local_plan_section_area_id_area"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["local_plan_id"],
            ["local_plan.id"],
            name=op.f("fk_local_plan_section_local_plan_id_local_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_plan_section")),
    )
    op.create_index("ix_local_plan_section_plan", "local_plan_section", ["local_plan_id", "position"], unique=False)
    op.create_table(
        "measure",
        sa.Column("area_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=500), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("partner", sa.String(length=500), nullable=True),
        sa.Column("target_group", sa.String(length=500), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_measure_area_id_area"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
    )
    op.create_index("ix_measure_area_position", "measure", ["area_id", "position"], unique=False)
    op.create_table(
        "report",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("local_plan_id", sa.Uuid(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'returned')", name=op.f("ck_report_status_valid")
        ),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_report_period_ordered")),
        sa.ForeignKeyConstraint(
            ["local_plan_id"], ["local_plan.id"], name=op.f("fk_report_local_plan_id_local_plan"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_report_plan_id_plan"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_report_unit_id_unit"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("unit_id", "plan_id", "year", "period_key", name="uq_report_unit_period"),
    )
    op.create_index("ix_report_plan_period", "report", ["plan_id", "year", "period_key"], unique=False)
    op.create_table(
        "criterion",
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("goal_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("perspective", sa.String(length=80), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("num_nonnulls(area_id, goal_id) = 1", name=op.f("ck_criterion_one_owner")),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_criterion_area_id_area"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["goal_id"], ["goal.id"], name=op.f("fk_criterion_goal_id_goal"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criterion")),
    )
    op.create_index("ix_criterion_area_position", "criterion", ["area_id", "position"], unique=False)
    op.create_index("ix_criterion_goal_position", "criterion", ["goal_id", "position"], unique=False)
    op.create_table(
        "local_action",
        sa.Column("local_plan_id", sa.Uuid(), nullable=False),
        sa.Column("local_goal_id", sa.Uuid(), nullable=True),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=500), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="planned", nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'cancelled')", name=op.f("ck_local_action_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_local_action_area_id_area"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["local_goal_id"],
            ["local_goal.id"],
            name=op.f("fk_local_action_local_goal_id_local_goal"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["local_plan_id"],
            ["local_plan.id"],
            name=op.f("fk_local_action_local_plan_id_local_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_action")),
    )
    op.create_index("ix_local_action_plan", "local_action", ["local_plan_id", "position"], unique=False)
    op.create_table(
        "assessment",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("criterion_id", sa.Uuid(), nullable=True),
        sa.Column("local_goal_id", sa.Uuid(), nullable=True),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("num_nonnulls(criterion_id, local_goal_id) = 1", name=op.f("ck_assessment_one_subject")),
        sa.ForeignKeyConstraint(
            ["criterion_id"], ["criterion.id"], name=op.f("fk_assessment_criterion_id_criterion"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["local_goal_id"],
            ["local_goal.id"],
            name=op.f("fk_assessment_local_goal_id_local_goal"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_assessment_report_id_report"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint("report_id", "criterion_id", name="uq_assessment_report_criterion"),
        sa.UniqueConstraint("report_id", "local_goal_id", name="uq_assessment_report_local_goal"),
    )


def downgrade() -> None:
    op.drop_table("assessment")
    op.drop_index("ix_local_action_plan", table_name="local_action")
    op.drop_table("local_action")
    op.drop_index("ix_criterion_goal_position", table_name="criterion")
    op.drop_index("ix_criterion_area_position", table_name="criterion")
    op.drop_table("criterion")
    op.drop_index("ix_report_plan_period", table_name="report")
    op.drop_table("report")
    op.drop_index("ix_measure_area_position", table_name="measure")
    op.drop_table("measure")
    op.drop_index("ix_local_plan_section_plan", table_name="local_plan_section")
    op.drop_table("local_plan_section")
    op.drop_index("ix_local_goal_plan", table_name="local_goal")
    op.drop_table("local_goal")
    op.drop_index("ix_goal_area_position", table_name="goal")
    op.drop_table("goal")
    op.drop_index("ix_local_plan_plan", table_name="local_plan")
    op.drop_table("local_plan")
    op.drop_index("ix_area_plan_position", table_name="area")
    op.drop_index("ix_area_parent", table_name="area")
    op.drop_table("area")
    op.drop_index("ix_unit_municipality_name", table_name="unit")
    op.drop_table("unit")
    op.drop_index("ix_plan_municipality_period", table_name="plan")
    op.drop_table("plan")
    op.drop_table("national_goal")
    op.drop_table("municipality")
    op.drop_index("ix_change_log_entity", table_name="change_log")
    op.drop_table("change_log")
