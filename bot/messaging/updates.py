"""Each update handled once: a delivery Telegram repeats, or that reaches two workers.

A worker takes an update by inserting (bot, update_id) into `handled_updates` (ON CONFLICT
DO NOTHING): whoever inserts it handles it, anyone else drops it. A row is marked done
once handled. A row left not done belongs to a worker that died while handling it: with
long polling (one worker) the next worker takes it again at once, since Telegram delivers
it again only because it was never confirmed; with webhooks (several workers may hold one
update at the same time) only once `reclaim_seconds` have passed. Rows are kept for
Telegram's 24 hours of retention, then pruned.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.clock import Clock
from bot.db import Database
from bot.models import HandledUpdate

# Telegram keeps an update for 24 hours: a repeat cannot come later than that.
KEEP = timedelta(hours=24)
PRUNE_EVERY_SECONDS = 3600.0


class HandledUpdates:
    """Which updates of one bot were taken by a worker, so each is handled once."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        bot_id: int,
        *,
        reclaim_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.worker = uuid.uuid4().hex
        self._db = db
        self._clock = clock
        self._bot_id = bot_id
        self._reclaim = timedelta(seconds=reclaim_seconds)
        self._monotonic = monotonic
        self._pruned_at: float | None = None
        insert = sqlite_insert if db.settings.is_sqlite else pg_insert
        self._insert = (
            insert(HandledUpdate).on_conflict_do_nothing().returning(HandledUpdate.update_id)
        )

    async def take(self, update_id: int) -> bool:
        """Whether this worker is to handle the update (False: handled or being handled)."""
        now = self._clock.now()
        await self._prune_now_and_then()
        async with self._db.transaction() as session:
            row = {
                "bot_id": self._bot_id,
                "update_id": update_id,
                "worker": self.worker,
                "received_at": now,
            }
            if await session.scalar(self._insert, row) is not None:
                return True
            taken = await session.scalar(
                update(HandledUpdate)
                .where(
                    HandledUpdate.bot_id == self._bot_id,
                    HandledUpdate.update_id == update_id,
                    HandledUpdate.done_at.is_(None),
                    HandledUpdate.worker != self.worker,
                    HandledUpdate.received_at <= now - self._reclaim,
                )
                .values(worker=self.worker, received_at=now)
                .returning(HandledUpdate.update_id)
            )
            return taken is not None

    async def done(self, update_id: int) -> None:
        """Mark a taken update handled."""
        async with self._db.transaction() as session:
            await session.execute(
                update(HandledUpdate)
                .where(
                    HandledUpdate.bot_id == self._bot_id,
                    HandledUpdate.update_id == update_id,
                    HandledUpdate.worker == self.worker,
                )
                .values(done_at=self._clock.now())
            )

    async def prune(self) -> int:
        """Forget updates older than Telegram's retention; how many."""
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(HandledUpdate).where(HandledUpdate.received_at < self._clock.now() - KEEP)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def _prune_now_and_then(self) -> None:
        moment = self._monotonic()
        if self._pruned_at is None or moment - self._pruned_at >= PRUNE_EVERY_SECONDS:
            self._pruned_at = moment
            await self.prune()
