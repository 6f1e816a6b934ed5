"""The words of check-ins (kinds, states, steps, flows) and the values handed to handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.models import Checkin

FLOW = "checkin"
# A location shared in a household's chat outside a check-in, waiting for "whose?".
WHERE_FLOW = "checkin_where"
# Choice data: `bot.actions.Action` (CHECKIN, CHECKIN_PERSON, SOS, WHERE, TIMES).

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


class StepStatus(StrEnum):
    """How one answer of the questionnaire went."""

    OK = "ok"
    RETRY = "retry"
    CLOSED = "closed"
    DONE = "done"
    BUSY = "busy"
    WAIT = "wait"  # a second SpO2 typed before the rest is over


class StartStatus(StrEnum):
    """What /checkin found: a question to ask, people to choose from, or no case."""

    QUESTION = "question"
    CHOOSE = "choose"
    NOT_A_CASE = "not_a_case"


class SosStatus(StrEnum):
    """What /sos did."""

    RAISED = "raised"
    CHOOSE = "choose"  # raised for the household; who is it?
    NAMED = "named"
    NOT_A_CASE = "not_a_case"


class ReplyStatus(StrEnum):
    """What one case's location came to (also the tail of its catalogue key)."""

    REJECTED = "rejected"
    INSIDE = "inside"
    OUTSIDE = "outside"
    UNCERTAIN = "uncertain"
    RECORDED = "recorded"
    LIVE = "live"


class LocationStatus(StrEnum):
    """How a location message was taken."""

    HANDLED = "handled"
    NOT_A_CASE = "not_a_case"
    WHICH_PERSON = "which_person"
    EXPIRED = "expired"
    OTHER_FLOW = "other_flow"
    SILENT = "silent"


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
    rest_s: int = 0  # seconds of rest still to go before the second SpO2 reading
    channel: str = "telegram"  # how the location is asked for differs per channel


@dataclass(frozen=True)
class StepResult:
    """The outcome of one answer."""

    status: StepStatus
    name: str = ""
    language: str = "vi"
    question: Question | None = None
    danger: tuple[str, ...] = ()  # warning signs raised just now: tell the person
    retry: str | None = None  # the measure to ask again in plain words
    unreadable: bool = False  # the retry is for a form not understood, not a value out of range
    finished: bool = False  # the questionnaire just ended: thank the person
    wait_s: int = 0  # WAIT: seconds of rest still to go


@dataclass(frozen=True)
class PersonChoice:
    """A case of the chat, for "who is this about?" buttons."""

    case_id: int
    name: str


@dataclass(frozen=True)
class StartResult:
    """/checkin: the first question, or the people to choose from, or not a case."""

    status: StartStatus
    language: str
    question: Question | None = None
    choices: tuple[PersonChoice, ...] = ()


@dataclass(frozen=True)
class SosResult:
    """/sos: who the alert was raised for, or the people to choose from."""

    status: SosStatus
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

    status: ReplyStatus
    name: str
    distance_m: float | None = None
    rejection_key: str | None = None
    rejection_params: dict[str, Any] = field(default_factory=dict)
    finished: bool = False  # the check-in it answered is complete: thank the person


@dataclass(frozen=True)
class LocationResult:
    """The answer to a location message: one reply per case it counted for."""

    status: LocationStatus
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


def view(row: Checkin) -> CheckinView:
    """A check-in row as a plain value."""
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
