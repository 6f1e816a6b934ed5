"""Officers handle a report: list, take, close with an outcome, or pass it to another commune."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, policy
from bot.alerts import CITIZEN_REPORT, AlertConfig, raise_alert
from bot.areas import CommuneView, commune_view, find_communes
from bot.catalogue import t
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.dialogues import DialogueState, current_dialogue, end_dialogue, save_dialogue
from bot.errors import NotAuthorised, UserError
from bot.messaging.message import Text
from bot.messaging.outbox import PRIORITY_REPLY, enqueue
from bot.models import CitizenReport, Officer
from bot.officers import require_officer
from bot.reports.copies import CardCopies
from bot.reports.matching import match_cases
from bot.reports.privacy import ReporterKeys
from bot.reports.records import (
    close_alert,
    load_card,
    province_name,
    report_alert,
    require_open,
    served_commune,
)
from bot.reports.values import (
    ABUSE,
    CONFIRMED,
    NOTHING_FOUND,
    NOTICE,
    OPEN_STATES,
    OUTCOMES,
    REROUTE_FLOW,
    Outcome,
    ReportCard,
    ReportState,
    Step,
)

# What a closed report does to its alert.
_ALERT_STATE = {CONFIRMED: "resolved", NOTHING_FOUND: "false_alarm", ABUSE: "false_alarm"}


class ReportHandling:
    """What the officers of a report's commune (or province) do with it."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        keys: ReporterKeys | None,
        copies: CardCopies,
        alerts: AlertConfig,
    ) -> None:
        self._db = db
        self._clock = clock
        self._alerts = alerts
        self._settings = settings.reports
        self._provinces = settings.deployment.provinces
        self._keys = keys
        self._copies = copies

    async def open_reports(self, telegram_user_id: int) -> tuple[str, list[ReportCard]]:
        """The open reports of the officer's commune (a supervisor's: the province's)."""
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            statement = select(CitizenReport).where(
                CitizenReport.state.in_(OPEN_STATES), CitizenReport.merged_into_id.is_(None)
            )
            statement = statement.where(
                policy.area_clause(officer, CitizenReport.commune_code, CitizenReport.province_code)
            )
            if policy.is_commune_officer(officer) and officer.commune_code is not None:
                area = (await commune_view(session, officer.commune_code)).name
            else:
                area = await province_name(session, officer.province_code)
            rows = (await session.scalars(statement.order_by(CitizenReport.created_at))).all()
            return area, [await load_card(session, row) for row in rows]

    async def card(self, telegram_user_id: int, report_id: int) -> ReportCard:
        """One report of the officer's area, in any state."""
        async with self._db.transaction() as session:
            _, report = await self._officer_report(session, telegram_user_id, report_id)
            return await load_card(session, report)

    async def open_card(self, telegram_user_id: int, report_id: int) -> ReportCard:
        """One report the officer may still act on (refused once it is closed)."""
        async with self._db.transaction() as session:
            _, report = await self._officer_report(session, telegram_user_id, report_id)
            require_open(report)
            return await load_card(session, report)

    async def acknowledge(
        self, telegram_user_id: int, report_id: int, shown_in: tuple[int, int] | None = None
    ) -> ReportCard:
        """The officer takes the report; every copy shows who did.

        `shown_in` (chat id, message id) is the copy the caller redraws itself.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer, report = await self._officer_report(session, telegram_user_id, report_id)
            require_open(report)
            if report.state == ReportState.ACKNOWLEDGED and report.acknowledged_by != officer.id:
                taker = await session.get(Officer, report.acknowledged_by)
                raise UserError("report.already_taken", name=taker.display_name if taker else "")
            if report.state == ReportState.OPEN:
                report.state = ReportState.ACKNOWLEDGED
                report.acknowledged_at = now
                report.acknowledged_by = officer.id
                report.updated_at = now
                alert = await report_alert(session, report)
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
                await self._copies.update(session, report, now, skip=shown_in)
            return await load_card(session, report)

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
        found = Outcome(outcome)
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer, report = await self._officer_report(session, telegram_user_id, report_id)
            require_open(report)
            repeats = (
                await session.scalars(
                    select(CitizenReport).where(CitizenReport.merged_into_id == report.id)
                )
            ).all()
            for row in (report, *repeats):
                row.state = ReportState.CLOSED if row is report else ReportState.MERGED
                row.outcome = found
                row.closed_at = now
                row.closed_by = officer.id
                row.updated_at = now
                self._notify_reporter(session, row, now)
            alert = await report_alert(session, report)
            if alert is not None and alert.state in OPEN_STATES:
                close_alert(alert, _ALERT_STATE[found], officer.id, now, {"outcome": found})
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="report.close",
                subject_type="report",
                subject_id=report.id,
                outcome=found,
                repeats=len(repeats),
            )
            await self._copies.update(session, report, now, skip=shown_in)
            return await load_card(session, report)

    async def begin_reroute(self, telegram_user_id: int, chat_id: int, report_id: int) -> str:
        """'Not our commune': ask the officer for the right one; returns the reference."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            _, report = await self._officer_report(session, telegram_user_id, report_id)
            require_open(report)
            state = DialogueState(
                telegram_user_id, chat_id, REROUTE_FLOW, Step.COMMUNE, {"report": report.id}
            )
            await save_dialogue(session, state, now)
            return report.reference

    async def reroute_choices(
        self, telegram_user_id: int, report_id: int, query: str
    ) -> list[CommuneView]:
        """Served communes matching the officer's words, other than the report's own."""
        async with self._db.transaction() as session:
            _, report = await self._officer_report(session, telegram_user_id, report_id)
            require_open(report)
            found = await find_communes(session, query, self._provinces, limit=7)
            return [c for c in found if c.code != report.commune_code][:6]

    async def reroute(self, telegram_user_id: int, report_id: int, commune_code: int) -> ReportCard:
        """Hand the report to another commune: its officers get it as a new alert."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer, report = await self._officer_report(session, telegram_user_id, report_id)
            require_open(report)
            target = await served_commune(session, commune_code, self._provinces)
            if target is None or target.code == report.commune_code:
                raise UserError("report.stale_button")
            previous = report.commune_code
            await self._hand_over(session, report, target, officer, now)
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
            return await load_card(session, report)

    # ---- internals --------------------------------------------------------------------

    async def _hand_over(
        self,
        session: AsyncSession,
        report: CitizenReport,
        target: CommuneView,
        officer: Officer,
        now: datetime,
    ) -> None:
        """Move an open report to the target commune as a fresh one, with a new alert."""
        previous = report.commune_code
        alert = await report_alert(session, report)
        if alert is not None and alert.state in OPEN_STATES:
            close_alert(alert, "resolved", officer.id, now, {"rerouted_to": target.code})
        # Officers of the old commune see their copies say where it went.
        report.commune_code = target.code
        report.province_code = target.province_code
        await self._copies.update(session, report, now, left=previous)
        report.routed_by = "officer"
        report.state = ReportState.OPEN
        report.acknowledged_at = None
        report.acknowledged_by = None
        report.updated_at = now
        report.matched_cases = await match_cases(
            session, target.code, report.location, report.text, self._settings.case_distance_m
        )
        raised = await raise_alert(
            self._alerts,
            session,
            kind=CITIZEN_REPORT,
            commune_code=target.code,
            now=now,
            evidence={"report": report.reference, "rerouted_from": previous},
        )
        report.alert_id = raised.id
        await session.flush()
        await self._copies.deliver(session, report, now)

    async def _officer_report(
        self, session: AsyncSession, telegram_user_id: int, report_id: int
    ) -> tuple[Officer, CitizenReport]:
        """The caller and the report, if it is theirs to see: their commune or province."""
        officer = await require_officer(session, telegram_user_id)
        report = await session.get(CitizenReport, report_id, with_for_update=True)
        if report is None or report.merged_into_id is not None:
            raise NotAuthorised()
        if not policy.may_see(officer, report.commune_code, report.province_code):
            raise NotAuthorised()
        return officer, report

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
        enqueue(
            session,
            chat_id=chat_id,
            province=report.province_code,
            content=Text(text),
            priority=PRIORITY_REPLY,
            purpose=NOTICE,
            now=now,
        )
