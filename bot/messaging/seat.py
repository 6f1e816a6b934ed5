"""A sender's seat among the senders of one bot: its heartbeat, who is dead, who sends.

Every sender beats in `outbox_senders` (a counter, every `heartbeat_seconds`). A sender
that sees another's counter stand still for `owner_stale_seconds` of its own monotonic
time takes it for dead (no two clocks are compared); a row claimed by a sender with no
row there at all is an orphan at once. The rows such a sender was sending are settled by
bot/messaging/recovery.py, whether or not any process restarted.

On PostgreSQL one sender per bot sends: the one holding a session advisory lock keyed by
the bot, on a connection of its own, so that the bot's overall rate and the one-a-second
spacing per chat hold across every worker without dividing anything in the config. The
others stand by, try the lock at each beat and take over within a beat of its holder's
session ending. On SQLite (one process) every sender sends.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import Database
from bot.models import SenderInstance

logger = logging.getLogger(__name__)

# The advisory lock's first key (ASCII "cach"); the second is the bot's id.
LOCK_CLASS = 0x63616368
# Bot ids are Telegram's, up to 2**40: folded into the lock's 32-bit second key.
_INT4 = 0x7FFFFFFF


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
        self._lock: AsyncConnection | None = None
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
        try:
            if self._lock is None:
                self._lock = await self._db.engine.connect()
                await self._lock.execution_options(isolation_level="AUTOCOMMIT")
            if self.leading:
                await self._lock.execute(text("SELECT 1"))  # still our session, still our lock
            else:
                got = await self._lock.scalar(
                    text("SELECT pg_try_advisory_lock(:a, :b)"),
                    {"a": LOCK_CLASS, "b": self._bot_id & _INT4},
                )
                if got:
                    logger.info("outbox: this worker's sender now sends for the bot")
                self.leading = bool(got)
        except Exception:
            # The lock's session is gone (the database restarted, the network broke): so is
            # the lock. Stand by until a new session gets it again.
            if self.leading:
                logger.warning("outbox: lost the sender's lock; standing by")
            self.leading = False
            await self._close_lock()
        return self.leading

    async def leave(self) -> None:
        """Give the lock up and remove this sender's row (a clean stop)."""
        await self._close_lock()
        self.leading = not self._elects
        with contextlib.suppress(Exception):
            async with self._db.transaction() as session:
                await session.execute(delete(SenderInstance).where(SenderInstance.id == self.id))

    async def _close_lock(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            # Invalidated, not given back to the pool: a pooled session would keep the lock.
            with contextlib.suppress(Exception):
                await lock.invalidate()
            with contextlib.suppress(Exception):
                await lock.close()
