"""outbox_senders: each sender's process, bot lock and whether it sends

Revision ID: 0019
Revises: 0018

The live worker processes share the bots' send locks out fairly (bot/messaging/share.py):
each reads from the others' rows which process beats them, for which bot, and which send.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_senders") as batch:
        batch.add_column(sa.Column("process", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("lock_key", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("leading", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_senders") as batch:
        batch.drop_column("leading")
        batch.drop_column("lock_key")
        batch.drop_column("process")
