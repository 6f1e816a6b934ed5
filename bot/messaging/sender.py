"""The outbox sender: drains the outbox within Telegram's limits, most urgent first.

It owns pacing (PTB's AIORateLimiter has no per-chat limit and no priorities):

- an overall rate (default 25 a second) as evenly spaced send slots, never a burst, and
  never more than the rate's worth in any second as the server counts (see bot/messaging/slots.py),
  so a limit-enforcing server never answers 429, while enough requests are in flight at
  once to keep the pipe full however slow each answer is;
- at most one message per `per_chat_interval` to one chat, counted from the moment the
  previous message to that chat was answered, so arrivals too are a full interval apart;
- `RetryAfter` pauses every send for its duration; network errors and 5xx are retried
  with exponential backoff; `Forbidden` marks the recipient unreachable (a hook).

Each row is claimed (state `sending`, committed, naming this sender) before its HTTP
call, with `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL and a conditional update
everywhere, so two loops or two workers never take the same row. Every sender beats in the
database (bot/messaging/seat.py); the rows of a sender whose beat stopped are orphans,
settled within seconds by whichever sender sees it (bot/messaging/recovery.py), so that a
crash never loses an alert and no row is sent twice. On PostgreSQL only the sender holding
the bot's advisory lock sends; the others stand by.

A call that timed out or whose connection was cut after the request went out has an
unknown fate (it may have been delivered), and is settled by kind, like an orphan:

- an edit is tried again: applying the same edit twice changes nothing;
- an alert copy (priority up to PRIORITY_ALERT) is sent again once: an officer may at worst
  see one copy twice, never none;
- anything else (prompts, replies, digests) is marked failed: never sent twice. Its owner
  sees the failure (a check-in prompt not known to be sent is the check-ins' business).

At 1,000 messages a second neither the database nor Python may be the bottleneck: rows
are claimed a little ahead (at most LOOKAHEAD_SECONDS of sending) by one loop while
another sends them in their slots, so that a database round never leaves a slot unused;
outcomes are written in batches (executemany), in the same transaction as the next claim;
the statements are built once. This module knows nothing of Telegram's library: it talks
to a `Transport` (bot/messaging/telegram/transport.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Integer, Table, and_, bindparam, event, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import DEFAULT_BOT, OutboxSettings
from bot.db import Database
from bot.messaging.outbox import FAILED, PENDING, PRIORITY_ALERT, SENDING, SENT
from bot.messaging.recovery import ResentHook, recover
from bot.messaging.seat import SenderSeat
from bot.messaging.slots import SendSlots
from bot.messaging.telegram.render import SEND_METHODS, is_edit, render_stored
from bot.messaging.transport import (
    Forbidden,
    PermanentError,
    Renderer,
    RetryAfter,
    TransientError,
    Transport,
    UnknownOutcome,
)
from bot.models import OutboxMessage

logger = logging.getLogger(__name__)

# Telegram's answer to an edit that changes nothing: the edit is already in place.
NOT_MODIFIED = "message is not modified"
# Seconds of sending one claim covers: small, so a new sos waits behind few claimed rows.
LOOKAHEAD_SECONDS = 0.1
# Rows claimed at least per round trip: at a bot's free 25 a second, a tenth of a second is
# three rows, and 34 bots' senders of one worker would spend more on claiming than on
# sending. A new sos then waits behind at most this many rows (0.4 s at 25/s).
MIN_CLAIM = 10


# (session, chat id, now) -> None; called in the unit of work that records the failure.
ForbiddenHook = Callable[[AsyncSession, int, datetime], Awaitable[None]]


# ---- waking up when something is queued ------------------------------------------------

_wakers: set[asyncio.Event] = set()
_FLAG = "cachly_outbox_added"


@event.listens_for(Session, "after_flush")
def _note_outbox_rows(session: Session, _context: Any) -> None:
    if any(isinstance(obj, OutboxMessage) for obj in session.new):
        session.info[_FLAG] = True


@event.listens_for(Session, "after_commit")
def _wake_senders(session: Session) -> None:
    # Only after the commit: a sender woken earlier would not see the rows yet.
    if session.info.pop(_FLAG, False):
        for waker in list(_wakers):
            waker.set()


@event.listens_for(Session, "after_rollback")
def _forget_outbox_rows(session: Session) -> None:
    session.info.pop(_FLAG, None)


# ---- the sender -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claimed:
    """A claimed row, as much of it as sending needs."""

    id: int
    chat_id: int
    kind: str
    body: dict[str, Any]
    attempts: int
    target_message_id: int | None
    priority: int = 0
    unknown_fates: int = 0
    edit: bool = False


@dataclass
class _Outcome:
    """What came of one call, waiting to be written down."""

    row: _Claimed
    kind: str  # sent | retry | unknown | flood | failed | forbidden | released
    message_id: int | None = None
    error: str | None = None


# ---- the sender's statements, built once (building them cost more than running them) -----

_OUTBOX = cast(Table, OutboxMessage.__table__)
_TARGET = _OUTBOX.alias("target")
# Candidates without their parameters: a page holds more rows than a claim takes, and
# decoding every candidate's JSON was the sender's largest single cost at 1,000 a second.
_DUE = (
    select(_OUTBOX.c.id, _OUTBOX.c.chat_id, _OUTBOX.c.edit_of_id)
    .where(
        # Each bot's sender takes its own rows only (the due index leads with the bot).
        _OUTBOX.c.bot == bindparam("bot"),
        _OUTBOX.c.state == PENDING,
        _OUTBOX.c.not_before <= bindparam("now"),
        _OUTBOX.c.chat_id.not_in(bindparam("busy", expanding=True)),
        # An edit waits until the message it edits has gone out (or failed).
        or_(
            _OUTBOX.c.edit_of_id.is_(None),
            exists().where(
                and_(_TARGET.c.id == _OUTBOX.c.edit_of_id, _TARGET.c.state.in_((SENT, FAILED)))
            ),
        ),
    )
    # The due index's order: most urgent first, then the longest waiting.
    .order_by(_OUTBOX.c.priority, _OUTBOX.c.not_before, _OUTBOX.c.id)
    .limit(bindparam("page", type_=Integer))
    .with_for_update(skip_locked=True, of=_OUTBOX)
)
# The claim itself: only rows still pending (another sender may have taken some). It
# returns what the calls need, for the rows it took.
_TAKE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)), _OUTBOX.c.state == PENDING)
    .values(state=SENDING, not_before=bindparam("lease"), claimed_by=bindparam("owner"))
    .returning(
        _OUTBOX.c.id,
        _OUTBOX.c.kind,
        _OUTBOX.c.body,
        _OUTBOX.c.attempts,
        _OUTBOX.c.priority,
        _OUTBOX.c.unknown_fates,
    )
)
_OUTCOME_COLUMNS = (
    "attempts",
    "state",
    "sent_at",
    "message_id",
    "not_before",
    "last_error",
    "unknown_fates",
)


def _outcome_update(columns: frozenset[str]) -> Any:
    """An executemany UPDATE by id setting `columns` (bound as b_<column>).

    Only while the row is still this sender's claim (b_owner): a row settled meanwhile as
    an orphan (this sender was taken for dead) keeps what recovery decided.
    """
    return (
        update(_OUTBOX)
        .where(
            _OUTBOX.c.id == bindparam("b_id"),
            _OUTBOX.c.state == SENDING,
            _OUTBOX.c.claimed_by == bindparam("b_owner"),
        )
        .values({c: bindparam(f"b_{c}") for c in _OUTCOME_COLUMNS if c in columns})
    )


@dataclass
class SenderStats:
    """Counters of this process's sender, for benchmarks and logs."""

    sent: int = 0
    looks: int = 0  # times the database loop looked for due rows
    retried: int = 0
    unknown: int = 0  # calls of unknown fate (timeouts, cut connections)
    recovered: int = 0  # orphaned rows of dead senders this sender settled
    flood_waits: int = 0
    failed: int = 0
    forbidden: int = 0
    first_send: float | None = None
    last_send: float | None = None
    send_times: list[float] = field(default_factory=list)


