"""desk: sign-in attempts per client address and minute, shared by every worker; check-ins
by the time their window closes (the map's count of today's)

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_attempts",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_web_attempts")),
    )
    op.create_index(op.f("ix_web_attempts_window_start"), "web_attempts", ["window_start"])
    op.create_index("ix_checkins_closes_at", "checkins", ["closes_at"])


def downgrade() -> None:
    op.drop_index("ix_checkins_closes_at", table_name="checkins")
    op.drop_index(op.f("ix_web_attempts_window_start"), table_name="web_attempts")
    op.drop_table("web_attempts")
