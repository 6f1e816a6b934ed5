"""Citizen reports: the /report conversation, routing, officers' handling, anonymity, purge.

A citizen describes a suspected violation (text, optional photo, optional location); the
report goes to the commune the location falls in (when boundaries are loaded) or the one
the citizen picks by name, as a `citizen_report` alert plus the report itself (text, photo,
pin) with buttons for the commune's officers. Officers never learn who reported: the
reporter's Telegram id is stored only as an HMAC keyed with `reports.secret` (for rate
limits, abuse control and merging), and their chat address only sealed with that secret
until the outcome notice is queued. Closed reports are purged after `reports.keep_days`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.alerts import CITIZEN_REPORT, commune_officers, raise_alert
from bot.areas import CommuneView, commune_view, find_communes
from bot.boundaries import BoundaryService
from bot.catalogue import Raw, plain, t
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
    PRIORITY_ALERT,
    PRIORITY_REPLY,
    callback_button,
    enqueue,
    enqueue_text,
    inline_keyboard,
)
from bot.models import (
    Alert,
    Case,
    CitizenReport,
    Commune,
    Dialogue,
    Officer,
    OutboxMessage,
    Province,
)
from bot.officers import OFFICER, SUPERVISOR, require_officer
from bot.preferences import language_of
from bot.text import fold
from geofence import zone_from_dict

FLOW = "report"
REROUTE_FLOW = "report_reroute"
STEP_TEXT = "text"
STEP_PHOTO = "photo"
STEP_LOCATION = "location"
STEP_COMMUNE = "commune"
STEP_CONFIRM = "confirm"

# Officers' buttons; the citizen's own buttons use CITIZEN_PREFIX.
CALLBACK_PREFIX = "rp:"
CITIZEN_PREFIX = "rpc:"
# The button under the /start welcome that opens /report.
START_REPORT = f"{CITIZEN_PREFIX}new"

CONFIRMED = "confirmed"
NOTHING_FOUND = "nothing_found"
ABUSE = "abuse"
OUTCOMES = (CONFIRMED, NOTHING_FOUND, ABUSE)
OPEN_STATES = ("open", "acknowledged")
# What a closed report does to its alert.
_ALERT_STATE = {CONFIRMED: "resolved", NOTHING_FOUND: "false_alarm", ABUSE: "false_alarm"}

# Outbox purposes of the messages this module queues.
CARD = "report.card"
PHOTO = "report.photo"
PIN = "report.pin"
NOTICE = "report.notice"

PHOTO_MIME_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
MERGE_WINDOW = timedelta(days=1)
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: the reference is read out over the phone.
_REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
_REFERENCE_LENGTH = 6
_MB = 1024 * 1024


# ---- the reporter, never stored in the clear ------------------------------------------


class ReporterKeys:
    """Pseudonyms and sealed chat addresses, both keyed with the configured secret.

    The pseudonym is an HMAC-SHA256 of the Telegram id: stable, so limits and merging work,
    and meaningless without the secret. The sealed address is the chat id encrypted and
    authenticated with Fernet (AES-CBC + HMAC, from `cryptography`), kept only until the
    reporter has been told the outcome.
    """

    def __init__(self, secret: str) -> None:
        root = secret.encode("utf-8")
        self._id_key = hmac.digest(root, b"cachly/reports/pseudonym", "sha256")
        self._fernet = Fernet(
            base64.urlsafe_b64encode(hmac.digest(root, b"cachly/reports/seal", "sha256"))
        )

    def pseudonym(self, telegram_user_id: int) -> str:
        """The stable, keyed stand-in for a reporter (64 hex characters)."""
        return hmac.new(self._id_key, str(telegram_user_id).encode(), "sha256").hexdigest()

    def seal(self, chat_id: int) -> str:
        """The chat id, encrypted and authenticated (about 100 URL-safe characters)."""
        return self._fernet.encrypt(str(chat_id).encode("ascii")).decode("ascii")

    def unseal(self, sealed: str) -> int | None:
        """The chat id back, or None if the value was not sealed with this secret."""
        try:
            return int(self._fernet.decrypt(sealed.encode("ascii")))
        except (InvalidToken, ValueError):
            return None


# ---- values in and out ----------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """A file the reporter sent: a photo, a document (maybe an image) or something else."""

    kind: str  # photo | document | other
    file_id: str = ""
    size: int | None = None
    mime_type: str | None = None


@dataclass(frozen=True)
class Draft:
    """What the reporter has given so far, and the step they are at."""

    step: str
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
    photo_kind: str | None
    location: tuple[float, float] | None
    matched_cases: tuple[str, ...]
    state: str
    outcome: str | None
    handled_by: str | None


@dataclass(frozen=True)
class ReportCounts:
    """A commune's reports over a period, for the daily digest."""

    received: int
    handled: int
    confirmed: int
    abuse: int


