"""Check-ins: the schedule as rows, prompts and reminders, the questionnaire, locations, SOS.

The scheduler's tick (`CheckinService.tick`) plans occurrences a short horizon ahead, queues
the prompts that are due through the outbox, learns from the outbox when each was actually
sent (the window counts from then), reminds once and closes windows as missed. Every step
is a state change of a `checkins` row found by one indexed range query, so a restart loses
nothing and a prompt is queued once.

The questionnaire's position lives in the row (`step`), and the user's conversation (the
"checkin" flow) names the row, so any process can take the next answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot import alerts, audit
from bot.catalogue import plain, t
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.dialogues import DialogueState, current_dialogue, end_dialogue, save_dialogue
from bot.errors import NotAuthorised, UserError
from bot.models import (
    Case,
    Checkin,
    CheckinPlan,
    LiveStream,
    LocationFix,
    Officer,
    OutboxMessage,
    UserPreference,
)
from bot.outbox import PRIORITY_PROMPT, callback_button, enqueue_text, inline_keyboard
from bot.schedule import next_round, occurrences, parse_times
from bot.triage import (
    DANGER_SYMPTOMS,
    SYMPTOMS,
    Readings,
    age_in,
    danger_signs,
    in_range,
    new_signs,
    parse_number,
    spo2_is_low,
)
from geofence import (
    Fix,
    FixKind,
    StreamEvent,
    TrackerState,
    VerdictKind,
    advance,
    check_evidence,
    judge,
    zone_from_dict,
)

logger = logging.getLogger(__name__)

FLOW = "checkin"
CALLBACK_PREFIX = "ci:"
SOS_PREFIX = "sos:"

# Occurrence kinds and states.
SCHEDULED, SPOT, MANUAL = "scheduled", "spot", "manual"
QUEUED, OPEN, ANSWERED, DONE, CLOSED = "queued", "open", "answered", "done", "closed"
ON_TIME, LATE, MISSED, CANCELLED = "on_time", "late", "missed", "cancelled"

# Questionnaire steps, in order; F0 cases also measure what an oximeter and a watch tell.
FEELING, SYMPTOMS_STEP, LOCATION, FINISHED = "feeling", "symptoms", "location", "done"
NUMBER_STEPS = ("temperature", "spo2", "spo2_again", "breaths", "pulse")
FEELINGS = ("good", "tired", "bad")

# Rows handled per unit of work by the tick: bounded transactions, steady progress.
BATCH = 500


# ---- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """What to ask the person next about one check-in."""

    checkin_id: int
    case_id: int
    name: str
    language: str
    step: str
    kind: str = SCHEDULED
    symptoms: tuple[str, ...] = ()
    value: float | None = None  # the first SpO2 reading, for the re-measure question


@dataclass(frozen=True)
class StepResult:
    """The outcome of one answer."""

    status: str  # ok | retry | closed | done | busy
    name: str = ""
    language: str = "vi"
    question: Question | None = None
    danger: tuple[str, ...] = ()  # warning signs raised just now: tell the person
    retry: str | None = None  # the measure to ask again in plain words
    finished: bool = False  # the questionnaire just ended: thank the person


@dataclass(frozen=True)
class PersonChoice:
    """A case of the chat, for "who is this about?" buttons."""

    case_id: int
    name: str


@dataclass(frozen=True)
class StartResult:
    """/checkin: the first question, or the people to choose from, or not a case."""

    status: str  # question | choose | not_a_case
    language: str
    question: Question | None = None
    choices: tuple[PersonChoice, ...] = ()


@dataclass(frozen=True)
class SosResult:
    """/sos: who the alert was raised for, or the people to choose from."""

    status: str  # raised | choose | not_a_case
    language: str
    name: str = ""
    choices: tuple[PersonChoice, ...] = ()


@dataclass(frozen=True)
class LocationInput:
    """A location message or a live-location edit, as plain values."""

    chat_id: int
    user_id: int
    message_id: int
    lat: float
    lon: float
    accuracy_m: float | None
    date: datetime  # the message date, or the edit date of an edit
    live_period: int | None = None
    forwarded: bool = False
    venue: bool = False
    edited: bool = False


@dataclass(frozen=True)
class LocationReply:
    """What to tell the person about one case's location."""

    status: str  # rejected | inside | outside | uncertain | recorded | live
    name: str
    distance_m: float | None = None
    rejection_key: str | None = None
    rejection_params: dict[str, Any] = field(default_factory=dict)
    finished: bool = False  # the check-in it answered is complete: thank the person


@dataclass(frozen=True)
class LocationResult:
    """The answer to a location message: one reply per case it counted for."""

    status: str  # handled | not_a_case | which_person | silent
    language: str
    replies: tuple[LocationReply, ...] = ()
    keep_asking: bool = False  # a check-in still waits for a (better) location


