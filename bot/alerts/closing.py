"""Closing an alert as resolved or a false alarm."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.alerts.config import AlertConfig
from bot.alerts.delivery import refresh_copies
from bot.alerts.values import (
    CLOSED_STATES,
    OPEN_STATES,
)
from bot.models import Alert


async def close_alert(
    config: AlertConfig,
    session: AsyncSession,
    alert_id: int,
    *,
    state: str,
    officer_id: int | None,
    now: datetime,
    **details: Any,
) -> bool:
    """Close an open alert as resolved or a false alarm (for services that own the cause)."""
    if state not in CLOSED_STATES:
        raise ValueError(f"not a closed state: {state}")
    alert = await session.get(Alert, alert_id)
    if alert is None or alert.state not in OPEN_STATES:
        return False
    close(alert, state, officer_id, now)
    audit.record(
        session,
        at=now,
        actor=audit.officer_actor(officer_id) if officer_id else audit.SYSTEM,
        action=f"alert.{state}",
        subject_type="alert",
        subject_id=alert.id,
        **details,
    )
    await refresh_copies(config, session, alert, now)
    return True


def close(alert: Alert, state: str, officer_id: int | None, now: datetime) -> None:
    alert.state = state
    alert.closed_at = now
    alert.closed_by = officer_id
    alert.open_key = None  # frees the slot: the next evidence opens a new alert
    alert.updated_at = now
