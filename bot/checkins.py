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
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot import alerts, audit
from bot.case_files import normalise_code
from bot.catalogue import plain, t
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.dialogues import (
    DIALOGUE_TTL,
    DialogueState,
    current_dialogue,
    end_dialogue,
    save_dialogue,
)
from bot.errors import NotAuthorised, UserError
from bot.messaging.outbox import (
    PRIORITY_PROMPT,
    PRIORITY_REPLY,
    callback_button,
    enqueue_text,
    inline_keyboard,
)
from bot.models import (
    Case,
    Checkin,
    CheckinPlan,
    Dialogue,
    LiveStream,
    LocationFix,
    Officer,
    OutboxMessage,
    UserPreference,
)
from bot.officers import require_officer
from bot.schedule import next_round, occurrences, parse_times
from bot.triage import (
    DANGER_SYMPTOMS,
    SPO2_LOW,
    SYMPTOMS,
    Readings,
    age_in,
    danger_signs,
    fold_label,
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
    Verdict,
    VerdictKind,
    advance,
    check_evidence,
    judge,
    zone_from_dict,
)

logger = logging.getLogger(__name__)

FLOW = "checkin"
# A location shared in a household's chat outside a check-in, waiting for "whose?".
WHERE_FLOW = "checkin_where"
WHERE_PREFIX = "cw:"
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
# answers["location"] of a check-in whose window closed without a usable location.
LOCATION_MISSING = "missing"

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
    unreadable: bool = False  # the retry is for a form not understood, not a value out of range
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

    # raised | choose (raised for the household; who is it?) | named | not_a_case
    status: str
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

    status: str  # handled | not_a_case | which_person | expired | other_flow | silent
    language: str
    replies: tuple[LocationReply, ...] = ()
    keep_asking: bool = False  # a check-in still waits for a (better) location
    choices: tuple[PersonChoice, ...] = ()  # which_person: the names to press


@dataclass(frozen=True)
class TimesPreview:
    """A case's check-in times now and as an officer wants them (local "HH:MM")."""

    case_id: int
    code: str
    name: str
    current: tuple[str, ...]
    new: tuple[str, ...]


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


# What people type instead of pressing a button, folded (see triage.fold_label): the button's
# label in either language is always understood; these short forms as well.
_TYPED = {
    "good": ("khoe", "binh thuong", "tot", "on", "well", "good", "fine", "ok"),
    "tired": ("hoi met", "met", "tired"),
    "bad": ("met nhieu", "rat met", "unwell", "very unwell", "bad"),
    "none": ("khong", "khong co", "khong co gi", "none", "no", "nothing"),
    "done": ("xong", "done"),
    "skip": ("khong", "khong co", "khong do duoc", "khong biet", "no", "none", "skip"),
    "location_skip": ("khong", "khong gui duoc", "no"),
}


@lru_cache(maxsize=256)
def _labels(language: str, key: str, kind: str) -> frozenset[str]:
    """The folded texts that count as the button `key` (its label in both languages)."""
    del language  # a label typed in the other language is understood as well
    labels = {fold_label(plain(lang, key)) for lang in ("vi", "en")}
    return frozenset(labels | set(_TYPED.get(kind, ())))


def _typed_button(language: str, step: str, typed: str) -> tuple[str, str] | None:
    """The (action, value) of the button whose label was typed, if any."""
    if step == FEELING:
        for feel in FEELINGS:
            if typed in _labels(language, f"checkin.feel.{feel}", feel):
                return "f", feel
        return None
    if typed in _labels(language, "checkin.symptoms.none", "none"):
        return "s", "none"
    if typed in _labels(language, "checkin.symptoms.done", "done"):
        return "s", "done"
    for symptom in SYMPTOMS:
        if typed in _labels(language, f"checkin.symptom.{symptom}", symptom):
            return "s", symptom
    return None


def _lapse(row: Checkin) -> None:
    """Close an answered check-in at its window's end, noting a location that never came."""
    if row.kind != MANUAL and row.answers.get("location") in (None, "uncertain"):
        row.answers = {**row.answers, "location": LOCATION_MISSING}
    row.step = FINISHED
    row.state, row.next_action_at = DONE, None