@dataclass(frozen=True)
class TickReport:
    """What one scheduler tick did."""

    planned: int = 0
    prompted: int = 0
    opened: int = 0
    reminded: int = 0
    missed: int = 0
    unreachable: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class CheckinView:
    """A check-in as reports and tests see it."""

    id: int
    case_id: int
    kind: str
    nominal_at: datetime
    due_at: datetime
    state: str
    outcome: str | None
    prompt_sent_at: datetime | None
    answered_at: datetime | None
    step: str | None
    answers: dict[str, Any]
    vitals: dict[str, Any]
    danger_signs: tuple[str, ...]


def _view(row: Checkin) -> CheckinView:
    return CheckinView(
        row.id,
        row.case_id,
        row.kind,
        row.nominal_at,
        row.due_at,
        row.state,
        row.outcome,
        row.prompt_sent_at,
        row.answered_at,
        row.step,
        dict(row.answers),
        dict(row.vitals),
        tuple(row.danger_signs),
    )


# ---- keyboards (plain Bot API dicts, shared by prompts in the outbox and direct replies) --


def feeling_keyboard(language: str, checkin_id: int) -> dict[str, Any]:
    """The three "how do you feel" buttons of a prompt."""
    return inline_keyboard(
        [
            [callback_button(plain(language, f"checkin.feel.{feel}"), f"ci:{checkin_id}:f:{feel}")]
            for feel in FEELINGS
        ]
    )


def symptoms_keyboard(language: str, checkin_id: int, chosen: Sequence[str]) -> dict[str, Any]:
    """Toggle buttons for the symptoms (ticked when chosen), "none" and "done"."""
    rows = []
    for symptom in SYMPTOMS:
        mark = "✅ " if symptom in chosen else ""
        label = mark + plain(language, f"checkin.symptom.{symptom}")
        rows.append([callback_button(label, f"ci:{checkin_id}:s:{symptom}")])
    rows.append(
        [callback_button(plain(language, "checkin.symptoms.none"), f"ci:{checkin_id}:s:none")]
    )
    rows.append(
        [callback_button(plain(language, "checkin.symptoms.done"), f"ci:{checkin_id}:s:done")]
    )
    return inline_keyboard(rows)


def skip_keyboard(language: str, checkin_id: int, step: str) -> dict[str, Any]:
    """The "I cannot measure this" button of a number question."""
    return inline_keyboard(
        [[callback_button(plain(language, f"checkin.skip.{step}"), f"ci:{checkin_id}:k:{step}")]]
    )


