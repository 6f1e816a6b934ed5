"""citizen reports

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "citizen_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("routed_by", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_key", sa.String(length=64), nullable=False),
        sa.Column("photo_file_id", sa.String(length=200), nullable=True),
        sa.Column("photo_kind", sa.String(length=10), nullable=True),
        sa.Column("location", sa.JSON(), nullable=True),
        sa.Column("reporter_hash", sa.String(length=64), nullable=False),
        sa.Column("reply_to", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("times_reported", sa.Integer(), nullable=False),
        sa.Column("matched_cases", sa.JSON(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["officers.id"],
            name=op.f("fk_citizen_reports_acknowledged_by_officers"),
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_citizen_reports_alert_id_alerts")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["officers.id"], name=op.f("fk_citizen_reports_closed_by_officers")
        ),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["communes.code"],
            name=op.f("fk_citizen_reports_commune_code_communes"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["citizen_reports.id"],
            name=op.f("fk_citizen_reports_merged_into_id_citizen_reports"),
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["provinces.code"],
            name=op.f("fk_citizen_reports_province_code_provinces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_reports")),
        sa.UniqueConstraint("reference", name=op.f("uq_citizen_reports_reference")),
    )
    with op.batch_alter_table("citizen_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_citizen_reports_closed_at"), ["closed_at"], unique=False
        )
        batch_op.create_index(
            "ix_citizen_reports_commune_state", ["commune_code", "state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_citizen_reports_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_citizen_reports_province_code"), ["province_code"], unique=False
        )
        batch_op.create_index(
            "ix_citizen_reports_reporter_created",
            ["reporter_hash", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_citizen_reports_text_key",
            ["text_key", "commune_code", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("citizen_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_citizen_reports_text_key")
        batch_op.drop_index("ix_citizen_reports_reporter_created")
        batch_op.drop_index(batch_op.f("ix_citizen_reports_province_code"))
        batch_op.drop_index(batch_op.f("ix_citizen_reports_merged_into_id"))
        batch_op.drop_index("ix_citizen_reports_commune_state")
        batch_op.drop_index(batch_op.f("ix_citizen_reports_closed_at"))

    op.drop_table("citizen_reports")
