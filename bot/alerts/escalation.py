"""The escalation tick: alerts nobody took in time go to the province's supervisors."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.alerts.config import AlertConfig
from bot.alerts.delivery import deliver, deliveries, province_supervisors, refresh_copies
from bot.alerts.raising import quiet_hours_end, raise_alert
from bot.alerts.values import (
    ESCALATION_HELD_KINDS,
    HOME_NOT_SET,
    OPEN,
)
from bot.models import Alert, Case

logger = logging.getLogger(__name__)


async def escalate_due(config: AlertConfig, session: AsyncSession, now: datetime) -> int:
    """Send alerts left open past their kind's deadline (and again past the second) upward."""
    settings = config.settings
    candidates = await session.scalars(
        select(Alert)
        .where(Alert.state == OPEN, Alert.escalation_level < 2, Alert.officer_id.is_(None))
        .order_by(Alert.severity, Alert.id)
        .with_for_update(skip_locked=True)
    )
    count = 0
    for alert in list(candidates):
        deadline = timedelta(minutes=settings.deadline_minutes(alert.kind))
        start = alert.deliver_at or alert.opened_at
        level = alert.escalation_level + 1
        due = start + deadline * (1 if level == 1 else settings.second_escalation_factor)
        if due > now:
            continue
        if alert.kind in ESCALATION_HELD_KINDS and quiet_hours_end(config, now) is not None:
            continue  # the next tick after the quiet hours end escalates it
        alert.escalation_level = level
        alert.escalated_at = now
        alert.updated_at = now
        audit.record(
            session,
            at=now,
            actor=audit.SYSTEM,
            action="alert.escalate",
            subject_type="alert",
            subject_id=alert.id,
            level=level,
        )
        supervisors = await province_supervisors(session, alert.province_code)
        if not supervisors:
            logger.warning("alert %s escalated but the province has no supervisor", alert.id)
        # One card per supervisor per alert: a card from the first level is edited to show
        # the next one; only a supervisor without a card yet gets a new message.
        carded = set()
        for delivery in await deliveries(session, alert.id):
            if delivery.role == "escalation":
                delivery.level = level
                carded.add(delivery.officer_id)
        fresh = [supervisor for supervisor in supervisors if supervisor.id not in carded]
        await deliver(config, session, alert, fresh, now, role="escalation", level=level)
        await refresh_copies(config, session, alert, now)
        count += 1
    return count


async def raise_home_not_set(config: AlertConfig, session: AsyncSession, now: datetime) -> int:
    """One alert for each enrolled case whose home is still not anchored after the delay."""
    settings = config.settings
    cutoff = now - timedelta(hours=settings.home_not_set_hours)
    already = select(Alert.id).where(Alert.case_id == Case.id, Alert.kind == HOME_NOT_SET)
    cases = await session.scalars(
        select(Case).where(
            Case.status == "active",
            Case.home_status != "set",
            Case.enrolled_at.is_not(None),
            Case.enrolled_at <= cutoff,
            ~already.exists(),
        )
    )
    count = 0
    for case in list(cases):
        await raise_alert(
            config,
            session,
            kind=HOME_NOT_SET,
            commune_code=case.commune_code,
            now=now,
            evidence={"hours": settings.home_not_set_hours},
            case_id=case.id,
        )
        count += 1
    return count