def _sign_list(language: str, signs: Sequence[str]) -> str:
    # Officers read "SpO2"; the person is told what it is.
    keys = ("checkin.person_sign." if s == SPO2_LOW else "checkin.sign." for s in signs)
    return ", ".join(plain(language, f"{key}{sign}") for key, sign in zip(keys, signs, strict=True))


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
        elif row.kind == MANUAL:
            # A voluntary /checkin is no round: never reminded, and it lapses quietly.
            row.remind_at = None
            row.closes_at = sent_at + timedelta(minutes=self._checkins.window_minutes)
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
                        .where(
                            Checkin.state.in_((OPEN, ANSWERED)),
                            Checkin.next_action_at <= now,
                        )
                        .order_by(Checkin.next_action_at)
                        .limit(BATCH)
                        .with_for_update(of=Checkin, skip_locked=True)
                    )
                ).all()
                languages = await _languages(session, [case for _, case in rows])
                for row, case in rows:
                    assert row.closes_at is not None
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
            if row.step == FINISHED or row.completed_at is not None or row.state == DONE:
                return StepResult("done", case.full_name, language)
            turn = _Turn(session, row, case, language, user_id, chat_id, now)
            return await self._press(turn, action, value)

    async def _press(self, turn: _Turn, action: str, value: str) -> StepResult:
        """One button (pressed, or its label typed) at the row's current step."""
        session, row, case, language, now = (
            turn.session,
            turn.row,
            turn.case,
            turn.language,
            turn.now,
        )
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
                chosen = [s for s in chosen if s != value] if value in chosen else [*chosen, value]
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
        return await self._advance(turn, danger)

    async def answer_text(self, chat_id: int, user_id: int, text: str) -> StepResult:
        """A typed answer of the check-in the user is in: a number, or a button's label."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            state = await current_dialogue(session, user_id, now)
            if state is None:
                state = await self._typed_first_answer(session, chat_id, user_id, text, now)
            if state is None or state.flow != FLOW:
                raise UserError("error.not_understood")
            row, case, language = await self._owned(session, int(state.data["checkin"]), chat_id)
            if row.state in (CLOSED, DONE) or row.step == FINISHED:
                await end_dialogue(session, user_id)
                status = "closed" if row.answered_at is None else "done"
                return StepResult(status, case.full_name, language)
            turn = _Turn(session, row, case, language, user_id, chat_id, now)
            step = row.step
            typed = fold_label(text)
            if step == LOCATION:
                if typed in _labels(language, "checkin.location_skip", "location_skip"):
                    row.answers = {**row.answers, "location": "skipped"}
                    if row.kind == SPOT:
                        self._mark_answered(row, case, now)
                    row.step = FINISHED
                    return await self._advance(turn, ())
                return StepResult(
                    "retry", case.full_name, language, self._question(row, case, language)
                )
            if step in (FEELING, SYMPTOMS_STEP):
                # A button's label typed instead of pressed counts as the press.
                pressed = _typed_button(language, step, typed)
                if pressed is None:
                    return StepResult(
                        "busy", case.full_name, language, self._question(row, case, language)
                    )
                action, pressed_value = pressed
                return await self._press(turn, action, pressed_value)
            if step not in NUMBER_STEPS:
                return StepResult(
                    "busy", case.full_name, language, self._question(row, case, language)
                )
            assert step is not None
            if typed in _labels(language, f"checkin.skip.{step}", "skip"):
                return await self._press(turn, "k", step)
            value = parse_number(text)
            measure = "spo2" if step == "spo2_again" else step
            if value is None or not in_range(measure, value):
                question = self._question(row, case, language)
                return StepResult(
                    "retry",
                    case.full_name,
                    language,
                    question,
                    retry=step,
                    unreadable=value is None,
                )
            row.vitals = {**row.vitals, step: value}
            row.step = self._after(row, case, step)
            danger = await self._triage(session, row, case, now)
            return await self._advance(turn, danger)

    def _mark_answered(self, row: Checkin, case: Case, now: datetime) -> None:
        if row.answered_at is not None:
            return
        row.answered_at = now
        if row.closes_at is None:
            row.closes_at = now + timedelta(minutes=self._checkins.window_minutes)
        # At the close the tick notes a location that never came (see _lapse).
        row.state, row.next_action_at = ANSWERED, row.closes_at
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

    async def _advance(self, turn: _Turn, danger: tuple[str, ...]) -> StepResult:
        """Store the new step and say what to ask next (or that it is finished)."""
        row, case, language, now = turn.row, turn.case, turn.language, turn.now
        if row.step == FINISHED:
            row.completed_at = now
            row.state, row.next_action_at = DONE, None
            await end_dialogue(turn.session, turn.user_id)
            return StepResult("ok", case.full_name, language, danger=danger, finished=True)
        await self._converse(turn.session, turn.user_id, turn.chat_id, row, now)
        question = self._question(row, case, language)
        return StepResult("ok", case.full_name, language, question, danger=danger)

    async def _typed_first_answer(
        self, session: AsyncSession, chat_id: int, user_id: int, text: str, now: datetime
    ) -> DialogueState | None:
        """A prompt's "how do you feel" button typed rather than pressed, before any press.

        Counted when the chat has exactly one prompt waiting for that first answer, so a
        typed "Bình thường" is never put on the wrong person of a household.
        """
        cases = await _chat_cases(session, chat_id)
        waiting = []
        for case in cases:
            row = await self._current(session, case.id, now)
            if row is not None and row.answered_at is None and row.step in (None, FEELING):
                waiting.append((row, case))
        if len(waiting) != 1:
            return None
        row, case = waiting[0]
        language = await _chat_language(session, chat_id, cases)
        if row.kind == SPOT or _typed_button(language, FEELING, fold_label(text)) is None:
            return None
        row.step = FEELING
        await self._converse(session, user_id, chat_id, row, now)
        return DialogueState(user_id, chat_id, FLOW, FEELING, {"checkin": row.id})

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
        """/sos: raise the most urgent alert at once; a household then says who needs help.

        Several people on one phone: nobody can know yet who pressed it, so every active case
        of the chat gets its SOS alert at once (each card names its person, home and phone,
        so the station can call right away); the name pressed afterwards is added to that
        person's alert. Waiting for the name first could delay help behind a button.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            cases = await _chat_cases(session, chat_id)
            language = await _chat_language(session, chat_id, cases)
            if not cases:
                return SosResult("not_a_case", language)
            if case_id is not None:
                case = next((c for c in cases if c.id == case_id), None)
                if case is None:
                    raise NotAuthorised()
                await alerts.raise_alert(
                    session,
                    kind=alerts.SOS,
                    commune_code=case.commune_code,
                    now=now,
                    evidence={"source": "sos_named"},
                    case_id=case.id,
                )
                return SosResult("named", language, name=case.full_name)
            household = len(cases) > 1
            for case in cases:
                evidence: dict[str, Any] = {"source": "sos_command"}
                if household:
                    evidence["household"] = len(cases)
                await alerts.raise_alert(
                    session,
                    kind=alerts.SOS,
                    commune_code=case.commune_code,
                    now=now,
                    evidence=evidence,
                    case_id=case.id,
                )
            if household:
                choices = tuple(PersonChoice(c.id, c.full_name) for c in cases)
                return SosResult("choose", language, choices=choices)
            return SosResult("raised", language, name=cases[0].full_name)

    # -- locations ----------------------------------------------------------------------

    async def location(self, message: LocationInput) -> LocationResult:
        """A location message or live-location edit: evidence rules, verdict, alert, record.

        The hot path of every location check-in runs on a plain Core connection: one query
        for the chat's cases (each with its waiting check-in and last fix), the user's
        conversation and the language; one INSERT of the fix; one UPDATE of the check-in;
        the commit. An ORM session joins the same transaction only for the rare extras
        (an alert, a live stream's start, a household's "whose location?").
        """
        now = self._clock.now()
        if message.edited:
            async with self._db.transaction() as session:
                return await self._live_edit(session, message, now)
        async with _unit(self._db) as unit:
            people, language, state = await _chat_people(
                unit.connection, message.chat_id, message.user_id, now
            )
            unit.flow = state.flow if state is not None else None
            if state is not None and state.flow not in (FLOW, WHERE_FLOW):
                # Another conversation asked for this location (e.g. anchoring the home).
                return LocationResult("other_flow", language)
            if not people:
                return LocationResult("not_a_case", language)
            targets = await self._location_targets(unit, people, state)
            if not targets:
                # Several people on one phone and none is asked for a location: ask whose
                # it is; the location waits in the conversation until a name is pressed.
                where = DialogueState(
                    message.user_id,
                    message.chat_id,
                    WHERE_FLOW,
                    "which",
                    {"location": _location_data(message)},
                )
                await save_dialogue(await unit.session(), where, now)
                choices = tuple(PersonChoice(p.id, p.name) for p in people)
                return LocationResult("which_person", language, choices=choices)
            return await self._judge_all(unit, message, targets, language, now)

    async def location_for(self, chat_id: int, user_id: int, case_id: int) -> LocationResult:
        """The name pressed for a location shared in a household's chat: judge it for them."""
        now = self._clock.now()
        async with _unit(self._db) as unit:
            people, language, state = await _chat_people(unit.connection, chat_id, user_id, now)
            person = next((p for p in people if p.id == case_id), None)
            if person is None:
                raise NotAuthorised()
            if state is None or state.flow != WHERE_FLOW or "location" not in state.data:
                return LocationResult("expired", language)
            await end_dialogue(await unit.session(), user_id)
            unit.flow = None
            message = _location_from(state.data["location"], chat_id, user_id)
            return await self._judge_all(unit, message, [(person, person.waiting)], language, now)

    async def _judge_all(
        self,
        unit: _Unit,
        message: LocationInput,
        targets: Sequence[tuple[_Person, _Waiting | None]],
        language: str,
        now: datetime,
    ) -> LocationResult:
        replies = []
        keep_asking = False
        for person, waiting in targets:
            reply, again = await self._one_location(unit, message, person, waiting, now)
            replies.append(replace(reply, finished=waiting is not None and not again))
            keep_asking = keep_asking or again
        return LocationResult("handled", language, tuple(replies), keep_asking)

    async def _location_targets(
        self, unit: _Unit, people: Sequence[_Person], state: DialogueState | None
    ) -> list[tuple[_Person, _Waiting | None]]:
        """Which cases (and their check-ins waiting for a location) a location counts for."""
        # With one person on the phone, the check-in waiting for a location is theirs; the
        # conversation says which person only when several share it.
        if len(people) > 1 and state is not None and state.flow == FLOW:
            wanted = int(state.data["checkin"])
            for person in people:
                if person.waiting is not None and person.waiting.id == wanted:
                    return [(person, person.waiting)]
            owner = await unit.connection.scalar(
                select(_CHECKINS.c.case_id).where(_CHECKINS.c.id == wanted)
            )
            for person in people:
                if person.id == owner:
                    return [(person, None)]
        waiting_people: list[tuple[_Person, _Waiting | None]] = [
            (p, p.waiting) for p in people if p.waiting is not None
        ]
        if waiting_people:
            # A household on one phone: a spot check waits for each of them at one place.
            return waiting_people
        if len(people) == 1:
            return [(people[0], None)]
        return []

    async def _one_location(
        self,
        unit: _Unit,
        message: LocationInput,
        person: _Person,
        waiting: _Waiting | None,
        now: datetime,
    ) -> tuple[LocationReply, bool]:
        """Judge one location for one case; returns the reply and whether to ask again.

        The hot path of every location check-in: plain Core statements on the session's
        connection (no ORM objects, no flushes), after the one context query.
        """
        geo = self._settings.geofence
        kind = (
            FixKind.LIVE
            if message.live_period
            else FixKind.CURRENT
            if message.accuracy_m is not None
            else FixKind.OTHER
        )
        fix = Fix(message.lat, message.lon, message.accuracy_m, message.date, kind)
        rejection = check_evidence(
            fix,
            forwarded=message.forwarded,
            is_venue=message.venue,
            message_date=message.date,
            now=now,
            previous=person.last_fix,
            settings=geo,
        )
        if rejection is not None:
            params = dict(rejection.params)
            shown = {"age_min": max(1, round(params.get("age_s", 0) / 60))}
            return LocationReply(
                "rejected",
                person.name,
                rejection_key=rejection.message_key,
                rejection_params=shown,
            ), True
        verdict = None
        if person.zone is not None and person.home_status == "set":
            verdict = judge(zone_from_dict(person.zone), fix, geo)
        checkin_id = waiting.id if waiting is not None else None
        stream_id = None
        if message.live_period:
            tracker = TrackerState()
            if verdict is not None:
                tracker = advance(tracker, fix, verdict, geo).state
            stream_id = (
                await unit.write(
                    _INSERT_STREAM,
                    {
                        "case_id": person.id,
                        "chat_id": message.chat_id,
                        "message_id": message.message_id,
                        "checkin_id": checkin_id,
                        "started_at": message.date,
                        "expires_at": message.date + timedelta(seconds=message.live_period),
                        "last_fix_at": fix.taken_at,
                        "stopped_early": False,
                        "tracker": tracker.to_dict(),
                        "last_fix": fix.to_dict(),
                    },
                )
            ).scalar_one()
        fix_row = {
            "case_id": person.id,
            "checkin_id": checkin_id,
            "stream_id": stream_id,
            "lat": fix.lat,
            "lon": fix.lon,
            "accuracy_m": fix.accuracy_m,
            "taken_at": fix.taken_at,
            "fix_kind": fix.kind.value,
            "verdict": verdict.kind.value if verdict is not None else None,
            "distance_m": verdict.distance_m if verdict is not None else None,
            "weak": fix.accuracy_m is None,
            "received_at": now,
        }
        # PostgreSQL writes the fix with the check-in's answer in one statement (below).
        together = waiting is not None and not self._db.settings.is_sqlite
        if not together:
            await unit.write_last(_INSERT_FIX, fix_row)
        tries = int(waiting.answers.get("location_tries", 0)) + 1 if waiting is not None else 1
        uncertain = verdict is not None and verdict.kind is VerdictKind.UNCERTAIN
        # An uncertain fix is asked for once more; a live stream settles it by itself.
        again = uncertain and stream_id is None and tries < 2
        if waiting is not None:
            await self._location_answered(
                unit,
                message,
                person,
                waiting,
                verdict,
                tries,
                again,
                now,
                fix_row if together else None,
            )
        name = person.name
        if verdict is None:
            return LocationReply("live" if stream_id else "recorded", name), again
        distance = round(verdict.distance_m)
        if verdict.kind is VerdictKind.OUTSIDE and stream_id is None:
            await alerts.raise_alert(
                await unit.session(),
                kind=alerts.OUT_OF_ZONE,
                commune_code=person.commune_code,
                now=now,
                evidence=_fix_evidence(fix, verdict.distance_m, verdict.accuracy_m, checkin_id),
                case_id=person.id,
            )
            return LocationReply("outside", name, distance), again
        if verdict.kind is VerdictKind.INSIDE:
            return LocationReply("inside", name, distance), again
        if stream_id is not None:
            return LocationReply("live", name, distance), again
        return LocationReply("uncertain", name, distance), again

    async def _location_answered(
        self,
        unit: _Unit,
        message: LocationInput,
        person: _Person,
        waiting: _Waiting,
        verdict: Verdict | None,
        tries: int,
        again: bool,
        now: datetime,
        fix_row: dict[str, Any] | None,
    ) -> None:
        """Write the location step of the waiting check-in (one UPDATE).

        With `fix_row` (PostgreSQL), the fix's INSERT and the conversation's end go in the
        same statement as data-modifying CTEs: one round trip instead of three.
        """
        # Still waiting for a better fix: answered, and the tick looks again at the close.
        closes_at = waiting.closes_at or now + timedelta(minutes=self._checkins.window_minutes)
        values: dict[str, Any] = {
            "checkin_id": waiting.id,
            "answers": {
                **waiting.answers,
                "location_tries": tries,
                "location": verdict.kind.value if verdict is not None else "recorded",
            },
            "step": LOCATION,
            "state": ANSWERED,
            "completed_at": None,
            "next_action_at": closes_at,
            # Kept when already set (COALESCE in the statement).
            "answered_at": None,
            "outcome": None,
        }
        if waiting.kind == SPOT and waiting.answered_at is None:
            # A spot check is answered by any usable fix, even one to be sent again.
            values.update(answered_at=now, outcome=ON_TIME)
            if person.unreachable:
                await unit.write(
                    update(_CASES).where(_CASES.c.id == person.id).values(unreachable_since=None),
                    {},
                )
        end = False
        if not again:
            values.update(step=FINISHED, completed_at=now, state=DONE, next_action_at=None)
            # The check-in conversation ends with it (no statement when there is none).
            end = unit.flow == FLOW
            if end:
                unit.flow = None
        if fix_row is not None:
            values.update({f"fix_{key}": value for key, value in fix_row.items()})
            values["user_id"] = message.user_id
            await unit.write_last(_ANSWER_WITH_FIX[end], values)
            return
        if end:
            await unit.write(_END_DIALOGUE, {"user_id": message.user_id})
        await unit.write_last(_UPDATE_LOCATION_STEP, values)

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
            step = advance(TrackerState.from_dict(stream.tracker), fix, verdict, geo)
            if step.ignored:
                continue
            stream.tracker = step.state.to_dict()
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
            if step.event is StreamEvent.BREACH:
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
                if case.chat_id is not None:
                    # The person is told too, kindly and plainly, not only the station.
                    language = await _chat_language(session, case.chat_id, [case])
                    enqueue_text(
                        session,
                        chat_id=case.chat_id,
                        text=t(language, "location.breach", name=case.full_name),
                        priority=PRIORITY_REPLY,
                        purpose="location_breach",
                        now=now,
                        ref_id=case.id,
                    )
            elif step.event is StreamEvent.RETURNED:
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

    async def times_preview(
        self, officer_telegram_id: int, code: str, times: Sequence[str]
    ) -> TimesPreview:
        """/times <code> HH:MM ...: what would change, for the officer to confirm."""
        normalised = normalise_times(times)
        async with self._db.transaction() as session:
            officer = await require_officer(session, officer_telegram_id)
            wanted = normalise_code(code)
            case = await session.scalar(select(Case).where(Case.code == wanted)) if wanted else None
            if case is None or not _may_change(officer, case):
                # The same answer for "no such case" and "not yours": codes reveal nothing.
                raise UserError("cases.not_found", code=wanted or code.strip()[:12])
            if case.status not in ("active", "pending"):
                raise UserError("checkin.times_closed", code=case.code)
            current = tuple(case.checkin_times or self._checkins.times_for(case.kind))
            return TimesPreview(case.id, case.code, case.full_name, current, normalised)

    async def set_times(
        self, officer_telegram_id: int, case_id: int, times: Sequence[str]
    ) -> tuple[str, ...]:
        """An officer gives one case its own check-in times (local "HH:MM"); empty resets."""
        now = self._clock.now()
        normalised = normalise_times(times)
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


