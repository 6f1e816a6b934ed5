"""The names and values the report modules share: steps, outcomes, states, and what they return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

FLOW = "report"
REROUTE_FLOW = "report_reroute"


class Step(StrEnum):
    """Where the reporter is in the /report conversation."""

    TEXT = "text"
    PHOTO = "photo"
    LOCATION = "location"
    COMMUNE = "commune"
    CONFIRM = "confirm"


STEP_TEXT = Step.TEXT
STEP_PHOTO = Step.PHOTO
STEP_LOCATION = Step.LOCATION
STEP_COMMUNE = Step.COMMUNE
STEP_CONFIRM = Step.CONFIRM


class Outcome(StrEnum):
    """What the officer found when they closed a report."""

    CONFIRMED = "confirmed"
    NOTHING_FOUND = "nothing_found"
    ABUSE = "abuse"


CONFIRMED = Outcome.CONFIRMED
NOTHING_FOUND = Outcome.NOTHING_FOUND
ABUSE = Outcome.ABUSE
OUTCOMES = tuple(Outcome)


class ReportState(StrEnum):
    """A report's state; a repeat of another report is `merged` into it."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"
    MERGED = "merged"


OPEN_STATES = (ReportState.OPEN, ReportState.ACKNOWLEDGED)


class AttachmentKind(StrEnum):
    """What the reporter attached: a photo, a document (maybe an image) or something else."""

    PHOTO = "photo"
    DOCUMENT = "document"
    OTHER = "other"


# Outbox purposes of the messages the report modules queue.
CARD = "report.card"
PHOTO = "report.photo"
PIN = "report.pin"
NOTICE = "report.notice"

MERGE_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class Attachment:
    """A file the reporter sent."""

    kind: AttachmentKind
    file_id: str = ""
    size: int | None = None
    mime_type: str | None = None


@dataclass(frozen=True)
class Draft:
    """What the reporter has given so far, and the step they are at."""

    step: Step
    text: str
    has_photo: bool
    has_location: bool
    commune_name: str | None
    # A location was given but lies in no loaded commune boundary.
    outside_boundaries: bool = False


@dataclass(frozen=True)
class Receipt:
    """What the reporter is told once the report is in."""

    reference: str
    commune_name: str
    merged: bool


@dataclass(frozen=True)
class ReportCard:
    """A report as an officer sees it: never anything about who sent it."""

    id: int
    reference: str
    commune_code: int
    commune_name: str
    text: str
    created_at: datetime
    times_reported: int
    photo_file_id: str | None
    photo_kind: AttachmentKind | None
    location: tuple[float, float] | None
    matched_cases: tuple[str, ...]
    state: ReportState
    outcome: Outcome | None
    handled_by: str | None


@dataclass(frozen=True)
class ReportCounts:
    """A commune's reports over a period, for the daily digest."""

    received: int
    handled: int
    confirmed: int
    abuse: int