# ---- the service ----------------------------------------------------------------------


class ReportService:
    """Takes citizens' reports and lets officers handle them."""

    def __init__(
        self, db: Database, clock: Clock, settings: Settings, boundaries: BoundaryService
    ) -> None:
        self._db = db
        self._boundaries = boundaries
        self._clock = clock
        self._settings = settings.reports
        self._provinces = settings.deployment.provinces
        self._language = settings.deployment.language
        self.tz = settings.schedule.tz
        self._keys = ReporterKeys(self._settings.secret) if self._settings.enabled else None

    # ---- the citizen's conversation ---------------------------------------------------

    async def begin(self, telegram_user_id: int, chat_id: int) -> None:
        """Start a report, unless reports are off or the reporter is over a limit."""
        keys = self._require_keys()
        now = self._clock.now()
        async with self._db.transaction() as session:
            await self._check_limits(session, keys.pseudonym(telegram_user_id), now)
            state = DialogueState(telegram_user_id, chat_id, FLOW, STEP_TEXT, {})
            await save_dialogue(session, state, now)

    async def give_text(self, telegram_user_id: int, text: str) -> Draft:
        """The description; refused (state kept) when too short or too long."""
        text = text.strip()
        low, high = self._settings.min_length, self._settings.max_length
        if not low <= len(text) <= high:
            raise UserError("report.text_length", min=low, max=high, length=len(text))
        return await self._advance(telegram_user_id, (STEP_TEXT,), STEP_PHOTO, text=text)

    async def give_photo(self, telegram_user_id: int, attachment: Attachment | None) -> Draft:
        """A photo (or an image sent as a file), or None to skip; anything else is refused."""
        photo: dict[str, Any] | None = None
        if attachment is not None:
            is_image = attachment.kind == "photo" or (
                attachment.kind == "document" and attachment.mime_type in PHOTO_MIME_TYPES
            )
            if not is_image or not attachment.file_id:
                raise UserError("report.not_a_photo")
            limit = self._settings.max_photo_mb
            if attachment.size is not None and attachment.size > limit * _MB:
                raise UserError("report.photo_too_big", mb=limit)
            photo = {"file_id": attachment.file_id, "kind": attachment.kind}
        return await self._advance(
            telegram_user_id, (STEP_TEXT, STEP_PHOTO), STEP_LOCATION, photo=photo
        )

    async def give_location(
        self, telegram_user_id: int, point: tuple[float, float] | None, accuracy_m: float | None
    ) -> Draft:
        """Where it happens (None to skip); the commune follows from it if it can."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            state = await self._draft_state(session, telegram_user_id, (STEP_LOCATION,))
            data = dict(state.data)
            data["location"] = None
            data.pop("outside", None)
            step = STEP_COMMUNE
            if point is not None:
                lat, lon = point
                data["location"] = {"lat": lat, "lon": lon, "accuracy_m": accuracy_m}
                index = await self._boundaries.index(session)
                code = index.lookup(lat, lon) if index is not None else None
                if code is not None:
                    data["commune"] = code
                    data["routed_by"] = "location"
                    step = STEP_CONFIRM
                elif index is not None:
                    data["outside"] = True
            state = DialogueState(state.telegram_user_id, state.chat_id, FLOW, step, data)
            await save_dialogue(session, state, now)
            return await self._draft(session, state)

    async def search_communes(self, telegram_user_id: int, query: str) -> list[CommuneView]:
        """The served communes whose name matches what the reporter typed, best first."""
        async with self._db.transaction() as session:
            await self._draft_state(session, telegram_user_id, (STEP_COMMUNE,))
            return await find_communes(session, query, self._provinces, limit=6)

    async def choose_commune(self, telegram_user_id: int, commune_code: int) -> Draft:
        """The commune the reporter picked from the offered buttons."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            state = await self._draft_state(session, telegram_user_id, (STEP_COMMUNE,))
            if await self._served_commune(session, commune_code) is None:
                raise UserError("report.stale_button")
            data = {**state.data, "commune": commune_code, "routed_by": "choice"}
            state = DialogueState(state.telegram_user_id, state.chat_id, FLOW, STEP_CONFIRM, data)
            await save_dialogue(session, state, now)
            return await self._draft(session, state)

    async def draft(self, telegram_user_id: int) -> Draft:
        """The reporter's report in progress."""
        async with self._db.transaction() as session:
            state = await self._draft_state(session, telegram_user_id, None)
            return await self._draft(session, state)

    async def submit(self, telegram_user_id: int) -> Receipt:
        """Send the confirmed report to its commune (or merge it into an identical one)."""
        keys = self._require_keys()
        now = self._clock.now()
        async with self._db.transaction() as session:
            state = await self._draft_state(session, telegram_user_id, (STEP_CONFIRM,))
            pseudonym = keys.pseudonym(telegram_user_id)
            await self._check_limits(session, pseudonym, now)
            data = state.data
            commune = await self._served_commune(session, int(data["commune"]))
            if commune is None:
                raise UserError("report.stale_button")
            text = str(data["text"])
            text_key = hashlib.sha256(fold(text).encode("utf-8")).hexdigest()
            photo = data.get("photo") or {}
            language = await language_of(session, telegram_user_id, self._language)
            report = CitizenReport(
                reference=await _new_reference(session),
                commune_code=commune.code,
                province_code=commune.province_code,
                routed_by=str(data.get("routed_by", "choice")),
                text=text,
                text_key=text_key,
                photo_file_id=photo.get("file_id"),
                photo_kind=photo.get("kind"),
                location=data.get("location"),
                reporter_hash=pseudonym,
                reply_to=keys.seal(state.chat_id),
                language=language,
                state="open",
                times_reported=1,
                matched_cases=[],
                created_at=now,
                updated_at=now,
            )
            first = await session.scalar(
                select(CitizenReport)
                .where(
                    CitizenReport.text_key == text_key,
                    CitizenReport.commune_code == commune.code,
                    CitizenReport.created_at > now - MERGE_WINDOW,
                    CitizenReport.state.in_(OPEN_STATES),
                    CitizenReport.merged_into_id.is_(None),
                )
                .order_by(CitizenReport.id)
                .limit(1)
                .with_for_update()
            )
            if first is not None:
                await self._merge(session, report, first, now)
            else:
                report.matched_cases = await match_cases(
                    session,
                    commune.code,
                    data.get("location"),
                    text,
                    self._settings.case_distance_m,
                )
                session.add(report)
                await session.flush()
                raised = await raise_alert(
                    session,
                    kind=CITIZEN_REPORT,
                    commune_code=commune.code,
                    now=now,
                    evidence={"report": report.reference},
                )
                report.alert_id = raised.id
                await self._deliver(session, report, now)
            audit.record(
                session,
                at=now,
                actor=audit.SYSTEM,
                action="report.merge" if first is not None else "report.create",
                subject_type="report",
                subject_id=report.id,
                commune=commune.code,
                routed_by=report.routed_by,
                into=first.id if first is not None else None,
            )
            await end_dialogue(session, telegram_user_id)
            return Receipt(report.reference, commune.name, merged=first is not None)

    # ---- officers ---------------------------------------------------------------------

    async def open_reports(self, telegram_user_id: int) -> tuple[str, list[ReportCard]]:
        """The open reports of the officer's commune (a supervisor's: the province's)."""
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            statement = select(CitizenReport).where(
                CitizenReport.state.in_(OPEN_STATES), CitizenReport.merged_into_id.is_(None)
            )
            if officer.role == OFFICER and officer.commune_code is not None:
                statement = statement.where(CitizenReport.commune_code == officer.commune_code)
                area = (await commune_view(session, officer.commune_code)).name
            else:
                statement = statement.where(CitizenReport.province_code == officer.province_code)
                area = await _province_name(session, officer.province_code)
            rows = (await session.scalars(statement.order_by(CitizenReport.created_at))).all()
            return area, [await _card(session, row) for row in rows]

    async def card(self, telegram_user_id: int, report_id: int) -> ReportCard:
        """One report of the officer's area, in any state."""
        async with self._db.transaction() as session:
            _, report = await self._officer_report(session, telegram_user_id, report_id)
            return await _card(session, report)

    async def open_card(self, telegram_user_id: int, report_id: int) -> ReportCard:
        """One report the officer may still act on (refused once it is closed)."""
        async with self._db.transaction() as session:
            _, report = await self._officer_report(session, telegram_user_id, report_id)
            _require_open(report)
            return await _card(session, report)

    async def acknowledge(
        self, telegram_user_id: int, report_id: int, shown_in: tuple[int, int] | None = None
    ) -> ReportCard:
        """The officer takes the report; every copy shows who did.

        `shown_in` (chat id, message id) is the copy the caller redraws itself.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer, report = await self._officer_report(session, telegram_user_id, report_id)
            _require_open(report)
            if report.state == "acknowledged" and report.acknowledged_by != officer.id:
                taker = await session.get(Officer, report.acknowledged_by)
                raise UserError("report.already_taken", name=taker.display_name if taker else "")
            if report.state == "open":
                report.state = "acknowledged"
                report.acknowledged_at = now
                report.acknowledged_by = officer.id
                report.updated_at = now
                alert = await _alert(session, report)
                if alert is not None and alert.state == "open":
                    alert.state = "acknowledged"
                    alert.acknowledged_at = now
                    alert.acknowledged_by = officer.id
                    alert.updated_at = now
                audit.record(
                    session,
                    at=now,
                    actor=audit.officer_actor(officer.id),
                    action="report.acknowledge",
                    subject_type="report",
                    subject_id=report.id,
                )
                await self._update_copies(session, report, now, skip=shown_in)
            return await _card(session, report)

    async def close(
        self,
        telegram_user_id: int,
        report_id: int,
        outcome: str,
        shown_in: tuple[int, int] | None = None,
    ) -> ReportCard:
        """Record the outcome, close the alert and tell every reporter of it in one line."""
        if outcome not in OUTCOMES:
            raise NotAuthorised()
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer, report = await self._officer_report(session, telegram_user_id, report_id)
            _require_open(report)
            repeats = (
                await session.scalars(
                    select(CitizenReport).where(CitizenReport.merged_into_id == report.id)
                )
            ).all()
            for row in (report, *repeats):
                row.state = "closed" if row is report else "merged"
                row.outcome = outcome
                row.closed_at = now
                row.closed_by = officer.id
                row.updated_at = now
                self._notify_reporter(session, row, now)
            alert = await _alert(session, report)
            if alert is not None and alert.state in OPEN_STATES:
                _close_alert(alert, _ALERT_STATE[outcome], officer.id, now, {"outcome": outcome})
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="report.close",
                subject_type="report",
                subject_id=report.id,
                outcome=outcome,
                repeats=len(repeats),
            )
            await self._update_copies(session, report, now, skip=shown_in)
            return await _card(session, report)

    async def begin_reroute(self, telegram_user_id: int, chat_id: int, report_id: int) -> str:
        """'Not our commune': ask the officer for the right one; returns the reference."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            _, report = await self._officer_report(session, telegram_user_id, report_id)
            _require_open(report)
            state = DialogueState(
                telegram_user_id, chat_id, REROUTE_FLOW, STEP_COMMUNE, {"report": report.id}
            )
            await save_dialogue(session, state, now)
            return report.reference

    async def reroute_choices(
        self, telegram_user_id: int, report_id: int, query: str
    ) -> list[CommuneView]:
        """Served communes matching the officer's words, other than the report's own."""
        async with self._db.transaction() as session:
            _, report = await self._officer_report(session, telegram_user_id, report_id)
            _require_open(report)
            found = await find_communes(session, query, self._provinces, limit=7)
            return [c for c in found if c.code != report.commune_code][:6]

    async def reroute(self, telegram_user_id: int, report_id: int, commune_code: int) -> ReportCard:
        """Hand the report to another commune: its officers get it as a new alert."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer, report = await self._officer_report(session, telegram_user_id, report_id)
            _require_open(report)
            target = await self._served_commune(session, commune_code)
            if target is None or target.code == report.commune_code:
                raise UserError("report.stale_button")
            previous = report.commune_code
            alert = await _alert(session, report)
            if alert is not None and alert.state in OPEN_STATES:
                _close_alert(alert, "resolved", officer.id, now, {"rerouted_to": target.code})
            # Officers of the old commune see their copies say where it went.
            report.commune_code = target.code
            report.province_code = target.province_code
            await self._update_copies(session, report, now, left=previous)
            report.routed_by = "officer"
            report.state = "open"
            report.acknowledged_at = None
            report.acknowledged_by = None
            report.updated_at = now
            report.matched_cases = await match_cases(
                session, target.code, report.location, report.text, self._settings.case_distance_m
            )
            raised = await raise_alert(
                session,
                kind=CITIZEN_REPORT,
                commune_code=target.code,
                now=now,
                evidence={"report": report.reference, "rerouted_from": previous},
            )
            report.alert_id = raised.id
            await session.flush()
            await self._deliver(session, report, now)
            dialogue = await current_dialogue(session, telegram_user_id, now)
            if dialogue is not None and dialogue.flow == REROUTE_FLOW:
                await end_dialogue(session, telegram_user_id)
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="report.reroute",
                subject_type="report",
                subject_id=report.id,
                source=previous,
                target=target.code,
            )
            return await _card(session, report)

    # ---- housekeeping -----------------------------------------------------------------

    async def purge(self) -> int:
        """Delete reports closed more than keep_days ago, with everything that names them."""
        now = self._clock.now()
        cutoff = now - timedelta(days=self._settings.keep_days)
        async with self._db.transaction() as session:
            ids = list(
                (
                    await session.scalars(
                        select(CitizenReport.id).where(
                            CitizenReport.state == "closed", CitizenReport.closed_at < cutoff
                        )
                    )
                ).all()
            )
            purged = 0
            if ids:
                purposes = (CARD, PHOTO, PIN)
                of_reports = (OutboxMessage.purpose.in_(purposes), OutboxMessage.ref_id.in_(ids))
                # Edits first: they point at the messages they edit.
                await session.execute(
                    delete(OutboxMessage).where(*of_reports, OutboxMessage.edit_of_id.is_not(None))
                )
                await session.execute(delete(OutboxMessage).where(*of_reports))
                repeats = await session.execute(
                    delete(CitizenReport).where(CitizenReport.merged_into_id.in_(ids))
                )
                reports = await session.execute(
                    delete(CitizenReport).where(CitizenReport.id.in_(ids))
                )
                purged = int(repeats.rowcount) + int(reports.rowcount)  # type: ignore[attr-defined]
            # Sent notices hold a reporter's chat id; nothing needs them once delivered.
            notices = await session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.purpose == NOTICE, OutboxMessage.state.in_(("sent", "failed"))
                )
            )
            # Abandoned drafts hold the reporter's id and words.
            drafts = await session.execute(
                delete(Dialogue).where(
                    Dialogue.flow == FLOW, Dialogue.updated_at < now - DIALOGUE_TTL
                )
            )
            notice_count = int(notices.rowcount)  # type: ignore[attr-defined]
            draft_count = int(drafts.rowcount)  # type: ignore[attr-defined]
            if purged or notice_count or draft_count:
                audit.record(
                    session,
                    at=now,
                    actor=audit.SYSTEM,
                    action="reports.purge",
                    subject_type="citizen_reports",
                    subject_id=purged,
                    notices=notice_count,
                    drafts=draft_count,
                )
            return purged

    # ---- internals --------------------------------------------------------------------

    def _require_keys(self) -> ReporterKeys:
        if self._keys is None:
            raise UserError("report.disabled")
        return self._keys

    async def _check_limits(self, session: AsyncSession, pseudonym: str, now: datetime) -> None:
        """Refuse politely once the reporter is over a limit (stricter for twice-abusers)."""
        mine = CitizenReport.reporter_hash == pseudonym

        async def count(*conditions: Any) -> int:
            total = await session.scalar(
                select(func.count(CitizenReport.id)).where(mine, *conditions)
            )
            return int(total or 0)

        settings = self._settings
        day = await count(CitizenReport.created_at > now - timedelta(days=1))
        marks = await count(CitizenReport.outcome == ABUSE)
        # Silently: the reporter hears the ordinary daily limit, never that they were marked.
        per_day = settings.abuser_per_day if marks >= settings.abuse_marks else settings.per_day
        if day >= per_day:
            raise UserError("report.limit_day")
        hour = await count(CitizenReport.created_at > now - timedelta(hours=1))
        if hour >= settings.per_hour:
            raise UserError("report.limit_hour", count=settings.per_hour)

    async def _draft_state(
        self, session: AsyncSession, telegram_user_id: int, steps: tuple[str, ...] | None
    ) -> DialogueState:
        state = await current_dialogue(session, telegram_user_id, self._clock.now())
        if state is None or state.flow != FLOW:
            raise UserError("report.no_draft")
        if steps is not None and state.step not in steps:
            raise UserError("report.stale_button")
        return state

    async def _advance(
        self, telegram_user_id: int, steps: tuple[str, ...], step: str, **changes: Any
    ) -> Draft:
        now = self._clock.now()
        async with self._db.transaction() as session:
            state = await self._draft_state(session, telegram_user_id, steps)
            data = {**state.data, **changes}
            state = DialogueState(state.telegram_user_id, state.chat_id, FLOW, step, data)
            await save_dialogue(session, state, now)
            return await self._draft(session, state)

    async def _draft(self, session: AsyncSession, state: DialogueState) -> Draft:
        data = state.data
        commune = data.get("commune")
        name = (await commune_view(session, int(commune))).name if commune is not None else None
        return Draft(
            step=state.step,
            text=str(data.get("text", "")),
            has_photo=bool(data.get("photo")),
            has_location=bool(data.get("location")),
            commune_name=name,
            outside_boundaries=bool(data.get("outside")),
        )

    async def _served_commune(self, session: AsyncSession, code: int) -> CommuneView | None:
        commune = await session.get(Commune, code)
        if commune is None or commune.province_code not in self._provinces:
            return None
        return await commune_view(session, code)

    async def _officer_report(
        self, session: AsyncSession, telegram_user_id: int, report_id: int
    ) -> tuple[Officer, CitizenReport]:
        """The caller and the report, if it is theirs to see: their commune or province."""
        officer = await require_officer(session, telegram_user_id)
        report = await session.get(CitizenReport, report_id, with_for_update=True)
        if report is None or report.merged_into_id is not None:
            raise NotAuthorised()
        allowed = (officer.role == OFFICER and officer.commune_code == report.commune_code) or (
            officer.role == SUPERVISOR and officer.province_code == report.province_code
        )
        if not allowed:
            raise NotAuthorised()
        return officer, report

    async def _merge(
        self, session: AsyncSession, report: CitizenReport, first: CitizenReport, now: datetime
    ) -> None:
        """Keep the repeat (for limits and its reporter's notice) and count it on the first."""
        report.merged_into_id = first.id
        report.state = "merged"
        session.add(report)
        await session.flush()
        reporters = await session.scalar(
            select(func.count(func.distinct(CitizenReport.reporter_hash))).where(
                or_(CitizenReport.id == first.id, CitizenReport.merged_into_id == first.id)
            )
        )
        if int(reporters or 1) != first.times_reported:
            # Only another person's repeat counts: one insistent reporter is still one.
            first.times_reported = int(reporters or 1)
            first.updated_at = now
            alert = await _alert(session, first)
            if alert is not None:
                alert.evidence = [
                    *alert.evidence,
                    {"at": now.isoformat(), "times_reported": first.times_reported},
                ]
                alert.updated_at = now
            await self._update_copies(session, first, now)

    async def _deliver(self, session: AsyncSession, report: CitizenReport, now: datetime) -> None:
        """Queue the report (photo, pin, then the card with its buttons) to every officer."""
        card = await _card(session, report)
        for officer in await commune_officers(session, report.commune_code):
            chat_id = officer.telegram_user_id
            language = await language_of(session, chat_id, self._language)
            if report.photo_file_id:
                method, key = (
                    ("sendPhoto", "photo")
                    if report.photo_kind == "photo"
                    else ("sendDocument", "document")
                )
                params = {
                    "chat_id": chat_id,
                    key: report.photo_file_id,
                    "caption": t(language, "report.photo_caption", reference=report.reference),
                    "parse_mode": "HTML",
                }
                enqueue(
                    session,
                    chat_id=chat_id,
                    method=method,
                    params=params,
                    purpose=PHOTO,
                    priority=PRIORITY_ALERT,
                    now=now,
                    ref_id=report.id,
                )
            if card.location is not None:
                lat, lon = card.location
                params = {"chat_id": chat_id, "latitude": lat, "longitude": lon}
                enqueue(
                    session,
                    chat_id=chat_id,
                    method="sendLocation",
                    params=params,
                    purpose=PIN,
                    priority=PRIORITY_ALERT,
                    now=now,
                    ref_id=report.id,
                )
            text, keyboard = render_card(language, card, self.tz)
            enqueue_text(
                session,
                chat_id=chat_id,
                text=text,
                reply_markup=keyboard,
                purpose=CARD,
                priority=PRIORITY_ALERT,
                now=now,
                ref_id=report.id,
            )

    async def _update_copies(
        self,
        session: AsyncSession,
        report: CitizenReport,
        now: datetime,
        left: int | None = None,
        skip: tuple[int, int] | None = None,
    ) -> None:
        """Edit every officer's copy of the card to the report's current state.

        `left`: the commune the report is being handed away from; its copies say where to.
        `skip`: the (chat id, message id) the caller redraws itself.
        """
        card = await _card(session, report)
        copies = (
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.purpose == CARD,
                    OutboxMessage.ref_id == report.id,
                    OutboxMessage.edit_of_id.is_(None),
                )
            )
        ).all()
        officers = {
            o.telegram_user_id: o for o in await commune_officers(session, report.commune_code)
        }
        for copy in copies:
            if left is None and copy.chat_id not in officers:
                continue  # a commune it was handed away from: told so at the time
            if skip is not None and (copy.chat_id, copy.message_id) == skip:
                continue
            language = await language_of(session, copy.chat_id, self._language)
            if left is not None:
                text = t(
                    language,
                    "report.card.passed_on",
                    reference=report.reference,
                    commune=card.commune_name,
                )
                keyboard = None
            else:
                text, keyboard = render_card(language, card, self.tz)
            params: dict[str, Any] = {"chat_id": copy.chat_id, "text": text, "parse_mode": "HTML"}
            if keyboard is not None:
                params["reply_markup"] = keyboard
            enqueue(
                session,
                chat_id=copy.chat_id,
                method="editMessageText",
                params=params,
                priority=PRIORITY_ALERT,
                purpose=CARD,
                now=now,
                ref_id=report.id,
                edit_of_id=copy.id,
            )

    def _notify_reporter(self, session: AsyncSession, report: CitizenReport, now: datetime) -> None:
        """Queue the one-line outcome to the reporter, then forget their chat address."""
        if report.reply_to is None or self._keys is None or report.outcome is None:
            return
        chat_id = self._keys.unseal(report.reply_to)
        report.reply_to = None
        if chat_id is None:
            return  # sealed with an earlier secret: nobody can be told any more
        text = t(report.language, f"report.notice.{report.outcome}", reference=report.reference)
        # No ref_id: the notice row must not link a chat to a report.
        enqueue_text(
            session, chat_id=chat_id, text=text, priority=PRIORITY_REPLY, purpose=NOTICE, now=now
        )


