"""follow_up_meeting, follow_up_point, follow_up_rhythm, competence_plan and its needs, goals and measures

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 15:40:00

Follow-up meetings between the municipality and a unit, the points agreed in them and the
municipality's rhythm for each kind of meeting; the units' (and the municipality's own)
competence plans with their needs, goals and measures.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follow_up_rhythm",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("every_months", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_follow_up_rhythm_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_rhythm")),
        sa.UniqueConstraint("municipality_id", "kind", name=op.f("uq_follow_up_rhythm_municipality_id_kind")),
    )
    op.create_table(
        "competence_plan",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("end_year", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), server_default="", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("end_year >= start_year", name=op.f("ck_competence_plan_years_in_order")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_competence_plan_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_competence_plan_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competence_plan")),
    )
    op.create_index(op.f("ix_competence_plan_municipality_id"), "competence_plan", ["municipality_id"], unique=False)
    op.create_index(op.f("ix_competence_plan_unit_id"), "competence_plan", ["unit_id"], unique=False)
    op.create_index(
        "uq_competence_plan_own_start",
        "competence_plan",
        ["municipality_id", "start_year"],
        unique=True,
        postgresql_where=sa.text("unit_id IS NULL"),
    )
    op.create_index(
        "uq_competence_plan_unit_start",
        "competence_plan",
        ["unit_id", "start_year"],
        unique=True,
        postgresql_where=sa.text("unit_id IS NOT NULL"),
    )
    op.create_table(
        "follow_up_meeting",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=True),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("minutes", sa.Text(), server_default="", nullable=False),
        sa.Column("participants", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'held', 'cancelled')", name=op.f("ck_follow_up_meeting_status_valid")
        ),
        sa.CheckConstraint(
            "jsonb_typeof(participants) = 'array' AND NOT jsonb_path_exists(participants, '$[*] ? (!("
            '@.role == "owner" || @.role == "unit_leader" || @.role == "unit_staff" || '
            '@.role == "employee_representative" || @.role == "other"))\')',
            name=op.f("ck_follow_up_meeting_participants_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_follow_up_meeting_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_follow_up_meeting_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_meeting")),
    )
    op.create_index(
        op.f("ix_follow_up_meeting_municipality_id"), "follow_up_meeting", ["municipality_id"], unique=False
    )
    op.create_index(op.f("ix_follow_up_meeting_unit_id"), "follow_up_meeting", ["unit_id"], unique=False)
    op.create_table(
        "competence_goal",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("need_ids", sa.ARRAY(sa.Uuid()), server_default="{}", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("scope IN ('individual', 'collective')", name=op.f("ck_competence_goal_scope_valid")),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["competence_plan.id"],
            name=op.f("fk_competence_goal_plan_id_competence_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competence_goal")),
    )
    op.create_index(op.f("ix_competence_goal_plan_id"), "competence_goal", ["plan_id"], unique=False)
    op.create_table(
        "competence_measure",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("unit_based", sa.Boolean(), nullable=False),
        sa.Column("target_group", sa.String(length=20), nullable=False),
        sa.Column("target_note", sa.Text(), server_default="", nullable=False),
        sa.Column("partner_key", sa.String(length=80), nullable=True),
        sa.Column("partner_note", sa.Text(), server_default="", nullable=False),
        sa.Column("funding_key", sa.String(length=80), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("evaluation", sa.Text(), server_default="", nullable=False),
        sa.Column("need_ids", sa.ARRAY(sa.Uuid()), server_default="{}", nullable=False),
        sa.Column("goal_ids", sa.ARRAY(sa.Uuid()), server_default="{}", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("scope IN ('individual', 'collective')", name=op.f("ck_competence_measure_scope_valid")),
        sa.CheckConstraint(
            "target_group IN ('whole_staff', 'part_of_staff', 'leaders')",
            name=op.f("ck_competence_measure_target_group_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["competence_plan.id"],
            name=op.f("fk_competence_measure_plan_id_competence_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competence_measure")),
    )
    op.create_index(op.f("ix_competence_measure_plan_id"), "competence_measure", ["plan_id"], unique=False)
    op.create_table(
        "follow_up_point",
        sa.Column("municipality_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_note", sa.Text(), server_default="", nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'done', 'dropped')", name=op.f("ck_follow_up_point_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["follow_up_meeting.id"],
            name=op.f("fk_follow_up_point_meeting_id_follow_up_meeting"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_follow_up_point_municipality_id_municipality"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_follow_up_point_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_point")),
    )
    op.create_index(op.f("ix_follow_up_point_meeting_id"), "follow_up_point", ["meeting_id"], unique=False)
    op.create_index(op.f("ix_follow_up_point_municipality_id"), "follow_up_point", ["municipality_id"], unique=False)
    op.create_index(op.f("ix_follow_up_point_unit_id"), "follow_up_point", ["unit_id"], unique=False)
    op.create_table(
        "competence_need",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("area_id", sa.Uuid(), nullable=True),
        sa.Column("goal_id", sa.Uuid(), nullable=True),
        sa.Column("criterion_id", sa.Uuid(), nullable=True),
        sa.Column("indicator_code", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_competence_need_area_id_area"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criterion.id"],
            name=op.f("fk_competence_need_criterion_id_criterion"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goal.id"], name=op.f("fk_competence_need_goal_id_goal"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["competence_plan.id"],
            name=op.f("fk_competence_need_plan_id_competence_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competence_need")),
    )
    op.create_index(op.f("ix_competence_need_plan_id"), "competence_need", ["plan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_competence_need_plan_id"), table_name="competence_need")
    op.drop_table("competence_need")
    op.drop_index(op.f("ix_follow_up_point_unit_id"), table_name="follow_up_point")
    op.drop_index(op.f("ix_follow_up_point_municipality_id"), table_name="follow_up_point")
    op.drop_index(op.f("ix_follow_up_point_meeting_id"), table_name="follow_up_point")
    op.drop_table("follow_up_point")
    op.drop_index(op.f("ix_competence_measure_plan_id"), table_name="competence_measure")
    op.drop_table("competence_measure")
    op.drop_index(op.f("ix_competence_goal_plan_id"), table_name="competence_goal")
    op.drop_table("competence_goal")
    op.drop_index(op.f("ix_follow_up_meeting_unit_id"), table_name="follow_up_meeting")
    op.drop_index(op.f("ix_follow_up_meeting_municipality_id"), table_name="follow_up_meeting")
    op.drop_table("follow_up_meeting")
    op.drop_index(
        "uq_competence_plan_unit_start", table_name="competence_plan", postgresql_where=sa.text("unit_id IS NOT NULL")
    )
    op.drop_index(
        "uq_competence_plan_own_start", table_name="competence_plan", postgresql_where=sa.text("unit_id IS NULL")
    )
    op.drop_index(op.f("ix_competence_plan_unit_id"), table_name="competence_plan")
    op.drop_index(op.f("ix_competence_plan_municipality_id"), table_name="competence_plan")
    op.drop_table("competence_plan")
    op.drop_table("follow_up_rhythm")
