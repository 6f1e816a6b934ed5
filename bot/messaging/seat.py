"""A sender's seat among the senders of one bot: its row, its lock, whether it sends.

Every sender's seat beats in `outbox_senders` (a counter, every `heartbeat_seconds`;
the process beats all its seats at once: bot/messaging/heartbeat.py). A process that sees
another seat's counter stand still for `owner_stale_seconds` of its own monotonic time
takes that sender for dead (no two clocks are compared); a row claimed by a sender with no
row there at all is an orphan at once. The rows such a sender was sending are settled by
bot/messaging/recovery.py, whether or not any process restarted.

On PostgreSQL one sender per bot sends: the one holding a session advisory lock keyed by
the bot, so that the bot's overall rate and the one-a-second
spacing per chat hold across every worker without dividing anything in the config. The
others stand by and take over within a few beats of its holder's session ending. The live
processes share the bots out (bot/messaging/share.py): each tries the locks of its fair
share only and hands over what it holds above that, so that no one worker's event loop
sends for every bot while another sends for none. The locks of every bot's sender in a
process are held on one session of their own (`ProcessLocks`), not one each: a process
with a sender for each of 34 bots would otherwise keep 34 pooled connections, more than
the pool holds, and starve every other unit of work. A sender that takes a lock over waits
a second before it sends (bot/messaging/sender.py): the previous holder may have sent in
the second Telegram counts. On SQLite (one process) every sender sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import delete, text, update
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
        return seat in await self.take_many([(key, seat)], lock_class)

    async def take_many(
        self, wanted: Sequence[tuple[int, str]], lock_class: int = LOCK_CLASS
    ) -> set[str]:
        """Try each (key, seat)'s lock in one round trip; the seats that hold theirs now.

        Of two seats of this process wanting one key, the first asks for it.
        """
        async with self._mutex:
            held: set[str] = set()
            asking: dict[int, str] = {}
            for key, seat in wanted:
                holder = self._holders.get((lock_class, key))
                if holder is None:
                    asking.setdefault(key, seat)
                elif holder == seat:
                    held.add(seat)
            if not asking:
                return held
            connection = await self._open()
            rows = await connection.execute(
                text(
                    "SELECT k, pg_try_advisory_lock(:a, k)"
                    " FROM unnest(CAST(:keys AS integer[])) AS k"
                ),
                {"a": lock_class, "keys": list(asking)},
            )
            for key, got in rows.all():
                if got:
                    self._holders[lock_class, key] = asking[key]
                    held.add(asking[key])
            return held

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
    """One sender's identity among the senders: its row, its lock, whether it may send.

    The process's heartbeat (bot/messaging/heartbeat.py) beats, elects and recovers for
    all its seats at once; `beat` beats this one alone (a sender that never runs: tests).
    """

    def __init__(
        self,
        db: Database,
        *,
        bot_id: int,
        bot: str = "",
        on_look: Callable[[int, bool], None] | None = None,
    ) -> None:
        self.id = uuid.uuid4().hex
        self.bot = bot
        self.key = bot_id & _INT4
        self._db = db
        self._on_look = on_look
        self._generation = -1  # of the lock session it holds its lock on
        self.elects = not db.settings.is_sqlite
        self.leading = not self.elects
        # It got the lock after standing by: the bot's previous sender may have sent within
        # the last second, which Telegram counts per bot and per chat.
        self.took_over = False
        self._stood_by = False

    async def beat(self, now: datetime) -> None:
        """Write this seat's row, or beat it once."""
        async with self._db.transaction() as session:
            done = await session.execute(
                update(SenderInstance)
                .where(SenderInstance.id == self.id)
                .values(beat=SenderInstance.beat + 1, beat_at=now)
            )
            if not getattr(done, "rowcount", 0):
                session.add(
                    SenderInstance(
                        id=self.id, beat=1, started_at=now, beat_at=now, lock_key=self.key
                    )
                )

    def check_generation(self, generation: int) -> None:
        """A leader whose lock session was replaced (another seat found it broken) lost."""
        if self.leading and self.elects and generation != self._generation:
            self.lose()

    def stood_by(self) -> None:
        """A beat ended with another sender holding the lock (or none taken yet)."""
        self._stood_by = True

    def lead(self, generation: int) -> None:
        """It holds the bot's lock now, on the lock session of this generation."""
        self.leading, self._generation = True, generation
        self.took_over, self._stood_by = self._stood_by, False
        logger.info("outbox: this worker's sender now sends for the bot")

    def stand_down(self) -> None:
        """Stop sending, keeping the lock: the heartbeat gives it up at its next beat, once
        what was being sent is answered (another process's share)."""
        if self.leading and self.elects:
            logger.info("outbox: handing the sender's lock to another worker")
            self.leading = False

    def lose(self) -> None:
        """The lock went with its session: stand by."""
        if self.leading and self.elects:
            logger.warning("outbox: lost the sender's lock; standing by")
            self.leading = False

    def looked(self, settled: int, changed: bool) -> None:
        """A beat is over: `settled` orphans of its bot were settled; whether it changed role."""
        if self._on_look is not None:
            self._on_look(settled, changed)

    async def leave(self) -> None:
        """Give the lock up and remove this seat's row (a clean stop)."""
        if self.elects:
            with contextlib.suppress(Exception):
                await process_locks(self._db.engine).give_up(self.key, self.id)
        self.leading = not self.elects
        with contextlib.suppress(Exception):
            async with self._db.transaction() as session:
                await session.execute(delete(SenderInstance).where(SenderInstance.id == self.id))
