"""delivery: who holds a sending row, unknown fates, live senders, handled updates

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(32), nullable=True))
        batch_op.add_column(
            sa.Column("unknown_fates", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "outbox_senders",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("beat", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_senders")),
    )
    op.create_table(
        "handled_updates",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("worker", sa.String(32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name=op.f("pk_handled_updates")),
    )
    op.create_index(
        op.f("ix_handled_updates_received_at"), "handled_updates", ["received_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_handled_updates_received_at"), table_name="handled_updates")
    op.drop_table("handled_updates")
    op.drop_table("outbox_senders")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("unknown_fates")
        batch_op.drop_column("claimed_by")