# ---- composable functions -------------------------------------------------------------


async def report_counts(
    session: AsyncSession, commune_code: int, day_start: datetime, day_end: datetime
) -> ReportCounts:
    """Reports a commune received, and handled (confirmed, abuse), in [day_start, day_end)."""
    primary = (CitizenReport.commune_code == commune_code, CitizenReport.merged_into_id.is_(None))

    async def count(*conditions: Any) -> int:
        return int(
            await session.scalar(select(func.count(CitizenReport.id)).where(*primary, *conditions))
            or 0
        )

    closed = (CitizenReport.closed_at >= day_start, CitizenReport.closed_at < day_end)
    return ReportCounts(
        received=await count(
            CitizenReport.created_at >= day_start, CitizenReport.created_at < day_end
        ),
        handled=await count(*closed),
        confirmed=await count(*closed, CitizenReport.outcome == CONFIRMED),
        abuse=await count(*closed, CitizenReport.outcome == ABUSE),
    )


async def match_cases(
    session: AsyncSession,
    commune_code: int,
    location: dict[str, Any] | None,
    text: str,
    distance_m: float,
) -> list[str]:
    """Codes of the commune's active cases whose home is near the location or named in the text."""
    cases = (
        await session.execute(
            select(Case.code, Case.zone, Case.address).where(
                Case.commune_code == commune_code, Case.status == "active"
            )
        )
    ).all()
    folded = fold(text)
    found: list[str] = []
    for code, zone, address in cases:
        near = False
        if location is not None and zone:
            try:
                edge = zone_from_dict(zone).edge_distance_m(location["lat"], location["lon"])
            except (ValueError, KeyError):
                edge = None  # a zone the geofence cannot read matches nothing
            near = edge is not None and edge <= distance_m
        # An address short enough to be a bare number would match any text.
        named = len(fold(address)) >= 6 and fold(address) in folded
        if near or named:
            found.append(code)
    return sorted(found)


