"""The questionnaire: how the person feels, symptoms, measurements, then the location step.

The questionnaire's position lives in the row (`step`), and the user's conversation (the
"checkin" flow) names the row, so any process can take the next answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import steps
from bot.checkins.chats import chat_cases, chat_language
from bot.checkins.rounds import open_window
from bot.checkins.typed import labels, typed_button
from bot.checkins.values import (
    ANSWERED,
    CLOSED,
    DONE,
    FEELING,
    FEELINGS,
    FINISHED,
    FLOW,
    LOCATION,
    MANUAL,
    NUMBER_STEPS,
    OPEN,
    QUEUED,
    SCHEDULED,
    SPOT,
    SYMPTOMS_STEP,
    PersonChoice,
    StartResult,
    StartStatus,
    StepResult,
    StepStatus,
)
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.dialogues import DialogueState, current_dialogue, end_dialogue, save_dialogue
from bot.errors import NotAuthorised, UserError
from bot.models import Case, Checkin
from bot.triage import SYMPTOMS, fold_label, in_range, parse_number


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


class Questionnaire:
    """Asks a check-in's questions one step at a time and records the answers."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._checkins = settings.checkins

    async def start(self, chat_id: int, user_id: int, case_id: int | None = None) -> StartResult:
        """/checkin: resume the open check-in, answer the next round early, or a new one."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            cases = await chat_cases(session, chat_id)
            language = await chat_language(session, chat_id, cases)
            if not cases:
                return StartResult(StartStatus.NOT_A_CASE, language)
            if case_id is None and len(cases) > 1:
                choices = tuple(PersonChoice(c.id, c.full_name) for c in cases)
                return StartResult(StartStatus.CHOOSE, language, choices=choices)
            case = next((c for c in cases if case_id in (None, c.id)), None)
            if case is None:
                raise NotAuthorised()
            row = await self._current(session, case.id, now)
            if row is None:
                row = await self._early_or_manual(session, case, now)
            if row.step is None or row.step == FINISHED:
                row.step = FEELING
            question = steps.question(row, case, language, now)
            await self._converse(session, user_id, chat_id, row, now)
            return StartResult(StartStatus.QUESTION, language, question=question)

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
        open_window(row, now, self._checkins)
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
                return StepResult(StepStatus.CLOSED, case.full_name, language)
            if row.step == FINISHED or row.completed_at is not None or row.state == DONE:
                return StepResult(StepStatus.DONE, case.full_name, language)
            turn = _Turn(session, row, case, language, user_id, chat_id, now)
            return await self._press(turn, action, value)

    async def _press(self, turn: _Turn, action: str, value: str) -> StepResult:
        """One button (pressed, or its label typed) at the row's current step."""
        row, case, language, now = turn.row, turn.case, turn.language, turn.now
        if action == "f" and value in FEELINGS and row.step == FEELING:
            steps.mark_answered(row, case, now, self._checkins.window_minutes)
            row.answers = {**row.answers, "feeling": value}
            row.step = SYMPTOMS_STEP
        elif action == "s" and row.step == SYMPTOMS_STEP:
            chosen = list(row.answers.get("symptoms", []))
            if value == "done" or value == "none":
                if value == "none":
                    chosen = []
                row.answers = {**row.answers, "symptoms": chosen}
                row.step = steps.step_after(row, case, SYMPTOMS_STEP, self._settings)
            elif value in SYMPTOMS:
                chosen = [s for s in chosen if s != value] if value in chosen else [*chosen, value]
                row.answers = {**row.answers, "symptoms": chosen}
            else:
                return StepResult(StepStatus.BUSY, case.full_name, language)
        elif action == "k" and value == row.step and row.step in NUMBER_STEPS:
            step = row.step
            row.vitals = {**row.vitals, step: None}
            row.step = steps.step_after(row, case, step, self._settings)
        else:
            # An old button of a step already answered: kindly ignored.
            return StepResult(StepStatus.BUSY, case.full_name, language)
        danger = await steps.triage(turn.session, row, case, now, self._settings)
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
                status = StepStatus.CLOSED if row.answered_at is None else StepStatus.DONE
                return StepResult(status, case.full_name, language)
            turn = _Turn(session, row, case, language, user_id, chat_id, now)
            return await self._typed(turn, text)

    async def _typed(self, turn: _Turn, text: str) -> StepResult:
        """A typed answer at the row's current step."""
        row, case, language = turn.row, turn.case, turn.language
        step = row.step
        typed = fold_label(text)
        if step == LOCATION:
            if typed in labels(language, "checkin.location_skip", "location_skip"):
                row.answers = {**row.answers, "location": "skipped"}
                if row.kind == SPOT:
                    steps.mark_answered(row, case, turn.now, self._checkins.window_minutes)
                row.step = FINISHED
                return await self._advance(turn, ())
            question = steps.question(row, case, language, turn.now)
            return StepResult(StepStatus.RETRY, case.full_name, language, question)
        if step in (FEELING, SYMPTOMS_STEP):
            # A button's label typed instead of pressed counts as the press.
            pressed = typed_button(language, step, typed)
            if pressed is None:
                question = steps.question(row, case, language, turn.now)
                return StepResult(StepStatus.BUSY, case.full_name, language, question)
            action, pressed_value = pressed
            return await self._press(turn, action, pressed_value)
        if step not in NUMBER_STEPS:
            question = steps.question(row, case, language, turn.now)
            return StepResult(StepStatus.BUSY, case.full_name, language, question)
        assert step is not None
        if typed in labels(language, f"checkin.skip.{step}", "skip"):
            return await self._press(turn, "k", step)
        return await self._number(turn, step, text)

    async def _number(self, turn: _Turn, step: str, text: str) -> StepResult:
        """A typed measurement: recorded when read and in range, else asked again."""
        row, case, language = turn.row, turn.case, turn.language
        rest = steps.rest_left(row, turn.now) if step == "spo2_again" else 0
        if rest:
            # Measured again too soon: not a second reading. The first stays as it is.
            question = steps.question(row, case, language, turn.now)
            return StepResult(StepStatus.WAIT, case.full_name, language, question, wait_s=rest)
        value = parse_number(text)
        measure = "spo2" if step == "spo2_again" else step
        if value is None or not in_range(measure, value):
            question = steps.question(row, case, language, turn.now)
            return StepResult(
                StepStatus.RETRY,
                case.full_name,
                language,
                question,
                retry=step,
                unreadable=value is None,
            )
        row.vitals = {**row.vitals, step: value}
        row.step = steps.step_after(row, case, step, self._settings)
        if row.step == "spo2_again":
            steps.begin_rest(row, turn.now, self._checkins.spo2_recheck_seconds)
        danger = await steps.triage(turn.session, row, case, turn.now, self._settings)
        return await self._advance(turn, danger)

    async def _advance(self, turn: _Turn, danger: tuple[str, ...]) -> StepResult:
        """Store the new step and say what to ask next (or that it is finished)."""
        row, case, language, now = turn.row, turn.case, turn.language, turn.now
        if row.step != "spo2_again":
            steps.end_rest(row)
        if row.step == FINISHED:
            row.completed_at = now
            row.state, row.next_action_at = DONE, None
            await end_dialogue(turn.session, turn.user_id)
            return StepResult(StepStatus.OK, case.full_name, language, danger=danger, finished=True)
        await self._converse(turn.session, turn.user_id, turn.chat_id, row, now)
        question = steps.question(row, case, language, now)
        return StepResult(StepStatus.OK, case.full_name, language, question, danger=danger)

    async def _typed_first_answer(
        self, session: AsyncSession, chat_id: int, user_id: int, text: str, now: datetime
    ) -> DialogueState | None:
        """A prompt's "how do you feel" button typed rather than pressed, before any press.

        Counted when the chat has exactly one prompt waiting for that first answer, so a
        typed "Bình thường" is never put on the wrong person of a household.
        """
        cases = await chat_cases(session, chat_id)
        waiting = []
        for case in cases:
            row = await self._current(session, case.id, now)
            if row is not None and row.answered_at is None and row.step in (None, FEELING):
                waiting.append((row, case))
        if len(waiting) != 1:
            return None
        row, case = waiting[0]
        language = await chat_language(session, chat_id, cases)
        if row.kind == SPOT or typed_button(language, FEELING, fold_label(text)) is None:
            return None
        row.step = FEELING
        await self._converse(session, user_id, chat_id, row, now)
        return DialogueState(user_id, chat_id, FLOW, FEELING, {"checkin": row.id})

    async def _converse(
        self, session: AsyncSession, user_id: int, chat_id: int, row: Checkin, now: datetime
    ) -> None:
        state = DialogueState(user_id, chat_id, FLOW, row.step or FEELING, {"checkin": row.id})
        await save_dialogue(session, state, now)

    async def _owned(
        self, session: AsyncSession, checkin_id: int, chat_id: int
    ) -> tuple[Checkin, Case, str]:
        """The check-in and its case, if it belongs to this chat (callbacks are re-checked)."""
        row = await session.get(Checkin, checkin_id, with_for_update=True)
        case = await session.get(Case, row.case_id) if row is not None else None
        if row is None or case is None or case.chat_id != chat_id:
            raise NotAuthorised()
        language = await chat_language(session, chat_id, [case])
        return row, case, language
