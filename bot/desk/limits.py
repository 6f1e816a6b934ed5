"""Limits on attempts (sign-in links opened), counted in the database so every worker shares them.

A sliding window over whole minutes: the attempts of this minute plus those of the last one
weighted by how much of it is still inside the window. One conditional upsert counts an
attempt only while it is under the limit, so two workers at once never let an extra one
through. The client address is kept only as a hash, and rows older than two windows are
deleted as attempts come in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.models import WebAttempts
from bot.tokens import hash_code

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class AttemptLimit:
    """At most `limit` attempts of one kind per client address in any `window`."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        kind: str,
        *,
        limit: int = 10,
        window: timedelta = timedelta(minutes=1),
    ) -> None:
        self._db = db
        self._clock = clock
        self._kind = kind
        self._limit = limit
        self._window = window

    async def allow(self, client: str) -> bool:
        """Count an attempt from `client`; False (and not counted) once it is over the limit."""
        now = self._clock.now()
        # Whole microseconds, so that every worker finds the same window boundaries.
        elapsed = (now - EPOCH) % self._window
        start, previous = now - elapsed, now - elapsed - self._window
        key = hash_code(f"{self._kind}:{client}")
        async with self._db.transaction() as session:
            before = await session.scalar(
                select(WebAttempts.count).where(
                    WebAttempts.key == key, WebAttempts.window_start == previous
                )
            )
            # The part of the last window still inside a sliding one ending now.
            carried = int((before or 0) * (1 - elapsed / self._window))
            room = self._limit - carried
            counted = room > 0 and await _count(session, key, start, room)
            await session.execute(delete(WebAttempts).where(WebAttempts.window_start < previous))
        return counted


async def _count(session: AsyncSession, key: str, start: datetime, room: int) -> bool:
    """Add one to this window's count if it stays within `room`; whether it was added."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = WebAttempts.__table__
    statement = dialect.insert(table).values(key=key, window_start=start, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["key", "window_start"],
        set_={"count": table.c.count + 1},
        where=table.c.count < room,
    ).returning(table.c.count)
    return await session.scalar(statement) is not None