def location_keyboard(language: str) -> dict[str, Any]:
    """A reply keyboard whose first button sends the current location in one tap."""
    return {
        "keyboard": [
            [{"text": plain(language, "checkin.location_button"), "request_location": True}],
            [{"text": plain(language, "checkin.location_skip")}],
        ],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


def _sign_list(language: str, signs: Sequence[str]) -> str:
    return ", ".join(plain(language, f"checkin.sign.{sign}") for sign in signs)


def render_danger(language: str, name: str, signs: Sequence[str]) -> str:
    """The message that tells a person the station has been alerted and to call 115."""
    return t(language, "checkin.danger", name=name, signs=_sign_list(language, signs))


# ---- the service -------------------------------------------------------------------------


class CheckinService:
    """Schedules, prompts, records and judges check-ins; raises their alerts."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._checkins = settings.checkins
        self._tz = settings.schedule.tz

    # -- the tick ---------------------------------------------------------------------

    async def tick(self) -> TickReport:
        """Everything the scheduler does each tick, in bounded units of work."""
        planned = await self.plan()
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
        now = self._clock.now()
        horizon = timedelta(hours=self._checkins.horizon_hours)
        # Re-plan a case only when half its horizon is used up: each case is touched
        # about twice a horizon, not every tick.
        threshold = now + horizon / 2
        spread = timedelta(minutes=self._checkins.spread_minutes, seconds=1)
        written = 0
        while True:
            async with self._db.transaction() as session:
                rows = (
                    await session.execute(
                        select(Case.id, Case.kind, Case.checkin_times, CheckinPlan.planned_until)
                        .outerjoin(CheckinPlan, CheckinPlan.case_id == Case.id)
                        .where(
                            Case.status == "active",
                            Case.chat_id.is_not(None),
                            or_(
                                CheckinPlan.planned_until.is_(None),
                                CheckinPlan.planned_until < threshold,
                            ),
                        )
                        .order_by(Case.id)
                        .limit(BATCH)
                    )
                ).all()
                if not rows:
                    return written
                values, plans = [], []
                for case_id, kind, times, planned_until in rows:
                    # A new case still gets this round if its own due time is yet to come;
                    # after a downtime, the rounds missed meanwhile are written and then
                    # prompted late or cancelled by send_due.
                    after = planned_until if planned_until is not None else now - spread
                    until = now + horizon
                    spots = (
                        self._checkins.spot_checks_per_day
                        if kind in self._checkins.spot_check_kinds
                        else 0
                    )
                    for occ in occurrences(
                        case_id,
                        times or self._checkins.times_for(kind),
                        self._tz,
                        after,
                        until,
                        self._checkins.spread_minutes,
                        spot_checks=spots,
                        waking=(self._checkins.waking_start, self._checkins.waking_end),
                    ):
                        if planned_until is None and occ.due_at < now:
                            continue
                        values.append(
                            {
                                "case_id": case_id,
                                "kind": occ.kind,
                                "nominal_at": occ.nominal_at,
                                "due_at": occ.due_at,
                                "state": SCHEDULED,
                                "next_action_at": occ.due_at,
                                "step": None,
                                "answers": {},
                                "vitals": {},
                                "danger_signs": [],
                                "created_at": now,
                            }
                        )
                    plans.append({"case_id": case_id, "planned_until": until, "updated_at": now})
                if values:
                    await _insert_ignore(
                        session, Checkin, values, ["case_id", "kind", "nominal_at"]
                    )
                await _upsert_plans(session, plans)
                written += len(values)
                if len(rows) < BATCH:
                    return written

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
                        self._open_window(row, sent_at or now)
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
                        # Not known whether it arrived (a crash mid-call): give the person
                        # the window from now, as if it had.
                        self._open_window(row, now)
                        opened += 1
                if len(rows) < BATCH:
                    return opened, closed

    def _open_window(self, row: Checkin, sent_at: datetime) -> None:
        row.prompt_sent_at = sent_at
        if row.state != QUEUED:
            return
        row.state = OPEN
        if row.kind == SPOT:
            row.remind_at = None
            row.closes_at = sent_at + timedelta(minutes=self._checkins.spot_window_minutes)
            row.next_action_at = row.closes_at
        else:
            row.remind_at = sent_at + timedelta(minutes=self._checkins.reminder_minutes)
            row.closes_at = sent_at + timedelta(minutes=self._checkins.window_minutes)
            row.next_action_at = row.remind_at

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
                languages = await _languages(session, [case for _, case in rows])
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
                    language = languages.get(case.id, case.language)
                    queued.append((row, self._prompt(session, row, case, language, now)))
                    row.state, row.queued_at, row.next_action_at = QUEUED, now, None
                    row.step = LOCATION if row.kind == SPOT else FEELING
                    prompted += 1
                # One flush for the batch gives every outbox row its id.
                await session.flush()
                for row, message in queued:
                    row.prompt_outbox_id = message.id
                if len(rows) < BATCH:
                    return prompted, cancelled

    def _prompt(
        self, session: AsyncSession, row: Checkin, case: Case, language: str, now: datetime
    ) -> OutboxMessage:
        assert case.chat_id is not None
        if row.kind == SPOT:
            text = t(
                language,
                "spot.prompt",
                name=case.full_name,
                minutes=self._checkins.spot_window_minutes,
            )
            markup = location_keyboard(language)
        else:
            text = t(language, "checkin.prompt", name=case.full_name)
            markup = feeling_keyboard(language, row.id)
        return enqueue_text(
            session,
            chat_id=case.chat_id,
            text=text,
            priority=PRIORITY_PROMPT,
            purpose="checkin_prompt",
            now=now,
            reply_markup=markup,
            ref_id=row.id,
        )

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
                        .where(Checkin.state == OPEN, Checkin.next_action_at <= now)
                        .order_by(Checkin.next_action_at)
                        .limit(BATCH)
                        .with_for_update(of=Checkin, skip_locked=True)
                    )
                ).all()
                languages = await _languages(session, [case for _, case in rows])
                for row, case in rows:
                    assert row.closes_at is not None
                    if row.closes_at <= now:
                        row.state, row.outcome, row.next_action_at = CLOSED, MISSED, None
                        missed += 1
                        if await self._missed(session, row, case, now):
                            unreachable += 1
                        continue
                    if row.reminded_at is None and case.chat_id is not None:
                        language = languages.get(case.id, case.language)
                        enqueue_text(
                            session,
                            chat_id=case.chat_id,
                            text=t(language, "checkin.reminder", name=case.full_name),
                            priority=PRIORITY_PROMPT,
                            purpose="checkin_reminder",
                            now=now,
                            reply_markup=feeling_keyboard(language, row.id),
                            ref_id=row.id,
                        )
                        row.reminded_at = now
                        reminded += 1
                    row.next_action_at = row.closes_at
                if len(rows) < BATCH:
                    return reminded, missed, unreachable

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
                session,
                kind=alerts.UNREACHABLE,
                commune_code=case.commune_code,
                now=now,
                evidence={**evidence, "reason": "missed_rounds"},
                case_id=case.id,
            )
            return False
        if len(recent) >= rounds and all(outcome == MISSED for outcome in recent):
            case.unreachable_since = now
            await alerts.raise_alert(
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
            return True
        await alerts.raise_alert(
            session,
            kind=alerts.MISSED_CHECKIN,
            commune_code=case.commune_code,
            now=now,
            evidence=evidence,
            case_id=case.id,
        )
        return False

    # -- the person's side ------------------------------------------------------------

    async def start(self, chat_id: int, user_id: int, case_id: int | None = None) -> StartResult:
        """/checkin: resume the open check-in, answer the next round early, or a new one."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            cases = await _chat_cases(session, chat_id)
            language = await _chat_language(session, chat_id, cases)
            if not cases:
                return StartResult("not_a_case", language)
            if case_id is None and len(cases) > 1:
                choices = tuple(PersonChoice(c.id, c.full_name) for c in cases)
                return StartResult("choose", language, choices=choices)
            case = next((c for c in cases if case_id in (None, c.id)), None)
            if case is None:
                raise NotAuthorised()
            row = await self._current(session, case.id, now)
            if row is None:
                row = await self._early_or_manual(session, case, now)
            if row.step is None or row.step == FINISHED:
                row.step = FEELING
            question = self._question(row, case, language)
            await self._converse(session, user_id, chat_id, row, now)
            return StartResult("question", language, question=question)

    async def _current(self, session: AsyncSession, case_id: int, now: datetime) -> Checkin | None:
        """The case's check-in that is prompted and not finished, if any."""
        return await session.scalar(
            select(Checkin)
            .where(
                Checkin.case_id == case_id,
                or_(
                    Checkin.state.in_((QUEUED, OPEN)),
                    and_(Checkin.state == ANSWERED, Checkin.completed_at.is_(None)),
                ),
            )
            .order_by(Checkin.due_at.desc())
            .limit(1)
        )

    async def _early_or_manual(self, session: AsyncSession, case: Case, now: datetime) -> Checkin:
        """The next round if it is near (answered early), else an extra check-in."""
        early = now + timedelta(minutes=self._checkins.window_minutes)
        row = await session.scalar(
            select(Checkin)
            .where(
                Checkin.case_id == case.id,
                Checkin.state == SCHEDULED,
                Checkin.kind == SCHEDULED,
                Checkin.due_at <= early,
            )
            .order_by(Checkin.due_at)
            .limit(1)
        )
        if row is None:
            row = Checkin(
                case_id=case.id,
                kind=MANUAL,
                nominal_at=now,
                due_at=now,
                state=SCHEDULED,
                answers={},
                vitals={},
                danger_signs=[],
                created_at=now,
            )
            session.add(row)
        # The question shown now is the prompt: the window counts from it, and the tick
        # will not prompt this round again.
        row.state = QUEUED
        row.queued_at = now
        self._open_window(row, now)
        await session.flush()
        return row

    async def answer_button(
        self, chat_id: int, user_id: int, checkin_id: int, action: str, value: str
    ) -> StepResult:
        """A button of a check-in: how they feel, a symptom, or skipping a measurement."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            row, case, language = await self._owned(session, checkin_id, chat_id)
            if row.state == CLOSED or row.state == SCHEDULED:
                return StepResult("closed", case.full_name, language)
            if row.step == FINISHED or row.completed_at is not None:
                return StepResult("done", case.full_name, language)
            if action == "f" and value in FEELINGS and row.step == FEELING:
                self._mark_answered(row, case, now)
                row.answers = {**row.answers, "feeling": value}
                row.step = SYMPTOMS_STEP
            elif action == "s" and row.step == SYMPTOMS_STEP:
                chosen = list(row.answers.get("symptoms", []))
                if value == "done" or value == "none":
                    if value == "none":
                        chosen = []
                    row.answers = {**row.answers, "symptoms": chosen}
                    row.step = self._after(row, case, SYMPTOMS_STEP)
                elif value in SYMPTOMS:
                    chosen = (
                        [s for s in chosen if s != value] if value in chosen else [*chosen, value]
                    )
                    row.answers = {**row.answers, "symptoms": chosen}
                else:
                    return StepResult("busy", case.full_name, language)
            elif action == "k" and value == row.step and row.step in NUMBER_STEPS:
                step = row.step
                row.vitals = {**row.vitals, step: None}
                row.step = self._after(row, case, step)
            else:
                # An old button of a step already answered: kindly ignored.
                return StepResult("busy", case.full_name, language)
            danger = await self._triage(session, row, case, now)
            return await self._advance(session, row, case, language, user_id, chat_id, now, danger)

    async def answer_text(self, chat_id: int, user_id: int, text: str) -> StepResult:
        """A typed answer of the check-in the user is in (a number, or skipping location)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            state = await current_dialogue(session, user_id, now)
            if state is None or state.flow != FLOW:
                raise UserError("error.not_understood")
            row, case, language = await self._owned(session, int(state.data["checkin"]), chat_id)
            if row.state == CLOSED and row.answered_at is None:
                await end_dialogue(session, user_id)
                return StepResult("closed", case.full_name, language)
            step = row.step
            if step == LOCATION:
                if text.strip() == plain(language, "checkin.location_skip"):
                    row.answers = {**row.answers, "location": "skipped"}
                    if row.kind == SPOT:
                        self._mark_answered(row, case, now)
                    row.step = FINISHED
                    return await self._advance(
                        session, row, case, language, user_id, chat_id, now, ()
                    )
                return StepResult(
                    "retry", case.full_name, language, self._question(row, case, language)
                )
            if step not in NUMBER_STEPS:
                return StepResult(
                    "busy", case.full_name, language, self._question(row, case, language)
                )
            assert step is not None
            value = parse_number(text)
            measure = "spo2" if step == "spo2_again" else step
            if value is None or not in_range(measure, value):
                question = self._question(row, case, language)
                return StepResult("retry", case.full_name, language, question, retry=step)
            row.vitals = {**row.vitals, step: value}
            row.step = self._after(row, case, step)
            danger = await self._triage(session, row, case, now)
            return await self._advance(session, row, case, language, user_id, chat_id, now, danger)

    def _mark_answered(self, row: Checkin, case: Case, now: datetime) -> None:
        if row.answered_at is not None:
            return
        row.answered_at = now
        row.state, row.next_action_at = ANSWERED, None
        if row.kind != SCHEDULED or row.reminded_at is None:
            row.outcome = ON_TIME
        else:
            # Only the reminder brought the answer: on record as late, not as missed.
            row.outcome = LATE
        # Whoever answers is reachable again.
        case.unreachable_since = None

    def _after(self, row: Checkin, case: Case, step: str) -> str:
        """The step that follows `step` for this case."""
        if step == SYMPTOMS_STEP:
            return "temperature"
        if step == "temperature":
            return "spo2" if case.kind == "f0" else LOCATION
        if step == "spo2":
            value = row.vitals.get("spo2")
            if value is not None and spo2_is_low(value, self._settings.triage):
                return "spo2_again"
            return "breaths"
        if step == "spo2_again":
            return "breaths"
        if step == "breaths":
            return "pulse"
        return LOCATION

    async def _triage(
        self, session: AsyncSession, row: Checkin, case: Case, now: datetime
    ) -> tuple[str, ...]:
        """Raise the urgent alert for warning signs not raised before; returns them."""
        vitals = row.vitals
        # The first low SpO2 is only a cue to measure again; the second reading counts
        # (or the first, when the person cannot measure again).
        if "spo2_again" in vitals:
            spo2 = vitals["spo2_again"] if vitals["spo2_again"] is not None else vitals.get("spo2")
        else:
            spo2 = None if row.step == "spo2_again" else vitals.get("spo2")
        readings = Readings(
            symptoms=frozenset(row.answers.get("symptoms", [])),
            temperature=vitals.get("temperature"),
            spo2=spo2,
            breaths=vitals.get("breaths"),
            pulse=vitals.get("pulse"),
            age=age_in(case.birth_year, now.astimezone(self._tz).year),
        )
        found = new_signs(danger_signs(readings, self._settings.triage), row.danger_signs)
        if not found:
            return ()
        row.danger_signs = [*row.danger_signs, *found]
        await alerts.raise_alert(
            session,
            kind=alerts.DANGER_SIGNS,
            commune_code=case.commune_code,
            now=now,
            evidence={
                "checkin": row.id,
                "signs": list(found),
                "symptoms": [s for s in row.answers.get("symptoms", []) if s in DANGER_SYMPTOMS],
                "vitals": {k: v for k, v in vitals.items() if v is not None},
            },
            case_id=case.id,
        )
        return found

    async def _advance(
        self,
        session: AsyncSession,
        row: Checkin,
        case: Case,
        language: str,
        user_id: int,
        chat_id: int,
        now: datetime,
        danger: tuple[str, ...],
    ) -> StepResult:
        """Store the new step and say what to ask next (or that it is finished)."""
        if row.step == FINISHED:
            row.completed_at = now
            row.state, row.next_action_at = DONE, None
            await end_dialogue(session, user_id)
            return StepResult("ok", case.full_name, language, danger=danger, finished=True)
        await self._converse(session, user_id, chat_id, row, now)
        question = self._question(row, case, language)
        return StepResult("ok", case.full_name, language, question, danger=danger)

    async def _converse(
        self, session: AsyncSession, user_id: int, chat_id: int, row: Checkin, now: datetime
    ) -> None:
        state = DialogueState(user_id, chat_id, FLOW, row.step or FEELING, {"checkin": row.id})
        await save_dialogue(session, state, now)

    def _question(self, row: Checkin, case: Case, language: str) -> Question:
        chosen = tuple(row.answers.get("symptoms", []))
        return Question(
            row.id,
            case.id,
            case.full_name,
            language,
            row.step or FEELING,
            row.kind,
            chosen,
            row.vitals.get("spo2"),
        )

    async def _owned(
        self, session: AsyncSession, checkin_id: int, chat_id: int
    ) -> tuple[Checkin, Case, str]:
        """The check-in and its case, if it belongs to this chat (callbacks are re-checked)."""
        row = await session.get(Checkin, checkin_id, with_for_update=True)
        case = await session.get(Case, row.case_id) if row is not None else None
        if row is None or case is None or case.chat_id != chat_id:
            raise NotAuthorised()
        language = await _chat_language(session, chat_id, [case])
        return row, case, language

    # -- SOS --------------------------------------------------------------------------

    async def sos(self, chat_id: int, case_id: int | None = None) -> SosResult:
        """/sos: raise the most urgent alert for the chat's case (or ask which one)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            cases = await _chat_cases(session, chat_id)
            language = await _chat_language(session, chat_id, cases)
            if not cases:
                return SosResult("not_a_case", language)
            if case_id is None and len(cases) > 1:
                return SosResult(
                    "choose",
                    language,
                    choices=tuple(PersonChoice(c.id, c.full_name) for c in cases),
                )
            case = next((c for c in cases if case_id in (None, c.id)), None)
            if case is None:
                raise NotAuthorised()
            await alerts.raise_alert(
                session,
                kind=alerts.SOS,
                commune_code=case.commune_code,
                now=now,
                evidence={"source": "sos_command"},
                case_id=case.id,
            )
            return SosResult("raised", language, name=case.full_name)

    # -- locations ----------------------------------------------------------------------

    async def location(self, message: LocationInput) -> LocationResult:
        """A location message or live-location edit: evidence rules, verdict, alert, record."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            if message.edited:
                return await self._live_edit(session, message, now)
            cases, language = await _chat_cases_and_language(session, message.chat_id)
            if not cases:
                return LocationResult("not_a_case", language)
            targets = await self._location_targets(session, message, cases, now)
            if not targets:
                return LocationResult("which_person", language)
            replies = []
            keep_asking = False
            for case, row in targets:
                reply, again = await self._one_location(session, message, case, row, now)
                replies.append(replace(reply, finished=row is not None and not again))
                keep_asking = keep_asking or again
            return LocationResult("handled", language, tuple(replies), keep_asking)

    async def _location_targets(
        self, session: AsyncSession, message: LocationInput, cases: list[Case], now: datetime
    ) -> list[tuple[Case, Checkin | None]]:
        """Which cases (and their check-ins waiting for a location) a location counts for."""
        by_id = {case.id: case for case in cases}
        # With one person on the phone, the check-in waiting for a location is theirs; the
        # conversation says which person only when several share it.
        state = await current_dialogue(session, message.user_id, now) if len(cases) > 1 else None
        if state is not None and state.flow == FLOW:
            row = await session.get(Checkin, int(state.data["checkin"]))
            if row is not None and row.case_id in by_id:
                return [(by_id[row.case_id], row if row.step == LOCATION else None)]
        waiting = list(
            await session.scalars(
                select(Checkin).where(
                    Checkin.case_id.in_(list(by_id)),
                    Checkin.step == LOCATION,
                    Checkin.state.in_((QUEUED, OPEN, ANSWERED)),
                )
            )
        )
        if waiting:
            # A household on one phone: a spot check waits for each of them at one place.
            return [(by_id[row.case_id], row) for row in waiting]
        if len(cases) == 1:
            return [(cases[0], None)]
        return []

    async def _one_location(
        self,
        session: AsyncSession,
        message: LocationInput,
        case: Case,
        row: Checkin | None,
        now: datetime,
    ) -> tuple[LocationReply, bool]:
        """Judge one location for one case; returns the reply and whether to ask again."""
        geo = self._settings.geofence
        kind = (
            FixKind.LIVE
            if message.live_period
            else FixKind.CURRENT
            if message.accuracy_m is not None
            else FixKind.OTHER
        )
        fix = Fix(message.lat, message.lon, message.accuracy_m, message.date, kind)
        previous = await _last_fix(session, case.id)
        rejection = check_evidence(
            fix,
            forwarded=message.forwarded,
            is_venue=message.venue,
            message_date=message.date,
            now=now,
            previous=previous,
            settings=geo,
        )
        if rejection is not None:
            params = dict(rejection.params)
            shown = {"age_min": max(1, round(params.get("age_s", 0) / 60))}
            return LocationReply(
                "rejected",
                case.full_name,
                rejection_key=rejection.message_key,
                rejection_params=shown,
            ), True
        verdict = None
        if case.zone is not None and case.home_status == "set":
            verdict = judge(zone_from_dict(case.zone), fix, geo)
        stream = None
        if message.live_period:
            tracker = TrackerState()
            if verdict is not None:
                tracker = advance(tracker, fix, verdict, geo).state
            stream = LiveStream(
                case_id=case.id,
                chat_id=message.chat_id,
                message_id=message.message_id,
                checkin_id=row.id if row is not None else None,
                started_at=message.date,
                expires_at=message.date + timedelta(seconds=message.live_period),
                last_fix_at=fix.taken_at,
                stopped_early=False,
                tracker=tracker.to_dict(),
                last_fix=fix.to_dict(),
            )
            session.add(stream)
            await session.flush()
        session.add(
            LocationFix(
                case_id=case.id,
                checkin_id=row.id if row is not None else None,
                stream_id=stream.id if stream is not None else None,
                lat=fix.lat,
                lon=fix.lon,
                accuracy_m=fix.accuracy_m,
                taken_at=fix.taken_at,
                fix_kind=fix.kind.value,
                verdict=verdict.kind.value if verdict is not None else None,
                distance_m=verdict.distance_m if verdict is not None else None,
                weak=fix.accuracy_m is None,
                received_at=now,
            )
        )
        tries = int(row.answers.get("location_tries", 0)) + 1 if row is not None else 1
        uncertain = verdict is not None and verdict.kind is VerdictKind.UNCERTAIN
        # An uncertain fix is asked for once more; a live stream settles it by itself.
        again = uncertain and stream is None and tries < 2
        if row is not None:
            row.answers = {
                **row.answers,
                "location_tries": tries,
                "location": verdict.kind.value if verdict is not None else "recorded",
            }
            if not again:
                if row.kind == SPOT:
                    self._mark_answered(row, case, now)
                row.step = FINISHED
                row.completed_at = now
                row.state, row.next_action_at = DONE, None
                await end_dialogue(session, message.user_id)
        name = case.full_name
        if verdict is None:
            return LocationReply("live" if stream else "recorded", name), again
        distance = round(verdict.distance_m)
        if verdict.kind is VerdictKind.OUTSIDE and stream is None:
            await alerts.raise_alert(
                session,
                kind=alerts.OUT_OF_ZONE,
                commune_code=case.commune_code,
                now=now,
                evidence=_fix_evidence(fix, verdict.distance_m, verdict.accuracy_m, row),
                case_id=case.id,
            )
            return LocationReply("outside", name, distance), again
        if verdict.kind is VerdictKind.INSIDE:
            return LocationReply("inside", name, distance), again
        if stream is not None:
            return LocationReply("live", name, distance), again
        return LocationReply("uncertain", name, distance), again

    async def _live_edit(
        self, session: AsyncSession, message: LocationInput, now: datetime
    ) -> LocationResult:
        """One edit of a live location: hysteresis, then an alert or "back home"; silent."""
        geo = self._settings.geofence
        streams = list(
            await session.scalars(
                select(LiveStream)
                .where(
                    LiveStream.chat_id == message.chat_id,
                    LiveStream.message_id == message.message_id,
                )
                .with_for_update()
            )
        )
        language = self._settings.deployment.language
        for stream in streams:
            if stream.stopped_at is not None:
                continue
            if not message.live_period:
                # Telegram sends a last edit without live_period when sharing stops.
                stream.stopped_at = now
                stream.stopped_early = now < stream.expires_at
                continue
            case = await session.get(Case, stream.case_id)
            if case is None:
                continue
            fix = Fix(message.lat, message.lon, message.accuracy_m, message.date, FixKind.LIVE)
            previous = Fix.from_dict(stream.last_fix) if stream.last_fix else None
            rejection = check_evidence(
                fix,
                forwarded=False,
                is_venue=False,
                message_date=message.date,
                now=now,
                previous=previous,
                settings=geo,
            )
            if rejection is not None:
                continue
            stream.last_fix_at, stream.last_fix = fix.taken_at, fix.to_dict()
            if case.zone is None or case.home_status != "set":
                continue
            verdict = judge(zone_from_dict(case.zone), fix, geo)
            update = advance(TrackerState.from_dict(stream.tracker), fix, verdict, geo)
            if update.ignored:
                continue
            stream.tracker = update.state.to_dict()
            session.add(
                LocationFix(
                    case_id=case.id,
                    checkin_id=stream.checkin_id,
                    stream_id=stream.id,
                    lat=fix.lat,
                    lon=fix.lon,
                    accuracy_m=fix.accuracy_m,
                    taken_at=fix.taken_at,
                    fix_kind=FixKind.LIVE.value,
                    verdict=verdict.kind.value,
                    distance_m=verdict.distance_m,
                    weak=fix.accuracy_m is None,
                    received_at=now,
                )
            )
            if update.event is StreamEvent.BREACH:
                await alerts.raise_alert(
                    session,
                    kind=alerts.OUT_OF_ZONE,
                    commune_code=case.commune_code,
                    now=now,
                    evidence={
                        **_fix_evidence(fix, verdict.distance_m, verdict.accuracy_m, None),
                        "live": True,
                    },
                    case_id=case.id,
                )
            elif update.event is StreamEvent.RETURNED:
                await _back_home(session, case, now)
        return LocationResult("silent", language)

    # -- reading ------------------------------------------------------------------------

    async def checkins_of(self, case_id: int) -> list[CheckinView]:
        """A case's check-ins, oldest first."""
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(Checkin).where(Checkin.case_id == case_id).order_by(Checkin.due_at)
            )
            return [_view(row) for row in rows]

    async def next_checkin_at(self, case_id: int) -> datetime | None:
        """When the case will next be asked (for /status); None for a case not active."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            due = await session.scalar(
                select(Checkin.due_at)
                .where(Checkin.case_id == case_id, Checkin.state == SCHEDULED, Checkin.due_at > now)
                .order_by(Checkin.due_at)
                .limit(1)
            )
            if due is not None:
                return due
            case = await session.get(Case, case_id)
            if case is None or case.status != "active":
                return None
            times = case.checkin_times or self._checkins.times_for(case.kind)
            return next_round(times, self._tz, now, case.id, self._checkins.spread_minutes)

    async def set_times(
        self, officer_telegram_id: int, case_id: int, times: Sequence[str]
    ) -> tuple[str, ...]:
        """An officer gives one case its own check-in times (local "HH:MM"); empty resets."""
        now = self._clock.now()
        try:
            normalised = tuple(moment.strftime("%H:%M") for moment in parse_times(times))
        except ValueError:
            raise UserError("checkin.bad_times") from None
        async with self._db.transaction() as session:
            officer = await session.scalar(
                select(Officer).where(
                    Officer.telegram_user_id == officer_telegram_id, Officer.revoked_at.is_(None)
                )
            )
            case = await session.get(Case, case_id)
            if officer is None or case is None or not _may_change(officer, case):
                raise NotAuthorised()
            case.checkin_times = list(normalised) or None
            case.updated_at = now
            # Rounds not yet prompted are planned again from the new times.
            await session.execute(
                delete(Checkin).where(
                    Checkin.case_id == case.id,
                    Checkin.state == SCHEDULED,
                    Checkin.kind == SCHEDULED,
                )
            )
            await session.execute(delete(CheckinPlan).where(CheckinPlan.case_id == case.id))
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="case.checkin_times",
                subject_type="case",
                subject_id=case.id,
                times=list(normalised),
            )
            return normalised


# ---- helpers taking a session --------------------------------------------------------------


def _may_change(officer: Officer, case: Case) -> bool:
    if officer.role == "officer":
        return officer.commune_code == case.commune_code
    return officer.province_code == case.province_code


def _fix_evidence(
    fix: Fix, distance_m: float, accuracy_m: float, row: Checkin | None
) -> dict[str, Any]:
    # Coordinates go to the alert only (officers see the pin), never to logs or the audit.
    evidence: dict[str, Any] = {
        "lat": fix.lat,
        "lon": fix.lon,
        "distance_m": round(distance_m),
        "accuracy_m": round(accuracy_m),
        "weak": fix.accuracy_m is None,
    }
    if row is not None:
        evidence["checkin"] = row.id
    return evidence


async def _back_home(session: AsyncSession, case: Case, now: datetime) -> None:
    """A live stream came back inside: the alerts service updates the open alert."""
    hook = getattr(alerts, "note_back_home", None)
    if hook is not None:
        await hook(session, case.id, now)


async def _chat_cases(session: AsyncSession, chat_id: int) -> list[Case]:
    return list(
        await session.scalars(
            select(Case).where(Case.chat_id == chat_id, Case.status == "active").order_by(Case.id)
        )
    )


async def _chat_cases_and_language(session: AsyncSession, chat_id: int) -> tuple[list[Case], str]:
    """The chat's active cases and the language to answer in, in one query."""
    rows = (
        await session.execute(
            select(Case, UserPreference.language)
            .outerjoin(UserPreference, UserPreference.telegram_user_id == Case.chat_id)
            .where(Case.chat_id == chat_id, Case.status == "active")
            .order_by(Case.id)
        )
    ).all()
    cases = [case for case, _ in rows]
    if not rows:
        return cases, await _chat_language(session, chat_id, cases)
    return cases, rows[0][1] or cases[0].language


