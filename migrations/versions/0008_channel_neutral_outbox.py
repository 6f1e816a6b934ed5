"""outbox: channel-neutral content (kind and body) rendered at send time

Rows written before this revision hold a Bot API call; they become kind "telegram_call"
with the call as their body, which the Telegram renderer sends as it is.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OUTBOX = sa.table(
    "outbox",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("body", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.alter_column("method", new_column_name="kind", type_=sa.String(20))
        batch_op.alter_column("params", new_column_name="body")
    connection = op.get_bind()
    rows = connection.execute(sa.select(_OUTBOX.c.id, _OUTBOX.c.kind, _OUTBOX.c.body)).all()
    for row in rows:
        connection.execute(
            sa.update(_OUTBOX)
            .where(_OUTBOX.c.id == row.id)
            .values(kind="telegram_call", body={"method": row.kind, "params": row.body})
        )


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_OUTBOX.c.id, _OUTBOX.c.kind, _OUTBOX.c.body)).all()
    for row in rows:
        # Only rows that are Bot API calls can go back; newer content is dropped to nothing.
        if row.kind == "telegram_call":
            values = {"kind": row.body["method"], "body": row.body["params"]}
        else:
            values = {"kind": "sendMessage", "body": {}}
        connection.execute(sa.update(_OUTBOX).where(_OUTBOX.c.id == row.id).values(**values))
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.alter_column("kind", new_column_name="method", type_=sa.String(40))
        batch_op.alter_column("body", new_column_name="params")
