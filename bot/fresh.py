"""A fresh database for tests, benchmarks and the demo: emptied, migrated and seeded."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.services import Services


async def fresh_database(settings: Settings, clock: Clock) -> Database:
    """A database emptied (PostgreSQL: its public schema), migrated and seeded; caller disposes."""
    url = settings.database.url
    if url.startswith("postgresql"):
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    db = Database(settings.database)
    try:
        await db.upgrade()
        await Services(settings, db, clock).areas.seed()
    except BaseException:
        await db.dispose()
        raise
    return db
