"""One long poller per bot: a second `cachly run` in polling mode stands by, no 409s.

Telegram answers a second getUpdates long poll of the same bot with 409 Conflict, and two
pollers would take turns failing for ever. On PostgreSQL the poller holds a session
advisory lock keyed by the bot, on the process's lock session, for as long as it polls; a
process that cannot take it runs its ticks and sender but does not poll, and tries again
(cachly/polling.py), so it takes over when the poller's session ends. (The sender's seat,
bot/messaging/seat.py, uses another key.) On SQLite nothing is locked: the database file
is one process's own.
"""

from __future__ import annotations

import contextlib
import uuid

from bot.db import Database
from bot.messaging.seat import process_locks

# The lock's first key (ASCII "poll"); the second is the bot's id, folded to 32 bits.
POLL_LOCK_CLASS = 0x706F6C6C
_INT4 = 0x7FFFFFFF


class PollerLock:
    """The bot's poller lock of this process, on the process's lock session.

    Every bot's poller lock sits on the one session that also holds the senders' locks
    (bot/messaging/seat.py, `ProcessLocks`): a connection per bot would take 34 of a pool
    that holds 15, and starve every other unit of work.
    """

    def __init__(self, db: Database, bot_id: int) -> None:
        self._db = db
        self._key = bot_id & _INT4
        self._id = uuid.uuid4().hex
        self._generation: int | None = None  # of the lock session it holds the lock on

    async def acquire(self) -> bool:
        """Take the lock if no other process holds it (always True on SQLite)."""
        if self._db.settings.is_sqlite:
            return True
        locks = process_locks(self._db.engine)
        try:
            got = await locks.take(self._key, self._id, POLL_LOCK_CLASS)
        except Exception:
            await locks.broken()
            raise
        self._generation = locks.generation if got else None
        return got

    async def alive(self) -> bool:
        """Whether the lock's session still answers (always True on SQLite)."""
        if self._db.settings.is_sqlite:
            return True
        locks = process_locks(self._db.engine)
        if self._generation is None or locks.generation != self._generation:
            self._generation = None
            return False
        try:
            await locks.check()
        except Exception:
            # The session is gone (database restart, network): so is the lock.
            await locks.broken()
            self._generation = None
            return False
        return True

    async def release(self) -> None:
        """Give the lock up."""
        if self._db.settings.is_sqlite or self._generation is None:
            return
        self._generation = None
        with contextlib.suppress(Exception):
            await process_locks(self._db.engine).give_up(self._key, self._id, POLL_LOCK_CLASS)
