"""The questionnaire's steps: what follows each answer, and the hand-off to triage."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot import alerts
from bot.checkins.values import (
    ANSWERED,
    FEELING,
    LATE,
    LOCATION,
    ON_TIME,
    SCHEDULED,
    SYMPTOMS_STEP,
    Question,
)
from bot.config import Settings
from bot.models import Case, Checkin
from bot.triage import DANGER_SYMPTOMS, Readings, age_in, danger_signs, new_signs, spo2_is_low

# answers[REST_UNTIL]: when the rest after a low first SpO2 ends (ISO, UTC); there while the
# person rests and until they are asked to measure again.
REST_UNTIL = "spo2_rest_until"


def question(row: Checkin, case: Case, language: str, now: datetime | None = None) -> Question:
    """What to ask next about the check-in, at the step it is at (and how long to rest)."""
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
        rest_s=rest_left(row, now) if now is not None else 0,
        channel=case.channel,
    )


def begin_rest(row: Checkin, now: datetime, seconds: int) -> None:
    """After a low first SpO2: rest `seconds`, then the tick asks for the second reading."""
    if seconds <= 0:
        return
    until = now + timedelta(seconds=seconds)
    row.answers = {**row.answers, REST_UNTIL: until.isoformat()}
    # The tick's one indexed query finds the row when the rest is over (or at its close).
    if row.state == ANSWERED and (row.closes_at is None or until < row.closes_at):
        row.next_action_at = until


def resting(row: Checkin) -> bool:
    """Whether the person was told to rest and has not yet been asked to measure again."""
    return REST_UNTIL in row.answers


def rest_left(row: Checkin, now: datetime) -> int:
    """Whole seconds of rest still to go before the second SpO2 reading (0: none)."""
    until = row.answers.get(REST_UNTIL)
    if until is None:
        return 0
    return max(0, math.ceil((datetime.fromisoformat(until) - now).total_seconds()))


def end_rest(row: Checkin) -> None:
    """The rest is over (asked again, or the SpO2 step left): back to waiting for the close."""
    if not resting(row):
        return
    row.answers = {k: v for k, v in row.answers.items() if k != REST_UNTIL}
    if row.state == ANSWERED:
        row.next_action_at = row.closes_at


def mark_answered(row: Checkin, case: Case, now: datetime, window_minutes: int) -> None:
    """The first answer of a check-in: on record as on time or late; the case is reachable."""
    if row.answered_at is not None:
        return
    row.answered_at = now
    if row.closes_at is None:
        row.closes_at = now + timedelta(minutes=window_minutes)
    # At the close the tick notes a location that never came (see rounds._lapse).
    row.state, row.next_action_at = ANSWERED, row.closes_at
    if row.kind != SCHEDULED or row.reminded_at is None:
        row.outcome = ON_TIME
    else:
        # Only the reminder brought the answer: on record as late, not as missed.
        row.outcome = LATE
    # Whoever answers is reachable again.
    case.unreachable_since = None


def step_after(row: Checkin, case: Case, step: str, settings: Settings) -> str:
    """The step that follows `step` for this case."""
    if step == SYMPTOMS_STEP:
        return "temperature"
    if step == "temperature":
        return "spo2" if case.kind == "f0" else LOCATION
    if step == "spo2":
        value = row.vitals.get("spo2")
        if value is not None and spo2_is_low(value, settings.triage):
            return "spo2_again"
        return "breaths"
    if step == "spo2_again":
        return "breaths"
    if step == "breaths":
        return "pulse"
    return LOCATION


async def triage(
    session: AsyncSession, row: Checkin, case: Case, now: datetime, settings: Settings
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
        age=age_in(case.birth_year, now.astimezone(settings.schedule.tz).year),
    )
    found = new_signs(danger_signs(readings, settings.triage), row.danger_signs)
    if not found:
        return ()
    row.danger_signs = [*row.danger_signs, *found]
    await alerts.raise_alert(
        alerts.AlertConfig.from_settings(settings),
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
