"""One heartbeat for every sender seat of a process: a round of statements a beat, not one
per sender.

A worker of a national deployment runs a sender per bot, 34 of them. Each beating,
standing for election, checking its lock and looking for orphans on its own cost 34 such
rounds a second in every worker (about a quarter of a core each, and a third of one in
PostgreSQL, with nothing to send). Here the process's seats (bot/messaging/seat.py) beat
together: one UPDATE of their rows, one read of the others' beats, one check of the lock
session, one try of the locks the standing-by seats want, and one recovery of the dead
senders' rows (bot/messaging/recovery.py) for them all. Each seat keeps its own id, its
own row and its own lock, so two senders of one bot in one process (tests) still elect
one, and a seat that stops beating in a process whose others beat on is still found dead.

Seats share a heartbeat when they share the database engine, the beat interval, the time
after which a still beat means death, and the hook for re-queued alert copies; a
deployment's senders all do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock
from bot.config import OutboxSettings
from bot.db import Database
from bot.messaging.recovery import ResentHook, settle_orphans
from bot.messaging.seat import SenderSeat, process_locks
from bot.messaging.share import OtherSeat, elect
from bot.models import SenderInstance

logger = logging.getLogger(__name__)

# A bot nobody is seen sending for this many beats has its lock tried whatever the share.
UNLED_BEATS = 3


class ProcessHeartbeat:
    """Beats, elects and recovers for every seat of this process that joined it."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: OutboxSettings,
        *,
        monotonic: Callable[[], float],
        on_resent: ResentHook | None,
    ) -> None:
        self.id = uuid.uuid4().hex  # this process, in its seats' rows
        self._db = db
        self._clock = clock
        self._interval = settings.heartbeat_seconds
        self._stale = settings.owner_stale_seconds
        self._monotonic = monotonic
        self._on_resent = on_resent
        self._seats: dict[str, SenderSeat] = {}
        # Other seats' id -> (last beat seen, monotonic time it was first seen).
        self._seen: dict[str, tuple[int, float]] = {}
        self._others: list[OtherSeat] = []  # the others' rows as last read
        self._unled: dict[int, float] = {}  # lock key -> monotonic time first seen unled
        # Seats that stood down at the last beat, their locks to give up at this one.
        self._handing: list[SenderSeat] = []
        self._round = asyncio.Lock()  # one beat at a time
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def join(self, seat: SenderSeat) -> None:
        """Seat `seat` and beat for it at once (before its first claim), then every beat."""
        self._seats[seat.id] = seat
        await self.beat()
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="outbox-heartbeat"
            )

    async def leave(self, seat: SenderSeat) -> None:
        """Stop beating for `seat`; the last seat to leave stops the beat.

        Once a beat under way is over: it might otherwise take the seat's lock again just
        after the seat gave it up, for a sender that is gone.
        """
        async with self._round:
            self._seats.pop(seat.id, None)
        if not self._seats and self._task is not None:
            self._stopping.set()
            task, self._task = self._task, None
            with contextlib.suppress(Exception):
                await task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._stopping.wait()
            if self._stopping.is_set() or not self._seats:
                return
            try:
                await self.beat()
            except Exception:
                logger.exception("outbox sender heartbeat failed")

    async def beat(self) -> None:
        """One beat for every seat: rows, election, the dead senders' rows settled."""
        async with self._round:
            seats = list(self._seats.values())
            if not seats:
                return
            was = {seat.id: seat.leading for seat in seats}
            await self._release_handed()
            dead = await self._beat_rows(seats, self._clock.now())
            await self._elect(seats)
            bots = await settle_orphans(
                self._db, self._clock.now(), self._on_resent, mine=list(was), dead=dead
            )
            await self._forget(dead)
        self._tell(seats, was, bots)

    async def _beat_rows(self, seats: list[SenderSeat], now: datetime) -> list[str]:
        """Beat the seats' rows (writing missing ones); the ids of the dead among the others."""
        mine = [seat.id for seat in seats]
        leaders = [seat.id for seat in seats if seat.leading]
        async with self._db.transaction() as session:
            rows = (
                await session.execute(
                    select(
                        SenderInstance.id,
                        SenderInstance.beat,
                        SenderInstance.process,
                        SenderInstance.lock_key,
                        SenderInstance.leading,
                    )
                )
            ).all()
            await session.execute(
                update(SenderInstance)
                .where(SenderInstance.id.in_(mine))
                .values(
                    beat=SenderInstance.beat + 1,
                    beat_at=now,
                    leading=SenderInstance.id.in_(leaders) if leaders else False,
                )
            )
            written = {row.id for row in rows}
            for seat in seats:
                if seat.id not in written:
                    session.add(self._row(seat, now))
        return self._watch(rows)

    def _row(self, seat: SenderSeat, now: datetime) -> SenderInstance:
        return SenderInstance(
            id=seat.id,
            beat=1,
            started_at=now,
            beat_at=now,
            process=self.id,
            lock_key=seat.key,
            leading=seat.leading,
        )

    def _watch(self, rows: Sequence[Row[str, int, str, int, bool]]) -> list[str]:
        """Note the others' beats; the ids of those whose beat stood still too long."""
        moment = self._monotonic()
        # A beat a little late is no death, but its `leading` may be out of date.
        fresh_for = min(2 * self._interval, self._stale)
        dead: list[str] = []
        seen: dict[str, tuple[int, float]] = {}
        others: list[OtherSeat] = []
        for other, beat, process, lock_key, leading in rows:
            if other in self._seats:
                continue
            last = self._seen.get(other)
            since = last[1] if last is not None and last[0] == beat else moment
            seen[other] = (beat, since)
            fresh = moment - since < fresh_for
            others.append(OtherSeat(process, lock_key, leading, fresh))
            if moment - since >= self._stale:
                dead.append(other)
        self._seen, self._others = seen, others
        return dead

    async def _elect(self, seats: list[SenderSeat]) -> None:
        """On PostgreSQL: check the lock session once, hand over what is above this
        process's share, try the locks of its share (bot/messaging/share.py)."""
        electing = [seat for seat in seats if seat.elects]
        if not electing:
            return
        locks = process_locks(self._db.engine)
        for seat in electing:
            seat.check_generation(locks.generation)
        try:
            if any(seat.leading for seat in electing):
                await locks.check()  # still our session, so still our locks
            election = elect(
                self.id,
                leading={seat.key for seat in electing if seat.leading},
                standing={seat.key for seat in electing if not seat.leading},
                others=self._others,
                unled_long=self._unled_long(electing),
            )
            for seat in electing:
                if seat.leading and seat.key in election.hand_over:
                    seat.stand_down()
                    self._handing.append(seat)
            trying = set(election.try_keys)
            standing = [
                seat
                for seat in electing
                if not seat.leading and seat not in self._handing and seat.key in trying
            ]
            if standing:
                won = await locks.take_many([(seat.key, seat.id) for seat in standing])
                for seat in standing:
                    if seat.id in won:
                        seat.lead(locks.generation)
            for seat in electing:
                if not seat.leading:
                    seat.stood_by()
        except Exception:
            # The lock session is gone (the database restarted, the network broke): so are
            # the locks. Stand by until a new session gets them again.
            for seat in electing:
                seat.lose()
            self._handing.clear()  # their locks went with the session
            await locks.broken()

    def _unled_long(self, electing: list[SenderSeat]) -> set[int]:
        """The lock keys nobody has been seen sending for in UNLED_BEATS beats."""
        moment = self._monotonic()
        led = {seat.key for seat in electing if seat.leading}
        led |= {other.lock_key for other in self._others if other.fresh and other.leading}
        keys = {seat.key for seat in electing}
        self._unled = {key: self._unled.get(key, moment) for key in keys if key not in led}
        patience = UNLED_BEATS * self._interval
        return {key for key, since in self._unled.items() if moment - since >= patience}

    async def _release_handed(self) -> None:
        """Give up the locks of the seats that stood down at the last beat."""
        handing, self._handing = self._handing, []
        locks = process_locks(self._db.engine)
        for seat in handing:
            # A seat that left meanwhile gave its lock up already: give_up does nothing.
            with contextlib.suppress(Exception):
                await locks.give_up(seat.key, seat.id)

    async def _forget(self, dead: list[str]) -> None:
        """Drop the rows of dead senders once their rows are settled."""
        if not dead:
            return
        async with self._db.transaction() as session:
            await session.execute(delete(SenderInstance).where(SenderInstance.id.in_(dead)))
        for other in dead:
            self._seen.pop(other, None)

    def _tell(self, seats: list[SenderSeat], was: dict[str, bool], bots: list[str]) -> None:
        """Each seat hears what changed for it: its election, the orphans of its bot."""
        settled: dict[str, int] = {}
        by_bot = {seat.bot: seat for seat in seats}
        for bot in bots:
            # An orphan of a bot no seat here sends for is counted by the first seat.
            seat = by_bot.get(bot, seats[0])
            settled[seat.id] = settled.get(seat.id, 0) + 1
        for seat in seats:
            seat.looked(settled.get(seat.id, 0), seat.leading != was[seat.id])


_HEARTBEATS: weakref.WeakKeyDictionary[
    AsyncEngine, dict[tuple[float, float, int, int, int], ProcessHeartbeat]
] = weakref.WeakKeyDictionary()


def process_heartbeat(
    db: Database,
    clock: Clock,
    settings: OutboxSettings,
    *,
    monotonic: Callable[[], float],
    on_resent: ResentHook | None,
) -> ProcessHeartbeat:
    """The heartbeat of this process's seats on `db` with these settings."""
    beats = _HEARTBEATS.setdefault(db.engine, {})
    # By identity: a deployment's senders share their clock, monotonic time and hook.
    timing = (settings.heartbeat_seconds, settings.owner_stale_seconds)
    key = (*timing, id(on_resent), id(clock), id(monotonic))
    heartbeat = beats.get(key)
    if heartbeat is None:
        heartbeat = ProcessHeartbeat(db, clock, settings, monotonic=monotonic, on_resent=on_resent)
        beats[key] = heartbeat
    return heartbeat