_HHMM = re.compile(r"^(\d{1,2})(?:[:h.](\d{2})?)?$")
MAX_TIMES = 6


def normalise_times(times: Sequence[str]) -> tuple[str, ...]:
    """ "8:00", "08:00", "8h", "17h30" as sorted "HH:MM" without repeats; refused when wrong."""
    found = []
    for value in times:
        match = _HHMM.match(value.strip().lower())
        hour, minute = (int(match.group(1)), int(match.group(2) or 0)) if match else (99, 0)
        if hour > 23 or minute > 59:
            raise UserError("checkin.bad_times", value=value[:10])
        found.append(f"{hour:02d}:{minute:02d}")
    normalised = tuple(moment.strftime("%H:%M") for moment in parse_times(found))
    if len(normalised) > MAX_TIMES:
        raise UserError("checkin.bad_times", value=str(len(normalised)))
    return normalised


# ---- helpers taking a session --------------------------------------------------------------


def _may_change(officer: Officer, case: Case) -> bool:
    if officer.role == "officer":
        return officer.commune_code == case.commune_code
    return officer.province_code == case.province_code


def _fix_evidence(
    fix: Fix, distance_m: float, accuracy_m: float, checkin_id: int | None
) -> dict[str, Any]:
    # Coordinates go to the alert only (officers see the pin), never to logs or the audit.
    evidence: dict[str, Any] = {
        "lat": fix.lat,
        "lon": fix.lon,
        "distance_m": round(distance_m),
        "accuracy_m": round(accuracy_m),
        "weak": fix.accuracy_m is None,
    }
    if checkin_id is not None:
        evidence["checkin"] = checkin_id
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