def render_card(language: str, card: ReportCard, tz: tzinfo) -> tuple[str, dict[str, Any] | None]:
    """The officer's card text and its buttons (none once the report is closed)."""
    local = card.created_at.astimezone(tz)
    lines = [
        t(language, "report.card.header", reference=card.reference),
        t(
            language,
            "report.card.place",
            commune=card.commune_name,
            time=local.strftime("%H:%M %d/%m/%Y"),
        ),
        t(language, "report.card.text", text=card.text),
    ]
    if card.photo_file_id:
        lines.append(t(language, "report.card.photo"))
    lines.append(t(language, "report.card.pin" if card.location else "report.card.no_pin"))
    if card.times_reported > 1:
        lines.append(t(language, "report.card.times", count=card.times_reported))
    if card.matched_cases:
        lines.append(t(language, "report.card.cases", codes=", ".join(card.matched_cases)))
    if card.state == "closed":
        outcome = plain(language, f"report.outcome.{card.outcome}")
        lines.append(t(language, "report.card.closed", outcome=outcome, name=card.handled_by or ""))
    elif card.state == "acknowledged":
        lines.append(t(language, "report.card.acknowledged", name=card.handled_by or ""))
    else:
        lines.append(t(language, "report.card.open"))
    text = Raw("\n".join(lines))
    return text, None if card.state == "closed" else main_keyboard(language, card)