class OutboxSender:
    """Sends outbox rows through a Transport, paced, prioritised and at most once."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        transport: Transport,
        settings: OutboxSettings,
        *,
        on_forbidden: ForbiddenHook | None = None,
        on_resent: ResentHook | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        record_send_times: bool = False,
        bot_id: int = 0,
        bot: str = DEFAULT_BOT,
        render: Renderer = render_stored,
    ) -> None:
        self.bot = bot  # the key of the bot (or of the channel) whose rows it sends
        self._render = render
        self._db = db
        self._clock = clock
        self._transport = transport
        self._settings = settings
        self._on_forbidden = on_forbidden
        self._on_resent = on_resent
        self._monotonic = monotonic
        self._slots = SendSlots(settings.rate_per_second, monotonic)
        self._batch = max(MIN_CLAIM, math.ceil(settings.rate_per_second * LOOKAHEAD_SECONDS))
        # The database loop claims more when this few claimed rows are left to send.
        self._low = self._batch // 2
        # Candidates read per claim: several due rows may be for one chat, or a busy one.
        self._page = 2 * self._batch
        self._ready: deque[_Claimed] = deque()
        self._have_rows = asyncio.Event()
        self._wake = asyncio.Event()
        self._urgent_outcomes = False  # an alert copy's outcome waits to be written
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._outcomes: list[_Outcome] = []
        # Chat id -> monotonic time it may get its next message (inf while a call is open).
        self._busy: dict[int, float] = {}
        # Busy chats known to have more due rows: excluded from the claim's query.
        self._backlog: set[int] = set()
        self._updates: dict[frozenset[str], Any] = {}
        self._record_send_times = record_send_times
        self.seat = SenderSeat(
            db, bot_id=bot_id, stale_seconds=settings.owner_stale_seconds, monotonic=monotonic
        )
        self._beating = asyncio.Event()  # set to stop the watch loop's sleep early
        self.stats = SenderStats()

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        """Run the sender in a task of the running event loop."""
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(
                self.run(), name=f"outbox-sender-{self.bot}"
            )
        return self._task

    async def stop(self) -> None:
        """Stop claiming, let open calls finish and write every outcome down."""
        self._stopping = True
        self._wake.set()
        self._have_rows.set()
        self._beating.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Look at the outbox now (after the clock moved, or rows came from elsewhere)."""
        self._wake.set()

    async def run(self) -> None:
        """Drain the outbox until stop() is called."""
        _wakers.add(self._wake)
        dispatcher: asyncio.Task[None] | None = None
        watcher: asyncio.Task[None] | None = None
        try:
            # Seated (and beating) before the first claim, so nobody takes its rows for orphans.
            await self._look_around()
            loop = asyncio.get_running_loop()
            dispatcher = loop.create_task(self._dispatch())
            watcher = loop.create_task(self._watch())
            while not self._stopping:
                try:
                    await self._cycle()
                except Exception:
                    # The database may be briefly unavailable; nothing is lost, try again.
                    logger.exception("outbox sender cycle failed")
                    await self._sleep(self._settings.idle_poll_seconds)
        finally:
            _wakers.discard(self._wake)
            self._stopping = True
            self._have_rows.set()
            if dispatcher is not None:
                with contextlib.suppress(Exception):
                    await dispatcher
            # Stopping: what was claimed but not sent goes back as it was.
            self._release_ready()
            if self._inflight:
                await asyncio.gather(*self._inflight, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self._record(claim=0)
            if watcher is not None:
                self._beating.set()
                with contextlib.suppress(Exception):
                    await watcher
            await self.seat.leave()

    # ---- the heartbeat: who is alive, who sends, orphans settled --------------------------

    async def _watch(self) -> None:
        """Beat, stand for election and settle dead senders' rows, until stopping."""
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._settings.heartbeat_seconds):
                    await self._beating.wait()
            if self._stopping:
                return
            try:
                await self._look_around()
            except Exception:
                logger.exception("outbox sender heartbeat failed")

    async def _look_around(self) -> None:
        was = self.seat.leading
        dead = await self.seat.beat(self._clock.now())
        leading = await self.seat.elect()
        settled = await recover(
            self._db, self._clock.now(), self._on_resent, me=self.seat.id, dead=dead
        )
        await self.seat.forget(dead)
        self.stats.recovered += settled
        if settled or leading != was:
            self._wake.set()

    # ---- two loops: the database keeps rows ready, the dispatcher sends them on time -------
    #
    # Claiming and writing outcomes (a database round trip) overlaps with sending: the
    # dispatcher sends from rows claimed ahead, and the database loop tops them up when they
    # run low, so that a slow round never leaves a send slot unused while a backlog exists.
    # At most `_batch` rows (LOOKAHEAD_SECONDS of sending) are claimed and not yet sent, so a
    # new sos waits behind no more than that.

    async def _cycle(self) -> None:
        if not self.seat.leading:
            # Standing by: another worker's sender sends for the bot.
            self._release_ready()
            if self._outcomes:
                await self._record(claim=0)
            await self._sleep(self._settings.heartbeat_seconds)
            return
        now = self._monotonic()
        if self._slots.paused_until > now:
            await self._sleep(self._slots.paused_until - now)
            return
        ready = len(self._ready)
        free = self._settings.max_in_flight - len(self._inflight) - ready
        want = min(free, self._batch - ready) if ready <= self._low else 0
        if want <= 0:
            # Nothing to claim yet: write outcomes now and then, else wait for the dispatcher.
            if self._urgent_outcomes or len(self._outcomes) >= self._batch:
                await self._record(claim=0)
            else:
                await self._sleep(self._settings.idle_poll_seconds)
            return
        self._wake.clear()
        self.stats.looks += 1
        rows = await self._record(claim=want)
        if rows:
            self._ready.extend(rows)
            self._have_rows.set()
        elif not self._ready:
            await self._sleep(await self._idle_delay())

    async def _dispatch(self) -> None:
        """Send claimed rows, each in its send slot, until stopping."""
        loop = asyncio.get_running_loop()
        ready = self._ready
        while not self._stopping:
            if not ready:
                self._have_rows.clear()
                await self._have_rows.wait()
                continue
            if not await self._slots.wait(lambda: self._stopping) or not ready:
                continue  # stopping, or a flood released the rows while waiting
            row = ready.popleft()
            if len(ready) <= self._low:
                self._wake.set()  # the database loop tops the rows up
            self._slots.called()  # until _send has its answer
            task = loop.create_task(self._send(row))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    def _release_ready(self) -> None:
        """Give claimed, unsent rows back (they go out first again, in priority order)."""
        while self._ready:
            self._outcomes.append(_Outcome(self._ready.popleft(), "released"))

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0 or self._stopping:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        self._wake.clear()

    async def _idle_delay(self) -> float:
        """How long to wait when nothing can be sent: until a chat frees up or a row is due."""
        delay = self._settings.idle_poll_seconds
        now = self._monotonic()
        waits = [until - now for until in self._busy.values() if until != math.inf]
        if waits:
            delay = min(delay, max(0.0, min(waits)))
        async with self._db.transaction() as session:
            next_due = await session.scalar(
                select(func.min(OutboxMessage.not_before)).where(
                    OutboxMessage.bot == self.bot, OutboxMessage.state == PENDING
                )
            )
        if next_due is not None:
            delay = min(delay, max(0.0, (next_due - self._clock.now()).total_seconds()))
        return delay

    # ---- the call ------------------------------------------------------------------------

    async def _send(self, row: _Claimed) -> None:
        call = self._render(row.kind, row.body, row.chat_id, edit_message_id=row.target_message_id)
        if self._settings.paid_broadcast and call.method in SEND_METHODS:
            call.params["allow_paid_broadcast"] = True
        outcome = _Outcome(row, "sent")
        try:
            result = await self._transport.call(call.method, call.params)
            message_id = result.get("message_id") if isinstance(result, dict) else None
            outcome.message_id = message_id if isinstance(message_id, int) else None
            self._count_send()
        except RetryAfter as error:
            # Everything waits, not only this chat: Telegram's flood control is per bot.
            self._slots.pause(error.seconds)
            outcome.kind, outcome.error = "flood", str(error)
            self.stats.flood_waits += 1
            # Rows claimed ahead go back for the pause: they hold no lease meanwhile, and
            # whatever is most urgent when it ends goes first.
            self._release_ready()
            logger.warning("flood control: every send waits %.1f s", error.seconds)
        except Forbidden as error:
            outcome.kind, outcome.error = "forbidden", str(error)
            self.stats.forbidden += 1
        except UnknownOutcome as error:
            outcome.kind, outcome.error = "unknown", str(error)
            self.stats.unknown += 1
        except PermanentError as error:
            # PTB capitalises descriptions ("Message is not modified: ..."): compare lowered.
            if NOT_MODIFIED in str(error).lower():
                outcome.kind = "sent"  # the edit is already there
            else:
                outcome.kind, outcome.error = "failed", str(error)
                self.stats.failed += 1
                logger.warning("outbox row %s failed: %s", row.id, error)
        except TransientError as error:
            outcome.kind, outcome.error = "retry", str(error)
            self.stats.retried += 1
        except Exception as error:
            # An unexpected bug in a transport: keep the row, retry it with backoff.
            logger.exception("outbox row %s: unexpected error", row.id)
            outcome.kind, outcome.error = "retry", type(error).__name__
            self.stats.retried += 1
        finally:
            # Measured from the answer, so arrivals at the chat are a full interval apart.
            answered_at = self._monotonic()
            self._busy[row.chat_id] = answered_at + self._settings.per_chat_interval_seconds
            self._slots.answered(answered_at)
            self._outcomes.append(outcome)
            # The database loop needs this answer if it waits for a chat or an in-flight
            # place to free up, or to write outcomes; otherwise the dispatcher wakes it. An
            # alert copy's outcome is written at once: a copy sent but not yet written down
            # when the process dies is sent again, and an officer sees it twice.
            if row.priority <= PRIORITY_ALERT:
                self._urgent_outcomes = True
            if (
                self._urgent_outcomes
                or not self._ready
                or len(self._outcomes) >= self._batch
                or len(self._inflight) >= self._settings.max_in_flight
            ):
                self._wake.set()

    def _count_send(self) -> None:
        now = self._monotonic()
        stats = self.stats
        stats.sent += 1
        if stats.first_send is None:
            stats.first_send = now
        stats.last_send = now
        if self._record_send_times:
            stats.send_times.append(now)

    # ---- the database ----------------------------------------------------------------------

    async def _record(self, claim: int) -> list[_Claimed]:
        """Write finished calls down and claim up to `claim` due rows, in one transaction."""
        outcomes, self._outcomes = self._outcomes, []
        self._urgent_outcomes = False
        now = self._clock.now()
        try:
            async with self._db.transaction() as session:
                await self._write_outcomes(session, outcomes, now)
                return await self._claim(session, claim, now) if claim else []
        except BaseException:
            self._outcomes[:0] = outcomes  # not written: try again next round
            self._urgent_outcomes = any(o.row.priority <= PRIORITY_ALERT for o in outcomes)
            raise

    async def _write_outcomes(
        self, session: AsyncSession, outcomes: list[_Outcome], now: datetime
    ) -> None:
        settings = self._settings
        by_kind: dict[frozenset[str], list[dict[str, Any]]] = {}
        for outcome in outcomes:
            row = outcome.row
            values = outcome_values(outcome, settings, now)
            if outcome.kind == "released":
                self._busy.pop(row.chat_id, None)
                self._backlog.discard(row.chat_id)
            bound = {f"b_{key}": value for key, value in values.items()}
            bound["b_owner"] = self.seat.id
            by_kind.setdefault(frozenset(values), []).append(bound)
        for columns, rows in by_kind.items():
            statement = self._updates.get(columns)
            if statement is None:
                statement = self._updates[columns] = _outcome_update(columns)
            await session.execute(statement, rows)
        for outcome in outcomes:
            if outcome.kind == "forbidden" and self._on_forbidden is not None:
                await self._on_forbidden(session, outcome.row.chat_id, now)

    async def _claim(self, session: AsyncSession, limit: int, now: datetime) -> list[_Claimed]:
        """Take up to `limit` due rows, one per chat, for chats free to receive now."""
        moment = self._monotonic()
        busy, backlog = self._busy, self._backlog
        for chat in [chat for chat, until in busy.items() if until <= moment]:
            del busy[chat]
            backlog.discard(chat)
        chosen: list[Any] = []
        chats: set[int] = set()
        # Busy chats are skipped here rather than listed in the query (a thousand of them at
        # 1,000 a second); only those seen with more due rows (the backlog) are excluded in
        # SQL, so that they cannot fill the page again. A page with nothing but newly seen
        # ones is read again, once per such chat at most.
        for _ in range(3):
            candidates = (
                await session.execute(
                    _DUE, {"now": now, "busy": list(backlog), "page": self._page, "bot": self.bot}
                )
            ).all()
            grew = False
            for candidate in candidates:
                chat = candidate.chat_id
                if chat in chats or chat in busy:
                    if chat not in backlog:
                        backlog.add(chat)
                        grew = True
                    continue
                chats.add(chat)
                chosen.append(candidate)
                if len(chosen) == limit:
                    break
            if chosen or not grew or len(candidates) < self._page:
                break
        # A chat in this claim that has more rows stays in the backlog while it is busy.
        backlog.intersection_update(busy.keys() | chats)
        return await self._take(session, chosen, now) if chosen else []

    async def _take(
        self, session: AsyncSession, chosen: list[Any], now: datetime
    ) -> list[_Claimed]:
        """Claim the chosen rows (those another sender has not taken meanwhile)."""
        busy = self._busy
        targets = await self._edit_targets(session, [c.edit_of_id for c in chosen])
        lease = now + timedelta(seconds=self._settings.lease_seconds)
        taken = {
            row.id: row
            for row in await session.execute(
                _TAKE, {"ids": [c.id for c in chosen], "lease": lease, "owner": self.seat.id}
            )
        }
        rows: list[_Claimed] = []
        for c in chosen:
            took = taken.get(c.id)
            if took is None:
                continue  # another sender took it between our read and our update
            target_id = None
            if c.edit_of_id is not None:
                target_id = targets.get(c.edit_of_id)
                if target_id is None:
                    await session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id == c.id)
                        .values(state=FAILED, last_error="the message to edit was never sent")
                    )
                    continue
            busy[c.chat_id] = math.inf
            rows.append(
                _Claimed(
                    c.id,
                    c.chat_id,
                    took.kind,
                    took.body,
                    took.attempts,
                    target_id,
                    took.priority,
                    took.unknown_fates,
                    is_edit(took.kind, took.body, c.edit_of_id),
                )
            )
        return rows

    async def _edit_targets(
        self, session: AsyncSession, ids: Iterable[int | None]
    ) -> dict[int, int | None]:
        wanted = [i for i in ids if i is not None]
        if not wanted:
            return {}
        result = await session.execute(
            select(OutboxMessage.id, OutboxMessage.message_id).where(
                OutboxMessage.id.in_(wanted), OutboxMessage.state == SENT
            )
        )
        return {row.id: row.message_id for row in result}

    # ---- crash recovery ------------------------------------------------------------------

    async def recover(self) -> int:
        """Settle rows whose sender died mid-call (see bot/messaging/recovery.py); how many."""
        return await recover(self._db, self._clock.now(), self._on_resent, me=self.seat.id)