# ---- the location hot path: plain Core statements, built once -----------------------------

_CASES = cast(Table, Case.__table__)
_CHECKINS = cast(Table, Checkin.__table__)
_FIXES = cast(Table, LocationFix.__table__)
_STREAMS = cast(Table, LiveStream.__table__)
_PREFERENCES = cast(Table, UserPreference.__table__)
_DIALOGUES = cast(Table, Dialogue.__table__)

_INSERT_FIX = insert(_FIXES)
_INSERT_STREAM = insert(_STREAMS).returning(_STREAMS.c.id)
# One statement for every location answer (a statement built per call costs more than
# the database's own work).
_UPDATE_LOCATION_STEP = (
    update(_CHECKINS)
    .where(_CHECKINS.c.id == bindparam("checkin_id"))
    .values(
        answers=bindparam("answers", type_=_CHECKINS.c.answers.type),
        step=bindparam("step"),
        state=bindparam("state"),
        completed_at=bindparam("completed_at", type_=_CHECKINS.c.completed_at.type),
        next_action_at=bindparam("next_action_at", type_=_CHECKINS.c.next_action_at.type),
        answered_at=func.coalesce(
            _CHECKINS.c.answered_at,
            bindparam("answered_at", type_=_CHECKINS.c.answered_at.type),
        ),
        outcome=func.coalesce(
            _CHECKINS.c.outcome, bindparam("outcome", type_=_CHECKINS.c.outcome.type)
        ),
    )
)
_END_DIALOGUE = delete(_DIALOGUES).where(
    _DIALOGUES.c.telegram_user_id == bindparam("user_id"), _DIALOGUES.c.flow == FLOW
)
# A chat without an active case: its language and the user's conversation, if any.
_FIX_COLUMNS = (
    "case_id",
    "checkin_id",
    "stream_id",
    "lat",
    "lon",
    "accuracy_m",
    "taken_at",
    "fix_kind",
    "verdict",
    "distance_m",
    "weak",
    "received_at",
)


