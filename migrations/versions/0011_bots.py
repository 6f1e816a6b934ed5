"""bots: every outbox row belongs to the bot that sends it

Revision ID: 0011
Revises: 0010

Rows written before bots had keys belong to the one bot of a configuration without
[[bots]], whose key is "default".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
# TEMPORARY: 0010 is another branch's; the lead points this at "0010" at merge.
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(
            sa.Column("bot", sa.String(32), nullable=False, server_default="default")
        )
        batch_op.drop_index("ix_outbox_due")
        batch_op.create_index(
            "ix_outbox_due", ["bot", "state", "priority", "not_before", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_due")
        batch_op.create_index(
            "ix_outbox_due", ["state", "priority", "not_before", "id"], unique=False
        )
        batch_op.drop_column("bot")
