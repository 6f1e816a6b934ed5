"""national: drop ix_checkins_case_id, which the occurrence key already covers

Revision ID: 0017
Revises: 0016

Every lookup of a case's check-ins uses uq_checkins_occurrence (case_id, kind, nominal_at),
whose first column is case_id; the separate index only cost planning a fourth index write
per row (three rows a case, a million cases).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
# TEMPORARY: the lead points this at the head of main at merge.
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkins") as batch_op:
        batch_op.drop_index("ix_checkins_case_id")


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch_op:
        batch_op.create_index("ix_checkins_case_id", ["case_id"], unique=False)