def outcome_values(outcome: _Outcome, settings: OutboxSettings, now: datetime) -> dict[str, Any]:
    """The columns one call's outcome writes on its row: sent, again later, or failed."""
    row = outcome.row
    attempts = row.attempts + (0 if outcome.kind == "released" else 1)
    values: dict[str, Any] = {"id": row.id, "attempts": attempts}
    kind = outcome.kind
    if kind == "unknown":
        kind = _settle_unknown(row, attempts, outcome, values, settings)
    if kind == "unknown":
        pass  # settled above
    elif kind == "sent":
        values.update(state=SENT, sent_at=now, message_id=outcome.message_id)
    elif kind == "retry" and attempts < settings.max_attempts:
        backoff = min(settings.retry_max_seconds, settings.retry_base_seconds * 2 ** (attempts - 1))
        values.update(
            state=PENDING,
            not_before=now + timedelta(seconds=backoff),
            last_error=_short(outcome.error),
        )
    elif kind in ("flood", "released"):
        # First in line again once the pause is over.
        values.update(state=PENDING, not_before=now, last_error=_short(outcome.error))
    else:  # failed, forbidden, or out of attempts
        values.update(state=FAILED, last_error=_short(outcome.error))
        if kind == "retry":
            logger.warning("outbox row %s given up after %d attempts", row.id, attempts)
    return values


def _settle_unknown(
    row: _Claimed,
    attempts: int,
    outcome: _Outcome,
    values: dict[str, Any],
    settings: OutboxSettings,
) -> str:
    """Decide by kind about a call that may have been delivered; the outcome kind to use."""
    fates = row.unknown_fates + 1
    values["unknown_fates"] = fates
    again = row.edit or (row.priority <= PRIORITY_ALERT and fates == 1)
    if again and attempts < settings.max_attempts:
        return "retry"  # an edit twice changes nothing; an alert twice beats none
    values.update(
        state=FAILED, last_error=_short(f"outcome unknown ({outcome.error}): not sent again")
    )
    logger.warning("outbox row %s: outcome unknown, not sent again", row.id)
    return "unknown"


def _short(text: str | None) -> str | None:
    return None if text is None else text[:200]
