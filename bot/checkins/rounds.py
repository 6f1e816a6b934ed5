"""The rounds: the tick, queueing due prompts, opening windows, reminders, misses.

The scheduler's tick has the planner (`planning`) write occurrences a short horizon ahead,
queues the prompts that are due through the outbox, learns from the outbox when each was
actually sent (the window counts from then), reminds once and closes windows as missed.
Every step is a state change of a `checkins` row found by one indexed range query, so a
restart loses nothing and a prompt is queued once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import alerts, audit
from bot.checkins import display, steps
from bot.checkins.chats import languages
from bot.checkins.planning import Planner
from bot.checkins.values import (
    ANSWERED,
    CANCELLED,
    CLOSED,
    DONE,
    FEELING,
    FINISHED,
    LOCATION,
    LOCATION_MISSING,
    MANUAL,
    MISSED,
    OPEN,
    QUEUED,
    SCHEDULED,
    SPOT,
    TickReport,
)
from bot.clock import Clock
from bot.config import CheckinSettings, Settings
from bot.db import Database
from bot.messaging.outbox import PRIORITY_PROMPT, enqueue
from bot.models import Case, Checkin, OutboxMessage


def open_window(row: Checkin, sent_at: datetime, checkins: CheckinSettings) -> None:
    """The prompt reached the person at `sent_at`: the answer window counts from then."""
    row.prompt_sent_at = sent_at
    if row.state != QUEUED:
        return
    row.state = OPEN
    if row.kind == SPOT:
        row.remind_at = None
        row.closes_at = sent_at + timedelta(minutes=checkins.spot_window_minutes)
        row.next_action_at = row.closes_at
    elif row.kind == MANUAL:
        # A voluntary /checkin is no round: never reminded, and it lapses quietly.
        row.remind_at = None
        row.closes_at = sent_at + timedelta(minutes=checkins.window_minutes)
        row.next_action_at = row.closes_at
    else:
        row.remind_at = sent_at + timedelta(minutes=checkins.reminder_minutes)
        row.closes_at = sent_at + timedelta(minutes=checkins.window_minutes)
        row.next_action_at = row.remind_at


def _lapse(row: Checkin) -> None:
    """Close an answered check-in at its window's end, noting a location that never came."""
    if row.kind != MANUAL and row.answers.get("location") in (None, "uncertain"):
        row.answers = {**row.answers, "location": LOCATION_MISSING}
    row.step = FINISHED
    row.state, row.next_action_at = DONE, None


# Batches of cases the tick plans before it turns to due work (2,000 cases): a small
# deployment is planned by its tick alone; a big import waits for the planning job.
TICK_PLANNING_BATCHES = 4
# Check-ins the tick prompts, settles, reminds or closes per unit of work. The tick shares
# its event loop with the senders, and a batch's Python work (loading the rows, writing
# each message, the flush) runs without yielding: at 500 it held every sender of the worker
# up 100-500 ms at a time through a 100,000-case round, about a tenth of each bot's rate.
BATCH = 100


