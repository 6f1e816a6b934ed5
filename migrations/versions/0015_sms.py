"""sms: a sent message's receipt and delivery, and one-time location links

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("receipt", sa.String(64), nullable=True))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_outbox_receipt"), ["receipt"], unique=False)
    op.create_table(
        "location_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_location_links_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["checkin_id"], ["checkins.id"], name=op.f("fk_location_links_checkin_id_checkins")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["channel_contacts.id"],
            name=op.f("fk_location_links_contact_id_channel_contacts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_location_links_token_hash")),
    )
    with op.batch_alter_table("location_links") as batch:
        batch.create_index(batch.f("ix_location_links_contact_id"), ["contact_id"], unique=False)


def downgrade() -> None:
    op.drop_table("location_links")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(batch.f("ix_outbox_receipt"))
        batch.drop_column("delivered_at")
        batch.drop_column("receipt")
