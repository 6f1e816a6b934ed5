"""The models and the migrations describe the same schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from bot.config import DEFAULT_BOT, DatabaseSettings
from bot.db import Database, alembic_config
from bot.models import Base


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def test_models_match_migrations(db: Database) -> None:
    async with db.engine.connect() as connection:
        diff = await connection.run_sync(_diff)
    assert diff == []


async def test_database_is_at_the_single_head(db: Database) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    async with db.engine.connect() as connection:
        assert await connection.run_sync(_revision) == script.get_current_head()


async def test_outbox_rows_of_before_bots_belong_to_the_default_bot(tmp_path: Path) -> None:
    db = Database(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"))
    try:
        async with db.engine.connect() as connection:
            await connection.run_sync(_upgrade_to, "0009")
            await connection.execute(
                text(
                    "INSERT INTO outbox (chat_id, priority, kind, body, purpose, state,"
                    " not_before, attempts, created_at, unknown_fates)"
                    " VALUES (1, 30, 'text', '{}', 'checkin_prompt', 'pending',"
                    " '2026-11-25 01:00:00', 0, '2026-11-25 01:00:00', 0)"
                )
            )
            await connection.commit()
            await connection.run_sync(_upgrade_to, "head")
            await connection.commit()
            bots = (await connection.execute(text("SELECT bot FROM outbox"))).scalars().all()
        assert bots == [DEFAULT_BOT]
    finally:
        await db.dispose()


def _upgrade_to(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