def _answer_with_fix(end_dialogue: bool) -> Any:
    """PostgreSQL: INSERT the fix (and end the conversation) in the check-in's UPDATE."""
    fix = insert(_FIXES).values(
        {name: bindparam(f"fix_{name}", type_=_FIXES.c[name].type) for name in _FIX_COLUMNS}
    )
    statement = _UPDATE_LOCATION_STEP.add_cte(fix.cte("new_fix"))
    if end_dialogue:
        ended = _END_DIALOGUE.cte("ended")
        statement = statement.add_cte(ended)
    return statement


_ANSWER_WITH_FIX = {False: _answer_with_fix(False), True: _answer_with_fix(True)}
_NO_CASE = select(
    select(_PREFERENCES.c.language)
    .where(_PREFERENCES.c.telegram_user_id == bindparam("chat_id"))
    .scalar_subquery(),
    *(
        select(column)
        .where(_DIALOGUES.c.telegram_user_id == bindparam("user_id"))
        .scalar_subquery()
        for column in (
            _DIALOGUES.c.flow,
            _DIALOGUES.c.step,
            _DIALOGUES.c.data,
            _DIALOGUES.c.updated_at,
        )
    ),
)


def _people_statement() -> Any:
    """The chat's active cases, its language, each one's waiting check-in and last fix."""
    cases, checkins, fixes, prefs = _CASES.c, _CHECKINS.c, _FIXES.c, _PREFERENCES.c
    dialogues = _DIALOGUES.c
    last_fix_id = (
        select(fixes.id)
        .where(fixes.case_id == cases.id)
        .order_by(fixes.taken_at.desc(), fixes.id.desc())
        .limit(1)
        .correlate(_CASES)
        .scalar_subquery()
    )
    joined = (
        _CASES.outerjoin(_PREFERENCES, prefs.telegram_user_id == cases.chat_id)
        .outerjoin(
            _CHECKINS,
            and_(
                checkins.case_id == cases.id,
                checkins.step == LOCATION,
                # Not IN (...): an expanding IN is rendered again at every execution.
                or_(checkins.state == QUEUED, checkins.state == OPEN, checkins.state == ANSWERED),
            ),
        )
        .outerjoin(_FIXES, fixes.id == last_fix_id)
        .outerjoin(_DIALOGUES, dialogues.telegram_user_id == bindparam("user_id"))
    )
    return (
        select(
            cases.id,
            cases.full_name,
            cases.zone,
            cases.home_status,
            cases.commune_code,
            cases.language,
            cases.unreachable_since,
            prefs.language,
            checkins.id,
            checkins.kind,
            checkins.answers,
            checkins.closes_at,
            checkins.answered_at,
            fixes.lat,
            fixes.lon,
            fixes.accuracy_m,
            fixes.taken_at,
            fixes.fix_kind,
            dialogues.flow,
            dialogues.step,
            dialogues.data,
            dialogues.updated_at,
        )
        .select_from(joined)
        .where(cases.chat_id == bindparam("chat_id"), cases.status == "active")
        .order_by(cases.id, checkins.due_at.desc())
    )


