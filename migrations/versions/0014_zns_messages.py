"""zns_messages: each Zalo template message sent, priced, and whether it arrived

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "zns_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("template_id", sa.String(64), nullable=False),
        sa.Column("price_vnd", sa.Integer(), nullable=False),
        sa.Column("tracking_id", sa.String(48), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["channel_contacts.id"],
            name=op.f("fk_zns_messages_contact_id_channel_contacts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zns_messages")),
        sa.UniqueConstraint("tracking_id", name=op.f("uq_zns_messages_tracking_id")),
    )
    op.create_index(op.f("ix_zns_messages_contact_id"), "zns_messages", ["contact_id"])
    op.create_index(op.f("ix_zns_messages_sent_at"), "zns_messages", ["sent_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_zns_messages_sent_at"), table_name="zns_messages")
    op.drop_index(op.f("ix_zns_messages_contact_id"), table_name="zns_messages")
    op.drop_table("zns_messages")
