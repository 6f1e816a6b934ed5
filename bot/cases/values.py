"""The values the case service hands out: statuses, actions, conversation names, results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.areas import CommuneView
from bot.case_files import RowProblem, display_phone


class CaseStatus(StrEnum):
    """Where a case stands; the value is what the database stores."""

    PENDING = "pending"
    ACTIVE = "active"
    HOSPITALIZED = "hospitalized"
    TRANSFERRED = "transferred"
    RELEASED = "released"
    CANCELLED = "cancelled"


class HomeStatus(StrEnum):
    """How far the person's home is anchored."""

    NOT_SET = "not_set"
    PROPOSED = "proposed"
    SET = "set"


class CaseAction(StrEnum):
    """A lifecycle change an officer confirms."""

    EXTEND = "extend"
    RELEASE = "release"
    HOSPITALIZE = "hospitalize"
    TRANSFER = "transfer"


# The short names the handlers and tests import.
PENDING = CaseStatus.PENDING
ACTIVE = CaseStatus.ACTIVE
HOSPITALIZED = CaseStatus.HOSPITALIZED
TRANSFERRED = CaseStatus.TRANSFERRED
RELEASED = CaseStatus.RELEASED
CANCELLED = CaseStatus.CANCELLED
STATUSES = tuple(CaseStatus)
# Cases the commune still looks after; the others are closed.
OPEN_STATUSES = (PENDING, ACTIVE, HOSPITALIZED)

HOME_NOT_SET = HomeStatus.NOT_SET
HOME_PROPOSED = HomeStatus.PROPOSED
HOME_SET = HomeStatus.SET

EXTEND = CaseAction.EXTEND
RELEASE = CaseAction.RELEASE
HOSPITALIZE = CaseAction.HOSPITALIZE
TRANSFER = CaseAction.TRANSFER
ACTIONS = tuple(CaseAction)

ENROL_PREFIX = "p_"
# Conversations the case service keeps for people.
ENROL_FLOW = "enrol"
HOME_FLOW = "home"
IMPORT_FLOW = "import"
REGISTER_FLOW = "register"


@dataclass(frozen=True)
class CheckinAnswers:
    """What a person answered in one check-in, as /case shows it."""

    answered_at: datetime
    feeling: str | None
    symptoms: tuple[str, ...]
    # temperature, spo2, spo2_again, breaths, pulse; None where skipped
    vitals: dict[str, float | None]
    danger_signs: tuple[str, ...]

    @property
    def spo2(self) -> float | None:
        """The SpO2 that counts: the second reading when the first was low."""
        again = self.vitals.get("spo2_again")
        return again if again is not None else self.vitals.get("spo2")


@dataclass(frozen=True)
class OpenAlert:
    """An alert about the case that nobody has closed yet."""

    kind: str
    state: str  # open | acknowledged
    opened_at: datetime


@dataclass(frozen=True)
class CaseView:
    """A case as officers see it."""

    id: int
    code: str
    full_name: str
    phone: str
    birth_year: int | None
    address: str
    commune_code: int
    commune_name: str
    kind: str
    source_code: str | None
    start_date: date
    end_date: date
    status: CaseStatus
    home_status: HomeStatus
    zone: dict[str, Any] | None
    enrolled: bool
    enrol_overdue: bool
    consent_refused: bool
    day: int
    total_days: int
    last_checkin_at: datetime | None
    last_location_at: datetime | None
    last_verdict: str | None
    last_distance_m: float | None
    # Only for one case's card (`latest`): the accuracy of the last fix, the recent check-ins
    # (oldest first, the last one the latest answers) and the open alerts, most urgent first.
    last_accuracy_m: float | None = None
    recent: tuple[CheckinAnswers, ...] = ()
    open_alerts: tuple[OpenAlert, ...] = ()
    channel: str = "telegram"  # what carries the person's messages

    @property
    def phone_display(self) -> str:
        """The phone number as people write it in Vietnam."""
        return display_phone(self.phone)


@dataclass(frozen=True)
class IssuedLink:
    """A case with a fresh enrolment link; the code exists only here."""

    case: CaseView
    link: str  # "" for a person on SMS: the invitation went to their phone
    expires_at: datetime
    # The channel the person enrols on (bot.channels.Channel's value).
    channel: str = "telegram"


@dataclass(frozen=True)
class ImportOutcome:
    """What an import found and, when it went ahead, the cases it created."""

    total_rows: int
    valid_rows: int
    problems: tuple[RowProblem, ...]
    created: tuple[IssuedLink, ...]
    commune_name: str

    @property
    def imported(self) -> bool:
        """Whether anything was written."""
        return bool(self.created)


@dataclass(frozen=True)
class Invitation:
    """What a person sees when they open an enrolment link."""

    case_id: int
    full_name: str
    commune_name: str
    start_date: date
    end_date: date


@dataclass(frozen=True)
class ConsentPending:
    """A person who opened a link but has not agreed: can they agree now, or need a new link?"""

    invitation: Invitation
    can_agree: bool


@dataclass(frozen=True)
class Enrolled:
    """The outcome of a consent answer."""

    full_name: str
    code: str
    agreed: bool
    home_needed: bool
    end_date: date


@dataclass(frozen=True)
class PersonStatus:
    """What a person sees with /status."""

    full_name: str
    status: CaseStatus
    day: int
    total_days: int
    end_date: date
    home_status: HomeStatus
    next_checkin: datetime | None


@dataclass(frozen=True)
class ChangePreview:
    """A lifecycle change checked and ready to confirm."""

    case: CaseView
    action: CaseAction
    days: int | None = None
    new_end_date: date | None = None
    target: CommuneView | None = None


@dataclass(frozen=True)
class ExportFiles:
    """The same list as XLSX and as CSV."""

    basename: str
    xlsx: bytes
    csv: bytes
    rows: int


@dataclass(frozen=True)
class CaseHistory:
    """Every check-in of one case, as the export's files."""

    code: str
    name: str
    files: ExportFiles


def isolation_day(start: date, end: date, today: date) -> tuple[int, int]:
    """(day of isolation, total days): day 1 is the start date; the end date is release day."""
    total = max(1, (end - start).days)
    return max(0, min((today - start).days + 1, total)), total
