"""check-in schedule, answers and locations

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("nominal_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("next_action_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("prompt_outbox_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("prompt_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("step", sa.String(length=20), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("vitals", sa.JSON(), nullable=False),
        sa.Column("danger_signs", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_checkins_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint("case_id", "kind", "nominal_at", name="uq_checkins_occurrence"),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkins_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_checkins_due", ["state", "next_action_at"], unique=False)

    op.create_table(
        "checkin_plans",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("planned_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_checkin_plans_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_checkin_plans")),
    )
    with op.batch_alter_table("checkin_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checkin_plans_planned_until"), ["planned_until"], unique=False
        )

    op.create_table(
        "live_streams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_fix_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_early", sa.Boolean(), nullable=False),
        sa.Column("tracker", sa.JSON(), nullable=False),
        sa.Column("last_fix", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_live_streams_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["checkin_id"], ["checkins.id"], name=op.f("fk_live_streams_checkin_id_checkins")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_streams")),
        sa.UniqueConstraint("chat_id", "message_id", "case_id", name="uq_live_streams_message"),
    )
    with op.batch_alter_table("live_streams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_streams_case_id"), ["case_id"], unique=False)

    op.create_table(
        "location_fixes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("stream_id", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fix_kind", sa.String(length=10), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("weak", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_location_fixes_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["checkin_id"], ["checkins.id"], name=op.f("fk_location_fixes_checkin_id_checkins")
        ),
        sa.ForeignKeyConstraint(
            ["stream_id"],
            ["live_streams.id"],
            name=op.f("fk_location_fixes_stream_id_live_streams"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location_fixes")),
    )
    with op.batch_alter_table("location_fixes", schema=None) as batch_op:
        batch_op.create_index("ix_location_fixes_case_taken", ["case_id", "taken_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("location_fixes", schema=None) as batch_op:
        batch_op.drop_index("ix_location_fixes_case_taken")
    op.drop_table("location_fixes")
    with op.batch_alter_table("live_streams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_streams_case_id"))
    op.drop_table("live_streams")
    with op.batch_alter_table("checkin_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkin_plans_planned_until"))
    op.drop_table("checkin_plans")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index("ix_checkins_due")
        batch_op.drop_index(batch_op.f("ix_checkins_case_id"))
    op.drop_table("checkins")