def main_keyboard(language: str, card: ReportCard) -> dict[str, Any]:
    """Acknowledge, resolve (with an outcome) and mark as abuse."""
    rid = card.id
    first = [callback_button(plain(language, "report.button.resolve"), f"{CALLBACK_PREFIX}r:{rid}")]
    if card.state == "open":
        first.insert(
            0,
            callback_button(
                plain(language, "report.button.acknowledge"), f"{CALLBACK_PREFIX}a:{rid}"
            ),
        )
    return inline_keyboard(
        [
            first,
            [callback_button(plain(language, "report.button.abuse"), f"{CALLBACK_PREFIX}b:{rid}")],
        ]
    )


def outcome_keyboard(language: str, card: ReportCard) -> dict[str, Any]:
    """The outcomes an officer can pick, and a way back."""
    rid = card.id
    return inline_keyboard(
        [
            [
                callback_button(
                    plain(language, "report.button.confirmed"), f"{CALLBACK_PREFIX}o:{rid}:c"
                )
            ],
            [
                callback_button(
                    plain(language, "report.button.nothing_found"), f"{CALLBACK_PREFIX}o:{rid}:n"
                )
            ],
            [
                callback_button(
                    plain(language, "report.button.not_ours"), f"{CALLBACK_PREFIX}x:{rid}"
                )
            ],
            [callback_button(plain(language, "report.button.back"), f"{CALLBACK_PREFIX}k:{rid}")],
        ]
    )


