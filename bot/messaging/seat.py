"""A sender's seat among the senders of one bot: its heartbeat, who is dead, who sends.

Every sender beats in `outbox_senders` (a counter, every `heartbeat_seconds`). A sender
that sees another's counter stand still for `owner_stale_seconds` of its own monotonic
time takes it for dead (no two clocks are compared); a row claimed by a sender with no
row there at all is an orphan at once. The rows such a sender was sending are settled by
bot/messaging/recovery.py, whether or not any process restarted.

On PostgreSQL one sender per bot sends: the one holding a session advisory lock keyed by
the bot, so that the bot's overall rate and the one-a-second
spacing per chat hold across every worker without dividing anything in the config. The
others stand by, try the lock at each beat and take over within a beat of its holder's
session ending. The locks of every bot's sender in a process are held on one session of
their own (`ProcessLocks`), not one each: a process with a sender for each of 34 bots
would otherwise keep 34 pooled connections, more than the pool holds, and starve every
other unit of work. On SQLite (one process) every sender sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db import Database
from bot.models import SenderInstance

logger = logging.getLogger(__name__)

# The advisory lock's first key (ASCII "cach"); the second is the bot's id.
LOCK_CLASS = 0x63616368
# Bot ids are Telegram's, up to 2**40: folded into the lock's 32-bit second key.
_INT4 = 0x7FFFFFFF


class ProcessLocks:
    """One database session holding the advisory locks of this process's senders and
    pollers (bot/messaging/poller.py).

    Advisory locks are re-entrant within a session, so which sender of the process holds
    which key is kept here too: two senders of one bot in one process (tests) still elect
    one. If the session breaks, every lock on it is gone: its generation moves on and each
    holder finds out at its next beat.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._mutex = asyncio.Lock()
        self._holders: dict[tuple[int, int], str] = {}  # (class, key) -> holder id
        self.generation = 0

    async def take(self, key: int, seat: str, lock_class: int = LOCK_CLASS) -> bool:
        """Try the bot's lock (a sender's, or of another `lock_class`) for `seat`; whether
        it holds it now."""
        async with self._mutex:
            holder = self._holders.get((lock_class, key))
            if holder is not None:
                return holder == seat
            connection = await self._open()
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:a, :b)"), {"a": lock_class, "b": key}
            )
            if got:
                self._holders[lock_class, key] = seat
            return bool(got)

    async def check(self) -> None:
        """Raise if the session (and so every lock on it) is gone."""
        async with self._mutex:
            await (await self._open()).execute(text("SELECT 1"))

    async def give_up(self, key: int, seat: str, lock_class: int = LOCK_CLASS) -> None:
        """Release the bot's lock if `seat` holds it; the session closes with its last lock."""
        async with self._mutex:
            if self._holders.get((lock_class, key)) != seat:
                return
            del self._holders[lock_class, key]
            if self._connection is not None:
                with contextlib.suppress(Exception):
                    await self._connection.execute(
                        text("SELECT pg_advisory_unlock(:a, :b)"), {"a": lock_class, "b": key}
                    )
            if not self._holders:
                await self._drop()

    async def broken(self) -> None:
        """The session failed: forget it and every lock on it."""
        async with self._mutex:
            self._holders.clear()
            await self._drop()

    async def _open(self) -> AsyncConnection:
        if self._connection is None:
            self._connection = await self._engine.connect()
            await self._connection.execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        self.generation += 1
        if connection is not None:
            # Invalidated, not given back to the pool: a pooled session would keep the locks.
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()


_PROCESS_LOCKS: weakref.WeakKeyDictionary[AsyncEngine, ProcessLocks] = weakref.WeakKeyDictionary()


def process_locks(engine: AsyncEngine) -> ProcessLocks:
    """The lock session of this process's senders on `engine`."""
    locks = _PROCESS_LOCKS.get(engine)
    if locks is None:
        locks = _PROCESS_LOCKS[engine] = ProcessLocks(engine)
    return locks


class SenderSeat:
    """This sender's heartbeat, its view of the others, and whether it may send."""

    def __init__(
        self,
        db: Database,
        *,
        bot_id: int,
        stale_seconds: float,
        monotonic: Callable[[], float],
    ) -> None:
        self.id = uuid.uuid4().hex
        self._db = db
        self._bot_id = bot_id
        self._stale = stale_seconds
        self._monotonic = monotonic
        self._beat = 0
        # Other senders' id -> (last beat seen, monotonic time it was first seen).
        self._seen: dict[str, tuple[int, float]] = {}
        self._key = bot_id & _INT4
        self._generation = -1  # of the lock session it holds its lock on
        self._elects = not db.settings.is_sqlite
        self.leading = not self._elects

    async def beat(self, now: datetime) -> list[str]:
        """Beat once; the ids of the other senders now known to be dead."""
        self._beat += 1
        async with self._db.transaction() as session:
            done = await session.execute(
                update(SenderInstance)
                .where(SenderInstance.id == self.id)
                .values(beat=self._beat, beat_at=now)
            )
            if not getattr(done, "rowcount", 0):
                session.add(
                    SenderInstance(id=self.id, beat=self._beat, started_at=now, beat_at=now)
                )
            others = (
                await session.execute(
                    select(SenderInstance.id, SenderInstance.beat).where(
                        SenderInstance.id != self.id
                    )
                )
            ).all()
        moment = self._monotonic()
        dead: list[str] = []
        seen: dict[str, tuple[int, float]] = {}
        for other, beat in others:
            last = self._seen.get(other)
            since = last[1] if last is not None and last[0] == beat else moment
            seen[other] = (beat, since)
            if moment - since >= self._stale:
                dead.append(other)
        self._seen = seen
        return dead

    async def forget(self, dead: list[str]) -> None:
        """Drop the rows of dead senders once their rows are settled."""
        if not dead:
            return
        async with self._db.transaction() as session:
            await session.execute(delete(SenderInstance).where(SenderInstance.id.in_(dead)))
        for other in dead:
            self._seen.pop(other, None)

    async def elect(self) -> bool:
        """Whether this sender may send now (on PostgreSQL: holds the bot's lock)."""
        if not self._elects:
            return True
        locks = process_locks(self._db.engine)
        if self.leading and locks.generation != self._generation:
            # Another sender found the session broken: the lock went with it.
            logger.warning("outbox: lost the sender's lock; standing by")
            self.leading = False
        try:
            if self.leading:
                await locks.check()  # still our session, still our lock
            else:
                self.leading = await locks.take(self._key, self.id)
                self._generation = locks.generation
                if self.leading:
                    logger.info("outbox: this worker's sender now sends for the bot")
        except Exception:
            # The lock's session is gone (the database restarted, the network broke): so is
            # the lock. Stand by until a new session gets it again.
            if self.leading:
                logger.warning("outbox: lost the sender's lock; standing by")
            self.leading = False
            await locks.broken()
        return self.leading

    async def leave(self) -> None:
        """Give the lock up and remove this sender's row (a clean stop)."""
        if self._elects:
            with contextlib.suppress(Exception):
                await process_locks(self._db.engine).give_up(self._key, self.id)
        self.leading = not self._elects
        with contextlib.suppress(Exception):
            async with self._db.transaction() as session:
                await session.execute(delete(SenderInstance).where(SenderInstance.id == self.id))