async def _chat_language(session: AsyncSession, chat_id: int, cases: Sequence[Case]) -> str:
    # In a private chat the chat id is the user's id: their /language choice wins.
    preference = await session.get(UserPreference, chat_id)
    if preference is not None:
        return preference.language
    return cases[0].language if cases else "vi"


async def _languages(session: AsyncSession, cases: Sequence[Case]) -> dict[int, str]:
    """Each case's reading language: its chat's /language choice, else the case's own."""
    chats = {case.chat_id for case in cases if case.chat_id is not None}
    if not chats:
        return {}
    result = await session.execute(
        select(UserPreference.telegram_user_id, UserPreference.language).where(
            UserPreference.telegram_user_id.in_(chats)
        )
    )
    chosen = {user_id: language for user_id, language in result}
    return {case.id: chosen.get(case.chat_id, case.language) for case in cases if case.chat_id}


async def _last_fix(session: AsyncSession, case_id: int) -> Fix | None:
    row = await session.scalar(
        select(LocationFix)
        .where(LocationFix.case_id == case_id)
        .order_by(LocationFix.taken_at.desc())
        .limit(1)
    )
    if row is None:
        return None
    return Fix(row.lat, row.lon, row.accuracy_m, row.taken_at, FixKind(row.fix_kind))


async def _insert_ignore(
    session: AsyncSession, model: type[Any], values: list[dict[str, Any]], keys: list[str]
) -> None:
    """Insert rows, skipping those whose unique key exists (another worker planned them)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # A list of parameters runs as executemany of one cached statement (SQLAlchemy batches
    # it into multi-row INSERTs itself); compiling a VALUES list per call costs far more.
    statement = dialect.insert(model).on_conflict_do_nothing(index_elements=keys)
    await session.execute(statement, values)


async def _upsert_plans(session: AsyncSession, plans: list[dict[str, Any]]) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(CheckinPlan)
    statement = statement.on_conflict_do_update(
        index_elements=["case_id"],
        set_={
            "planned_until": statement.excluded.planned_until,
            "updated_at": statement.excluded.updated_at,
        },
    )
    await session.execute(statement, plans)