def abuse_keyboard(language: str, card: ReportCard) -> dict[str, Any]:
    """A second tap to mark a report as abuse: it limits its reporter."""
    rid = card.id
    return inline_keyboard(
        [
            [
                callback_button(
                    plain(language, "report.button.abuse_yes"), f"{CALLBACK_PREFIX}o:{rid}:a"
                )
            ],
            [callback_button(plain(language, "report.button.back"), f"{CALLBACK_PREFIX}k:{rid}")],
        ]
    )


OUTCOME_CODES = {"c": CONFIRMED, "n": NOTHING_FOUND, "a": ABUSE}


def _require_open(report: CitizenReport) -> None:
    if report.state not in OPEN_STATES:
        raise UserError("report.already_closed", reference=report.reference)


def _close_alert(
    alert: Alert, state: str, officer_id: int, now: datetime, note: dict[str, Any]
) -> None:
    # The alerts module has no closing function for other modules yet; this mirrors its
    # fields (state, who and when, and the open key freed) until it does.
    alert.state = state
    alert.closed_at = now
    alert.closed_by = officer_id
    alert.open_key = None
    alert.updated_at = now
    alert.evidence = [*alert.evidence, {"at": now.isoformat(), **note}]


async def _alert(session: AsyncSession, report: CitizenReport) -> Alert | None:
    return await session.get(Alert, report.alert_id) if report.alert_id is not None else None


