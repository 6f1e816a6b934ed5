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
the statements are built once (the claim and the outcomes: bot/messaging/claims.py). This
module knows nothing of Telegram's library: it talks to a `Transport`
(bot/messaging/telegram/transport.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import DEFAULT_BOT, OutboxSettings
from bot.db import Database
from bot.messaging.claims import Claimed, Claims, ForbiddenHook, HandOnHook, Outcome, SentHook
from bot.messaging.heartbeat import process_heartbeat
from bot.messaging.outbox import PENDING, PRIORITY_ALERT
from bot.messaging.recovery import ResentHook, recover
from bot.messaging.seat import SenderSeat
from bot.messaging.slots import SendSlots
from bot.messaging.telegram.render import SEND_METHODS, render_stored
from bot.messaging.transport import (
    Forbidden,
    OutsideWindow,
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
# sending; with 16 a busy worker's claims came too late now and then (each bot at 0.90 of
# its rate in a 100,000-case round, 0.93 with 32). A new sos then waits behind at most this
# many rows (1.3 s at 25/s).
MIN_CLAIM = 32
# A sender that takes its bot's lock over from another waits this long before its first
# send: Telegram's limits count the last second, and the other may have sent in it.
TAKE_OVER_QUIET_SECONDS = 1.0


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
        on_hand_on: HandOnHook | None = None,
        on_sent: SentHook | None = None,
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
        self._on_resent = on_resent
        self._monotonic = monotonic
        self._slots = SendSlots(
            settings.rate_per_second, monotonic, limit_per_second=settings.limit_per_second
        )
        self._batch = max(MIN_CLAIM, math.ceil(settings.rate_per_second * LOOKAHEAD_SECONDS))
        # The database loop claims more when half a batch is left to send (0.64 s at 25 a
        # second, 50 ms at 1,000): time for a claim's round trip on a busy worker.
        self._low = self._batch // 2
        self._ready: deque[Claimed] = deque()
        self._have_rows = asyncio.Event()
        self._wake = asyncio.Event()
        self._urgent_outcomes = False  # an alert copy's outcome waits to be written
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._outcomes: list[Outcome] = []
        self._record_send_times = record_send_times
        self.seat = SenderSeat(db, bot_id=bot_id, bot=bot, on_look=self._looked)
        # Beats, elections and recovery for every sender of the process at once.
        self._heartbeat = process_heartbeat(
            db, clock, settings, monotonic=monotonic, on_resent=on_resent
        )
        self._claims = Claims(
            bot=bot,
            owner=self.seat.id,
            settings=settings,
            # Candidates read per claim: several due rows may be for one chat, or a busy one.
            page=2 * self._batch,
            monotonic=monotonic,
            on_forbidden=on_forbidden,
            on_hand_on=on_hand_on,
            on_sent=on_sent,
        )
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
        try:
            # Seated (and beating) before the first claim, so nobody takes its rows for orphans.
            await self._heartbeat.join(self.seat)
            dispatcher = asyncio.get_running_loop().create_task(self._dispatch())
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
            await self._heartbeat.leave(self.seat)
            await self.seat.leave()

    # ---- the heartbeat: who is alive, who sends, orphans settled --------------------------

    def _looked(self, settled: int, changed: bool) -> None:
        """The process's heartbeat beat for this sender (bot/messaging/heartbeat.py)."""
        self.stats.recovered += settled
        if changed and self.seat.leading and self.seat.took_over:
            # The bot's previous sender may have sent in the last second (a hand-over, or a
            # worker that died mid-round): Telegram counts that second per bot and per chat.
            self._slots.pause(TAKE_OVER_QUIET_SECONDS)
        if settled or changed:
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
        if self._ready:
            self._have_rows.set()  # the dispatcher may have paused while the seat stood by
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
            if not ready or not self.seat.leading:
                # Nothing claimed, or stood down: what is claimed goes back (_cycle).
                self._have_rows.clear()
                await self._have_rows.wait()
                continue
            if not await self._slots.wait(lambda: self._stopping) or not ready:
                continue  # stopping, or a flood released the rows while waiting
            if not self.seat.leading:
                continue  # stood down while waiting for the slot
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
            self._outcomes.append(Outcome(self._ready.popleft(), "released"))

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
        waits = [until - now for until in self._claims.busy.values() if until != math.inf]
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

    async def _send(self, row: Claimed) -> None:
        call = self._render(
            row.kind,
            row.body,
            row.chat_id,
            edit_message_id=row.target_message_id,
            purpose=row.purpose,
        )
        if self._settings.paid_broadcast and call.method in SEND_METHODS:
            call.params["allow_paid_broadcast"] = True
        outcome = Outcome(row, "sent")
        try:
            result = await self._transport.call(call.method, call.params)
            message_id = result.get("message_id") if isinstance(result, dict) else None
            outcome.message_id = message_id if isinstance(message_id, int) else None
            receipt = result.get("receipt") if isinstance(result, dict) else None
            outcome.receipt = receipt if isinstance(receipt, str) else None
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
        except OutsideWindow as error:
            outcome.kind, outcome.error = "handed_on", str(error)
            self.stats.forbidden += 1
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
            self._answered(row, outcome)

    def _answered(self, row: Claimed, outcome: Outcome) -> None:
        """After a call's answer: the chat's next turn, the slot freed, the outcome queued."""
        # Measured from the answer, so arrivals at the chat are a full interval apart.
        answered_at = self._monotonic()
        self._claims.busy[row.chat_id] = answered_at + self._settings.per_chat_interval_seconds
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

    async def _record(self, claim: int) -> list[Claimed]:
        """Write finished calls down and claim up to `claim` due rows, in one transaction."""
        outcomes, self._outcomes = self._outcomes, []
        self._urgent_outcomes = False
        now = self._clock.now()
        try:
            async with self._db.transaction() as session:
                await self._claims.write(session, outcomes, now)
                return await self._claims.claim(session, claim, now) if claim else []
        except BaseException:
            self._outcomes[:0] = outcomes  # not written: try again next round
            self._urgent_outcomes = any(o.row.priority <= PRIORITY_ALERT for o in outcomes)
            raise

    # ---- crash recovery ------------------------------------------------------------------

    async def recover(self) -> int:
        """Settle rows whose sender died mid-call (see bot/messaging/recovery.py); how many."""
        return await recover(self._db, self._clock.now(), self._on_resent, me=self.seat.id)