_PEOPLE = _people_statement()


@dataclass(frozen=True)
class _Turn:
    """One answer to a check-in question: the unit's session, the check-in and its case,
    the language to reply in, who answers in which chat, and when."""

    session: AsyncSession
    row: Checkin
    case: Case
    language: str
    user_id: int
    chat_id: int
    now: datetime


@dataclass(frozen=True)
class _Waiting:
    """A check-in of the case at its location step."""

    id: int
    kind: str
    answers: dict[str, Any]
    closes_at: datetime | None
    answered_at: datetime | None


@dataclass(frozen=True)
class _Person:
    """A case of the chat as the location path needs it."""

    id: int
    name: str
    zone: dict[str, Any] | None
    home_status: str
    commune_code: int
    unreachable: bool
    waiting: _Waiting | None
    last_fix: Fix | None


async def _chat_people(
    connection: AsyncConnection, chat_id: int, user_id: int, now: datetime
) -> tuple[list[_Person], str, DialogueState | None]:
    """The chat's active cases with what a location needs, the language to answer in and
    the user's conversation: one query (two when the chat has no case)."""
    rows = (await connection.execute(_PEOPLE, {"chat_id": chat_id, "user_id": user_id})).all()
    people: list[_Person] = []
    for row in rows:
        (case_id, name, zone, home, commune, _, unreachable, _, checkin_id, kind, answers) = row[
            :11
        ]
        if people and people[-1].id == case_id:
            continue  # an older waiting check-in of the same case
        waiting = (
            _Waiting(checkin_id, kind, dict(answers or {}), row[11], row[12])
            if checkin_id is not None
            else None
        )
        last = (
            Fix(row[13], row[14], row[15], row[16], FixKind(row[17]))
            if row[13] is not None
            else None
        )
        people.append(
            _Person(case_id, name, zone, home, commune, unreachable is not None, waiting, last)
        )
    if rows:
        first = rows[0]
        # In a private chat the chat id is the user's id: their /language choice wins.
        language, dialogue = first[7] or first[5], first[18:]
    else:
        alone = (
            await connection.execute(_NO_CASE, {"chat_id": chat_id, "user_id": user_id})
        ).first()
        language = (alone[0] if alone is not None else None) or "vi"
        dialogue = alone[1:] if alone is not None else (None, None, None, None)
    flow, step, data, updated_at = dialogue
    state = None
    if flow is not None and updated_at + DIALOGUE_TTL >= now:
        state = DialogueState(user_id, chat_id, flow, step, dict(data or {}))
    return people, language, state


