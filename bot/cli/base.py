"""What every command shares: its failure, its language, services on a prepared database."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from bot.catalogue import plain
from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database, alembic_config
from bot.services import Services

logger = logging.getLogger("cachly")


class CommandFailed(Exception):
    """A command could not do its job; the message is the one line the admin reads."""


@asynccontextmanager
async def open_services(settings: Settings, language: str) -> AsyncIterator[Services]:
    """Services for one command: the embedded database migrated first, disposed after."""
    await prepare_database(settings, language, upgrade=settings.database.is_sqlite)
    services = Services(settings, Database(settings.database), SystemClock())
    try:
        yield services
    finally:
        await services.db.dispose()


async def schema_revisions(db: Database) -> tuple[str | None, str | None]:
    """(the database's schema revision, the migrations' head)."""
    async with db.engine.connect() as connection:
        current = await connection.run_sync(current_revision)
    return current, ScriptDirectory.from_config(alembic_config()).get_current_head()


async def prepare_database(settings: Settings, language: str, *, upgrade: bool) -> None:
    """Migrate (or check the schema is current) and seed the configured areas."""
    db = Database(settings.database)
    try:
        if upgrade:
            before, _ = await schema_revisions(db)
            await db.upgrade()
            after, _ = await schema_revisions(db)
            if after != before:
                logger.info("database schema upgraded from %s to %s", before or "nothing", after)
        else:
            current, head = await schema_revisions(db)
            if current != head:
                raise CommandFailed(
                    plain(language, "cli.schema_behind", current=current or "–", head=head)
                )
        services = Services(settings, db, SystemClock())
        result = await services.areas.seed()
        if result.communes_added:
            logger.info(
                "areas ready: %d communes (%d added)", result.communes_total, result.communes_added
            )
    finally:
        await db.dispose()


def current_revision(connection: Connection) -> str | None:
    """The schema revision Alembic recorded in this database (None before the first)."""
    return MigrationContext.configure(connection).get_current_revision()