class Rounds:
    """Plans, prompts, reminds and closes the check-in rounds, one bounded batch at a time."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._checkins = settings.checkins
        self._tz = settings.schedule.tz
        self._planner = Planner(db, clock, settings)
        self._alerts = alerts.AlertConfig.from_settings(settings)

    async def tick(self) -> TickReport:
        """Everything the scheduler does each tick, in bounded units of work.

        Planning gets a bounded slice here, so that due work never waits for it; the
        planning job (`plan`) does the rest, however much there is.
        """
        planned = await self._planner.plan(max_batches=TICK_PLANNING_BATCHES)
        opened, closed_failed = await self.sync_sent()
        prompted, cancelled = await self.send_due()
        reminded, missed, unreachable = await self.remind_and_close()
        return TickReport(
            planned=planned,
            prompted=prompted,
            opened=opened,
            reminded=reminded,
            missed=missed + closed_failed,
            unreachable=unreachable,
            cancelled=cancelled,
        )

    async def plan(self) -> int:
        """Write the occurrences of active cases for the horizon; returns rows written."""
        return await self._planner.plan()

    # -- prompts ----------------------------------------------------------------------

    async def sync_sent(self) -> tuple[int, int]:
        """Open the windows of prompts the outbox has sent; returns (opened, closed)."""
        opened = closed = 0
        while True:
            now = self._clock.now()
            async with self._db.transaction() as session:
                rows = (
                    await session.execute(
                        select(Checkin, OutboxMessage.state, OutboxMessage.sent_at)
                        .join(OutboxMessage, OutboxMessage.id == Checkin.prompt_outbox_id)
                        .where(Checkin.state == QUEUED, OutboxMessage.state.in_(("sent", "failed")))
                        .limit(BATCH)
                        .with_for_update(of=Checkin, skip_locked=True)
                    )
                ).all()
                for row, outbox_state, sent_at in rows:
                    if outbox_state == "sent":
                        open_window(row, sent_at or now, self._checkins)
                        opened += 1
                        continue
                    case = await session.get(Case, row.case_id)
                    if (
                        case is None
                        or case.unreachable_since is not None
                        or case.status != "active"
                    ):
                        # Telegram refused the chat (the sender flagged it): nothing reached
                        # the person, and the unreachable alert already says so.
                        row.state, row.outcome, row.next_action_at = CLOSED, MISSED, None
                        closed += 1
                    else:
                        # Not known to have arrived (a crash mid-call, or Telegram failing
                        # for longer than the retries): the window counts from now, and a
                        # round's reminder, which asks the same question, goes at once. If
                        # the prompt did arrive, the person is reminded early, never
                        # prompted twice; if it did not, they are asked all the same.
                        open_window(row, now, self._checkins)
                        if row.remind_at is not None:
                            row.remind_at = row.next_action_at = now
                        opened += 1
                if len(rows) < BATCH:
                    return opened, closed

    async def send_due(self) -> tuple[int, int]:
        """Queue the prompts that are due; returns (prompted, cancelled)."""
        prompted = cancelled = 0
        while True:
            now = self._clock.now()
            async with self._db.transaction() as session:
                rows = (
                    await session.execute(
                        select(Checkin, Case)
                        .join(Case, Case.id == Checkin.case_id)
                        .where(Checkin.state == SCHEDULED, Checkin.next_action_at <= now)
                        .order_by(Checkin.next_action_at)
                        .limit(BATCH)
                        .with_for_update(of=Checkin, skip_locked=True)
                    )
                ).all()
                chosen = await languages(session, [case for _, case in rows])
                queued: list[tuple[Checkin, OutboxMessage]] = []
                for row, case in rows:
                    window = timedelta(
                        minutes=self._checkins.spot_window_minutes
                        if row.kind == SPOT
                        else self._checkins.window_minutes
                    )
                    if case.status != "active" or case.chat_id is None or row.due_at + window < now:
                        # Released, moved, or due so long ago (the bot was down) that the
                        # window would already be over: not the person's fault, not a miss.
                        row.state, row.outcome, row.next_action_at = CLOSED, CANCELLED, None
                        cancelled += 1
                        continue
                    language = chosen.get(case.id, case.language)
                    queued.append((row, self._prompt(session, row, case, language, now)))
                    prompted += 1
                # One flush for the batch gives every outbox row its id; each check-in is
                # then changed once (one UPDATE a row at the commit, not two).
                await session.flush()
                for row, message in queued:
                    row.state, row.queued_at, row.next_action_at = QUEUED, now, None
                    row.step = LOCATION if row.kind == SPOT else FEELING
                    row.prompt_outbox_id = message.id
                if len(rows) < BATCH:
                    return prompted, cancelled

    def _prompt(
        self, session: AsyncSession, row: Checkin, case: Case, language: str, now: datetime
    ) -> OutboxMessage:
        assert case.chat_id is not None
        content = display.prompt(
            language,
            row.kind,
            case.full_name,
            row.id,
            self._checkins.spot_window_minutes,
            case.channel,
        )
        return enqueue(
            session,
            chat_id=case.chat_id,
            province=case.province_code,
            content=content,
            priority=PRIORITY_PROMPT,
            purpose="checkin_prompt",
            now=now,
            ref_id=row.id,
        )

    # -- reminders and closing --------------------------------------------------------

    async def remind_and_close(self) -> tuple[int, int, int]:
        """Send due reminders and close windows; returns (reminded, missed, unreachable)."""
        reminded = missed = unreachable = 0
        while True:
            now = self._clock.now()
            async with self._db.transaction() as session:
                rows = (
                    await session.execute(
                        select(Checkin, Case)
                        .join(Case, Case.id == Checkin.case_id)
                        .where(
                            Checkin.state.in_((OPEN, ANSWERED)),
                            Checkin.next_action_at <= now,
                        )
                        .order_by(Checkin.next_action_at)
                        .limit(BATCH)
                        .with_for_update(of=Checkin, skip_locked=True)
                    )
                ).all()
                chosen = await languages(session, [case for _, case in rows])
                for row, case in rows:
                    assert row.closes_at is not None
                    language = chosen.get(case.id, case.language)
                    if row.state == ANSWERED and steps.resting(row) and now < row.closes_at:
                        # The rest after a low first SpO2 is over: ask for the second reading.
                        self._measure_again(session, row, case, language, now)
                        continue
                    if row.state == ANSWERED:
                        # Answered, but the window closed before a usable location came.
                        _lapse(row)
                        continue
                    if row.closes_at <= now and row.kind == MANUAL:
                        # An unfinished voluntary check-in: no round was missed.
                        row.state, row.outcome, row.next_action_at = CLOSED, CANCELLED, None
                        continue
                    if row.closes_at <= now:
                        row.state, row.outcome, row.next_action_at = CLOSED, MISSED, None
                        missed += 1
                        if await self._missed(session, row, case, now):
                            unreachable += 1
                        continue
                    if (
                        row.kind == SCHEDULED
                        and row.reminded_at is None
                        and case.chat_id is not None
                    ):
                        self._remind(session, row, case, language, now)
                        reminded += 1
                    row.next_action_at = row.closes_at
                if len(rows) < BATCH:
                    return reminded, missed, unreachable

    def _remind(
        self, session: AsyncSession, row: Checkin, case: Case, language: str, now: datetime
    ) -> None:
        assert case.chat_id is not None
        enqueue(
            session,
            chat_id=case.chat_id,
            province=case.province_code,
            content=display.reminder(language, case.full_name, row.id),
            priority=PRIORITY_PROMPT,
            purpose="checkin_reminder",
            now=now,
            ref_id=row.id,
        )
        row.reminded_at = now

    def _measure_again(
        self, session: AsyncSession, row: Checkin, case: Case, language: str, now: datetime
    ) -> None:
        """Ask for the second SpO2 reading once the person has rested."""
        steps.end_rest(row)
        content = display.question(steps.question(row, case, language, now))
        if case.chat_id is None or content is None:
            return
        enqueue(
            session,
            chat_id=case.chat_id,
            province=case.province_code,
            content=content,
            priority=PRIORITY_PROMPT,
            purpose="checkin_spo2_again",
            now=now,
            ref_id=row.id,
        )

    async def _missed(self, session: AsyncSession, row: Checkin, case: Case, now: datetime) -> bool:
        """Raise the missed alert, or flag the case unreachable after N misses in a row."""
        rounds = self._checkins.unreachable_after_rounds
        recent = list(
            await session.scalars(
                select(Checkin.outcome)
                .where(
                    Checkin.case_id == case.id,
                    Checkin.kind.in_((SCHEDULED, SPOT)),
                    Checkin.outcome.is_not(None),
                    Checkin.outcome != CANCELLED,
                    Checkin.due_at <= row.due_at,
                )
                .order_by(Checkin.due_at.desc())
                .limit(rounds)
            )
        )
        evidence = {
            "checkin": row.id,
            "label": "spot_check" if row.kind == SPOT else "round",
            "round": row.nominal_at.astimezone(self._tz).strftime("%H:%M"),
            "nominal_at": row.nominal_at.isoformat(),
        }
        if case.unreachable_since is not None:
            # Already flagged: more missed rounds are evidence, not new alerts.
            await alerts.raise_alert(
                self._alerts,
                session,
                kind=alerts.UNREACHABLE,
                commune_code=case.commune_code,
                now=now,
                evidence={**evidence, "reason": "missed_rounds"},
                case_id=case.id,
            )
            return False
        if len(recent) >= rounds and all(outcome == MISSED for outcome in recent):
            await self._unreachable(session, case, evidence, now)
            return True
        await alerts.raise_alert(
            self._alerts,
            session,
            kind=alerts.MISSED_CHECKIN,
            commune_code=case.commune_code,
            now=now,
            evidence=evidence,
            case_id=case.id,
        )
        return False

    async def _unreachable(
        self, session: AsyncSession, case: Case, evidence: dict[str, Any], now: datetime
    ) -> None:
        """Flag the case unreachable after its rounds in a row were missed."""
        rounds = self._checkins.unreachable_after_rounds
        case.unreachable_since = now
        await alerts.raise_alert(
            self._alerts,
            session,
            kind=alerts.UNREACHABLE,
            commune_code=case.commune_code,
            now=now,
            evidence={**evidence, "reason": "missed_rounds", "rounds": rounds},
            case_id=case.id,
        )
        audit.record(
            session,
            at=now,
            actor=audit.SYSTEM,
            action="case.unreachable",
            subject_type="case",
            subject_id=case.id,
            rounds=rounds,
        )
