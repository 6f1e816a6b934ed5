"""`services.alerts`: officers' button presses and lists, and the periodic tick."""

from __future__ import annotations

from sqlalchemy import select

from bot import audit, policy
from bot.alerts.closing import close
from bot.alerts.config import AlertConfig
from bot.alerts.delivery import refresh_copies
from bot.alerts.display import officer_name, parse_callback, render
from bot.alerts.escalation import escalate_due, raise_home_not_set
from bot.alerts.values import (
    ACKNOWLEDGED,
    ACTIONS,
    CLOSED_STATES,
    FALSE_ALARM,
    NO_FALSE_ALARM_KINDS,
    OPEN_STATES,
    ActionResult,
)
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.errors import NotAuthorised, UserError
from bot.messaging.message import Text
from bot.models import Alert, Officer
from bot.officers import require_officer
from bot.preferences import language_of


def _may_see(officer: Officer, alert: Alert) -> bool:
    # An alert about an officer (one who blocked the bot) is for the supervisors alone.
    if officer.role == policy.Role.OFFICER and alert.officer_id is not None:
        return False
    return policy.may_see(officer, alert.commune_code, alert.province_code)


class AlertService:
    """Button presses, lists and the periodic escalation of alerts."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self.config = AlertConfig.from_settings(settings)

    async def act(self, telegram_user_id: int, data: str) -> ActionResult:
        """Acknowledge, resolve or call a false alarm from a button; everything re-checked."""
        parsed = parse_callback(data)
        if parsed is None:
            async with self._db.transaction() as session:
                await require_officer(session, telegram_user_id)
            raise NotAuthorised("alert.refused")
        return await self.perform(telegram_user_id, *parsed)

    async def perform(self, telegram_user_id: int, action: str, alert_id: int) -> ActionResult:
        """Acknowledge, resolve or call a false alarm (a button, or the web desk's form)."""
        if action not in ACTIONS.values():
            raise NotAuthorised("alert.refused")
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            language = await language_of(session, telegram_user_id, self.config.language)
            alert = await session.get(Alert, alert_id, with_for_update=True)
            if alert is None or not _may_see(officer, alert):
                raise NotAuthorised("alert.refused")
            if alert.state in CLOSED_STATES:
                name = await officer_name(session, alert.closed_by)
                raise UserError(f"alert.already_{alert.state}", name=name)
            if action == FALSE_ALARM and alert.kind in NO_FALSE_ALARM_KINDS:
                raise NotAuthorised("alert.refused")  # no such button on this card
            if action == "acknowledge":
                if alert.state == ACKNOWLEDGED:
                    name = await officer_name(session, alert.acknowledged_by)
                    raise UserError("alert.already_acknowledged", name=name)
                alert.state = ACKNOWLEDGED
                alert.acknowledged_at = now
                alert.acknowledged_by = officer.id
                alert.updated_at = now
            else:
                if alert.acknowledged_at is None:
                    # Closing straight away also counts as taking it.
                    alert.acknowledged_at, alert.acknowledged_by = now, officer.id
                close(alert, action, officer.id, now)
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action=f"alert.{action}",
                subject_type="alert",
                subject_id=alert.id,
                kind=alert.kind,
            )
            await session.flush()
            await refresh_copies(self.config, session, alert, now)
            return ActionResult(alert.id, action, alert.state, language)

    async def open_alerts(self, telegram_user_id: int, limit: int = 10) -> list[Text]:
        """The caller's commune's (a supervisor: province's) open alerts, most urgent first."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            language = await language_of(session, telegram_user_id, self.config.language)
            query = select(Alert).where(Alert.state.in_(OPEN_STATES))
            query = query.where(
                policy.area_clause(officer, Alert.commune_code, Alert.province_code)
            )
            if officer.role == policy.Role.OFFICER:
                query = query.where(Alert.officer_id.is_(None))
            alerts = await session.scalars(
                query.order_by(Alert.severity, Alert.opened_at, Alert.id).limit(limit)
            )
            tz = self.config.tz
            return [await render(session, alert, language, officer, now, tz) for alert in alerts]

    async def tick(self) -> int:
        """Escalate what nobody acknowledged in time, and raise home-not-set; how many."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            done = await escalate_due(self.config, session, now)
            done += await raise_home_not_set(self.config, session, now)
            return done