class _Unit:
    """A unit of work on a Core connection; an ORM session joins its transaction on demand.

    On PostgreSQL the unit reads outside a transaction and opens one only for a second
    write: a location check-in (one read, then one statement writing the fix, the check-in
    and the conversation's end together) then costs two round trips, not four (BEGIN and
    COMMIT). A single statement is atomic on its own, so nothing can be half-written; any
    write that may be followed by another goes through `write`, which opens the
    transaction first. SQLite opens its transaction by itself at the first write.
    """

    def __init__(self, connection: AsyncConnection, *, deferred_begin: bool) -> None:
        self.connection = connection
        self.flow: str | None = None  # the user's conversation, as read with the cases
        self._session: AsyncSession | None = None
        self._outside = deferred_begin  # True while no transaction is open (PostgreSQL)
        self._last: tuple[Any, dict[str, Any]] | None = None

    async def _begin(self) -> None:
        if self._outside:
            self._outside = False
            connection = self.connection
            # Ends SQLAlchemy's own record of the reads (nothing on the server); the next
            # statement opens the transaction, at the engine's isolation level.
            await connection.commit()
            await connection.execution_options(
                isolation_level=connection.dialect.default_isolation_level
            )
            await connection.begin()  # for an ORM session to join (not to own and roll back)
        if self._last is not None:
            statement, params = self._last
            self._last = None
            await self.connection.execute(statement, params)

    async def write(self, statement: Any, params: dict[str, Any]) -> Any:
        """Execute a write inside the unit's transaction (opened now if need be)."""
        await self._begin()
        return await self.connection.execute(statement, params)

    async def write_last(self, statement: Any, params: dict[str, Any]) -> None:
        """A write that may be the unit's only one: held back, and run alone if it is."""
        if not self._outside:
            await self.connection.execute(statement, params)
            return
        if self._last is not None:
            await self._begin()
        self._last = (statement, params)

    async def session(self) -> AsyncSession:
        """An ORM session on the same connection and transaction (for alerts, dialogues)."""
        await self._begin()
        if self._session is None:
            self._session = AsyncSession(bind=self.connection)
        return self._session

    async def finish(self, ok: bool) -> None:
        """Write what is left (on success) and let go of the session; the caller commits."""
        if ok and self._last is not None:
            statement, params = self._last
            self._last = None
            await self.connection.execute(statement, params)
        if self._session is not None:
            if ok:
                await self._session.flush()
            await self._session.close()


@asynccontextmanager
async def _unit(db: Database) -> AsyncIterator[_Unit]:
    """A unit of work: committed on success, rolled back on any error."""
    async with db.engine.connect() as connection:
        deferred = not db.settings.is_sqlite
        if deferred:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.begin()
        unit = _Unit(connection, deferred_begin=deferred)
        try:
            yield unit
            await unit.finish(ok=True)
        except BaseException:
            await unit.finish(ok=False)
            await connection.rollback()
            raise
        await connection.commit()


def _location_data(message: LocationInput) -> dict[str, Any]:
    """A location kept in a conversation (the database only; never logged)."""
    return {
        "message_id": message.message_id,
        "lat": message.lat,
        "lon": message.lon,
        "accuracy_m": message.accuracy_m,
        "date": message.date.isoformat(),
        "live_period": message.live_period,
    }


def _location_from(data: dict[str, Any], chat_id: int, user_id: int) -> LocationInput:
    return LocationInput(
        chat_id=chat_id,
        user_id=user_id,
        message_id=int(data["message_id"]),
        lat=float(data["lat"]),
        lon=float(data["lon"]),
        accuracy_m=data["accuracy_m"],
        date=datetime.fromisoformat(data["date"]),
        live_period=data["live_period"],
    )
