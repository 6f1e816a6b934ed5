"""The citizen's /report conversation: text, photo, place, commune, confirm, and the receipt."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.alerts import CITIZEN_REPORT, AlertConfig, raise_alert
from bot.areas import CommuneView, commune_view, find_communes
from bot.boundaries import BoundaryService
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.dialogues import DialogueState, current_dialogue, end_dialogue, save_dialogue
from bot.errors import UserError
from bot.models import CitizenReport
from bot.preferences import language_of
from bot.reports.copies import CardCopies
from bot.reports.matching import match_cases
from bot.reports.privacy import ReporterKeys
from bot.reports.records import new_reference, report_alert, served_commune
from bot.reports.values import (
    ABUSE,
    FLOW,
    MERGE_WINDOW,
    OPEN_STATES,
    Attachment,
    AttachmentKind,
    Draft,
    Receipt,
    ReportState,
    Step,
)
from bot.text import fold

PHOTO_MIME_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
_MB = 1024 * 1024


class ReportIntake:
    """Walks a citizen through a report and files it with its commune."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        boundaries: BoundaryService,
        keys: ReporterKeys | None,
        copies: CardCopies,
        alerts: AlertConfig,
    ) -> None:
        self._db = db
        self._clock = clock
        self._alerts = alerts
        self._boundaries = boundaries
        self._settings = settings.reports
        self._provinces = settings.deployment.provinces
        self._language = settings.deployment.language
        self._keys = keys
        self._copies = copies

    async def begin(self, telegram_user_id: int, chat_id: int) -> None:
        """Start a report, unless reports are off or the reporter is over a limit."""
        keys = self._require_keys()
        now = self._clock.now()
        async with self._db.transaction() as session:
            await self._check_limits(session, keys.pseudonym(telegram_user_id), now)
            state = DialogueState(telegram_user_id, chat_id, FLOW, Step.TEXT, {})
            await save_dialogue(session, state, now)

    async def give_text(self, telegram_user_id: int, text: str) -> Draft:
        """The description; refused (state kept) when too short or too long."""
        text = text.strip()
        low, high = self._settings.min_length, self._settings.max_length
        if not low <= len(text) <= high:
            raise UserError("report.text_length", min=low, max=high, length=len(text))
        return await self._advance(telegram_user_id, (Step.TEXT,), Step.PHOTO, text=text)

    async def give_photo(self, telegram_user_id: int, attachment: Attachment | None) -> Draft:
        """A photo (or an image sent as a file), or None to skip; anything else is refused."""
        photo: dict[str, Any] | None = None
        if attachment is not None:
            is_image = attachment.kind == AttachmentKind.PHOTO or (
                attachment.kind == AttachmentKind.DOCUMENT
                and attachment.mime_type in PHOTO_MIME_TYPES
            )
            if not is_image or not attachment.file_id:
                raise UserError("report.not_a_photo")
            limit = self._settings.max_photo_mb
            if attachment.size is not None and attachment.size > limit * _MB:
                raise UserError("report.photo_too_big", mb=limit)
            photo = {"file_id": attachment.file_id, "kind": str(attachment.kind)}
        return await self._advance(
            telegram_user_id, (Step.TEXT, Step.PHOTO), Step.LOCATION, photo=photo
        )

    async def give_location(
        self, telegram_user_id: int, point: tuple[float, float] | None, accuracy_m: float | None
    ) -> Draft:
        """Where it happens (None to skip); the commune follows from it if it can."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            state = await self._draft_state(session, telegram_user_id, (Step.LOCATION,))
            data = dict(state.data)
            data["location"] = None
            data.pop("outside", None)
            step = Step.COMMUNE
            if point is not None:
                lat, lon = point
                data["location"] = {"lat": lat, "lon": lon, "accuracy_m": accuracy_m}
                index = await self._boundaries.index(session)
                code = index.lookup(lat, lon) if index is not None else None
                if code is not None:
                    data["commune"] = code
                    data["routed_by"] = "location"
                    step = Step.CONFIRM
                elif index is not None:
                    data["outside"] = True
            state = DialogueState(state.telegram_user_id, state.chat_id, FLOW, step, data)
            await save_dialogue(session, state, now)
            return await self._draft(session, state)

    async def search_communes(self, telegram_user_id: int, query: str) -> list[CommuneView]:
        """The served communes whose name matches what the reporter typed, best first."""
        async with self._db.transaction() as session:
            await self._draft_state(session, telegram_user_id, (Step.COMMUNE,))
            return await find_communes(session, query, self._provinces, limit=6)

    async def choose_commune(self, telegram_user_id: int, commune_code: int) -> Draft:
        """The commune the reporter picked from the offered buttons."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            state = await self._draft_state(session, telegram_user_id, (Step.COMMUNE,))
            if await served_commune(session, commune_code, self._provinces) is None:
                raise UserError("report.stale_button")
            data = {**state.data, "commune": commune_code, "routed_by": "choice"}
            state = DialogueState(state.telegram_user_id, state.chat_id, FLOW, Step.CONFIRM, data)
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
            state = await self._draft_state(session, telegram_user_id, (Step.CONFIRM,))
            pseudonym = keys.pseudonym(telegram_user_id)
            await self._check_limits(session, pseudonym, now)
            commune = await served_commune(session, int(state.data["commune"]), self._provinces)
            if commune is None:
                raise UserError("report.stale_button")
            report = await self._new_report(session, state, commune, keys, now)
            first = await _first_alike(session, report, now)
            if first is not None:
                await self._merge(session, report, first, now)
            else:
                await self._file(session, report, now)
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
        self, session: AsyncSession, telegram_user_id: int, steps: tuple[Step, ...] | None
    ) -> DialogueState:
        state = await current_dialogue(session, telegram_user_id, self._clock.now())
        if state is None or state.flow != FLOW:
            raise UserError("report.no_draft")
        if steps is not None and state.step not in steps:
            raise UserError("report.stale_button")
        return state

    async def _advance(
        self, telegram_user_id: int, steps: tuple[Step, ...], step: Step, **changes: Any
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
            step=Step(state.step),
            text=str(data.get("text", "")),
            has_photo=bool(data.get("photo")),
            has_location=bool(data.get("location")),
            commune_name=name,
            outside_boundaries=bool(data.get("outside")),
        )

    async def _new_report(
        self,
        session: AsyncSession,
        state: DialogueState,
        commune: CommuneView,
        keys: ReporterKeys,
        now: datetime,
    ) -> CitizenReport:
        """The report row the confirmed draft makes, not yet added to the session."""
        data = state.data
        text = str(data["text"])
        photo = data.get("photo") or {}
        return CitizenReport(
            reference=await new_reference(session),
            commune_code=commune.code,
            province_code=commune.province_code,
            routed_by=str(data.get("routed_by", "choice")),
            text=text,
            text_key=hashlib.sha256(fold(text).encode("utf-8")).hexdigest(),
            photo_file_id=photo.get("file_id"),
            photo_kind=photo.get("kind"),
            location=data.get("location"),
            reporter_hash=keys.pseudonym(state.telegram_user_id),
            reply_to=keys.seal(state.chat_id),
            language=await language_of(session, state.telegram_user_id, self._language),
            state=ReportState.OPEN,
            times_reported=1,
            matched_cases=[],
            created_at=now,
            updated_at=now,
        )

    async def _file(self, session: AsyncSession, report: CitizenReport, now: datetime) -> None:
        """A new report: match its cases, raise its alert and send it to the officers."""
        report.matched_cases = await match_cases(
            session,
            report.commune_code,
            report.location,
            report.text,
            self._settings.case_distance_m,
        )
        session.add(report)
        await session.flush()
        raised = await raise_alert(
            self._alerts,
            session,
            kind=CITIZEN_REPORT,
            commune_code=report.commune_code,
            now=now,
            evidence={"report": report.reference},
        )
        report.alert_id = raised.id
        await self._copies.deliver(session, report, now)

    async def _merge(
        self, session: AsyncSession, report: CitizenReport, first: CitizenReport, now: datetime
    ) -> None:
        """Keep the repeat (for limits and its reporter's notice) and count it on the first."""
        report.merged_into_id = first.id
        report.state = ReportState.MERGED
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
            alert = await report_alert(session, first)
            if alert is not None:
                alert.evidence = [
                    *alert.evidence,
                    {"at": now.isoformat(), "times_reported": first.times_reported},
                ]
                alert.updated_at = now
            await self._copies.update(session, first, now)


async def _first_alike(
    session: AsyncSession, report: CitizenReport, now: datetime
) -> CitizenReport | None:
    """The open report with the same words in the same commune this last day, if any."""
    return await session.scalar(
        select(CitizenReport)
        .where(
            CitizenReport.text_key == report.text_key,
            CitizenReport.commune_code == report.commune_code,
            CitizenReport.created_at > now - MERGE_WINDOW,
            CitizenReport.state.in_(OPEN_STATES),
            CitizenReport.merged_into_id.is_(None),
        )
        .order_by(CitizenReport.id)
        .limit(1)
        .with_for_update()
    )