async def _card(session: AsyncSession, report: CitizenReport) -> ReportCard:
    commune = await commune_view(session, report.commune_code)
    handler_id = report.closed_by if report.state == "closed" else report.acknowledged_by
    handler = await session.get(Officer, handler_id) if handler_id is not None else None
    location = report.location
    return ReportCard(
        id=report.id,
        reference=report.reference,
        commune_code=report.commune_code,
        commune_name=commune.name,
        text=report.text,
        created_at=report.created_at,
        times_reported=report.times_reported,
        photo_file_id=report.photo_file_id,
        photo_kind=report.photo_kind,
        location=(float(location["lat"]), float(location["lon"])) if location else None,
        matched_cases=tuple(report.matched_cases or ()),
        state=report.state,
        outcome=report.outcome,
        handled_by=handler.display_name if handler is not None else None,
    )


async def _province_name(session: AsyncSession, code: int) -> str:
    return str(await session.scalar(select(Province.name).where(Province.code == code)) or "")


async def _new_reference(session: AsyncSession) -> str:
    while True:
        reference = "R" + "".join(
            secrets.choice(_REFERENCE_ALPHABET) for _ in range(_REFERENCE_LENGTH)
        )
        taken = await session.scalar(
            select(CitizenReport.id).where(CitizenReport.reference == reference)
        )
        if taken is None:
            return reference
