"""One long poller per bot: a second `cachly run` in polling mode stands by, no 409s.

Telegram answers a second getUpdates long poll of the same bot with 409 Conflict, and two
pollers would take turns failing for ever. On PostgreSQL the poller holds a session
advisory lock keyed by the bot, on a connection of its own, for as long as it polls; a
process that cannot take it runs its ticks and sender but does not poll, and tries again
(cachly/polling.py), so it takes over when the poller's session ends. (The sender's seat,
bot/messaging/seat.py, uses another key.) On SQLite nothing is locked: the database file
is one process's own.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import Database

# The lock's first key (ASCII "poll"); the second is the bot's id, folded to 32 bits.
POLL_LOCK_CLASS = 0x706F6C6C
_INT4 = 0x7FFFFFFF


class PollerLock:
    """The bot's poller lock of this process, held on its own connection."""

    def __init__(self, db: Database, bot_id: int) -> None:
        self._db = db
        self._bot_id = bot_id
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        """Take the lock if no other process holds it (always True on SQLite)."""
        if self._db.settings.is_sqlite:
            return True
        connection = await self._db.engine.connect()
        try:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:a, :b)"),
                {"a": POLL_LOCK_CLASS, "b": self._bot_id & _INT4},
            )
        except BaseException:
            await connection.invalidate()
            raise
        if not got:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def alive(self) -> bool:
        """Whether the lock's session still answers (always True on SQLite)."""
        if self._db.settings.is_sqlite:
            return True
        if self._connection is None:
            return False
        try:
            await self._connection.execute(text("SELECT 1"))
        except Exception:
            # The session is gone (database restart, network): so is the lock.
            await self.release()
            return False
        return True

    async def release(self) -> None:
        """Give the lock up: the session ends (it is never handed back to the pool)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()
