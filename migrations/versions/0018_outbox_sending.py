"""outbox: index the rows being sent, where every worker looks for a dead sender's

Revision ID: 0018
Revises: 0017

ix_outbox_sending holds only the rows being sent, a few hundred among millions; every
worker's heartbeat looks among them for a dead sender's rows (bot/messaging/recovery.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SENDING = sa.text("state = 'sending'")


def upgrade() -> None:
    op.create_index(
        "ix_outbox_sending",
        "outbox",
        ["claimed_by"],
        postgresql_where=SENDING,
        sqlite_where=SENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_sending", table_name="outbox")
