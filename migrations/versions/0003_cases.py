"""registration, enrolment and lifecycle of cases

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("consent_refused_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("enrol_overdue_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("transferred_to_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_transferred_to_id_cases"), "cases", ["transferred_to_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cases_transferred_to_id_cases"), type_="foreignkey")
        for column in (
            "transferred_to_id",
            "enrol_overdue_at",
            "consent_refused_at",
        ):
            batch_op.drop_column(column)
