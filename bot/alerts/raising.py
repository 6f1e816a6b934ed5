"""Raising alerts: one open alert per case and kind, evidence added to it, quiet hours."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.alerts.config import AlertConfig
from bot.alerts.delivery import (
    commune_officers,
    deliver,
    province_supervisors,
    refresh_copies,
    send_pins,
)
from bot.alerts.values import (
    HELD_KINDS,
    OPEN,
    OUT_OF_ZONE,
    SELF_DELIVERED_KINDS,
    SEVERITY,
    UNREACHABLE,
    RaisedAlert,
)
from bot.models import Alert, Case, Commune, Officer
from bot.routing import served

logger = logging.getLogger(__name__)


async def raise_alert(
    config: AlertConfig,
    session: AsyncSession,
    *,
    kind: str,
    commune_code: int,
    now: datetime,
    evidence: dict[str, Any],
    case_id: int | None = None,
    officer_id: int | None = None,
) -> RaisedAlert:
    """Open an alert, or add the evidence to the open alert of the same case and kind.

    Runs inside the caller's unit of work, so the alert, its evidence and its outbox rows
    are written together with whatever caused them. New evidence on an open alert edits
    the copies already delivered instead of sending new ones.
    """
    if kind not in SEVERITY:
        raise ValueError(f"unknown alert kind {kind}")
    entry = {"at": now.isoformat(), **evidence}
    open_key = _open_key(kind, case_id, officer_id)
    alert = (
        await session.scalar(select(Alert).where(Alert.open_key == open_key))
        if open_key is not None
        else None
    )
    if alert is not None:
        await _add_evidence(config, session, alert, entry, now)
        return RaisedAlert(alert.id, kind, is_new=False)
    alert = await _open(
        config, session, kind, commune_code, entry, now, case_id, officer_id, open_key
    )
    return RaisedAlert(alert.id, kind, is_new=True)


async def _add_evidence(
    config: AlertConfig, session: AsyncSession, alert: Alert, entry: dict[str, Any], now: datetime
) -> None:
    """New evidence on an open alert: its copies are edited, and out of zone gets a new pin."""
    alert.evidence = [*alert.evidence, entry]
    alert.updated_at = now
    await session.flush()
    await refresh_copies(config, session, alert, now)
    if alert.kind == OUT_OF_ZONE:
        await send_pins(session, alert, entry, now)


async def _open(
    config: AlertConfig,
    session: AsyncSession,
    kind: str,
    commune_code: int,
    entry: dict[str, Any],
    now: datetime,
    case_id: int | None,
    officer_id: int | None,
    open_key: str | None,
) -> Alert:
    """A new alert, audited and (unless its cause delivers it) queued to its readers."""
    province_code = await session.scalar(
        select(Commune.province_code).where(Commune.code == commune_code)
    )
    if province_code is None:
        raise ValueError(f"unknown commune {commune_code}")
    alert = Alert(
        kind=kind,
        severity=SEVERITY[kind],
        case_id=case_id,
        officer_id=officer_id,
        commune_code=commune_code,
        province_code=province_code,
        state=OPEN,
        open_key=open_key,
        evidence=[entry],
        opened_at=now,
        updated_at=now,
        escalation_level=0,
        deliver_at=hold_until(config, kind, now),
    )
    session.add(alert)
    await session.flush()
    audit.record(
        session,
        at=now,
        actor=audit.SYSTEM,
        action="alert.open",
        subject_type="alert",
        subject_id=alert.id,
        kind=kind,
        case=case_id,
        officer=officer_id,
    )
    if kind not in SELF_DELIVERED_KINDS:
        if officer_id is not None:
            readers = await province_supervisors(session, province_code)
        else:
            readers = await commune_officers(session, commune_code)
        await deliver(config, session, alert, readers, now)
    return alert


def _open_key(kind: str, case_id: int | None, officer_id: int | None) -> str | None:
    if case_id is not None:
        return f"case:{case_id}:{kind}"
    if officer_id is not None:
        return f"officer:{officer_id}:{kind}"
    return None


def hold_until(config: AlertConfig, kind: str, now: datetime) -> datetime:
    """When an alert of this kind raised now goes out: at once, or at the end of quiet hours."""
    if kind not in HELD_KINDS:
        return now
    return quiet_hours_end(config, now) or now


def quiet_hours_end(config: AlertConfig, now: datetime) -> datetime | None:
    """The end of the quiet hours `now` falls in (UTC), or None outside them."""
    settings = config.settings
    start, end = time.fromisoformat(settings.quiet_start), time.fromisoformat(settings.quiet_end)
    local = now.astimezone(config.tz)
    clock = local.time()
    quiet = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not quiet:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=config.tz).astimezone(UTC)


async def note_back_home(
    config: AlertConfig, session: AsyncSession, case_id: int, now: datetime
) -> None:
    """The person is back inside the zone: the open out-of-zone alert says since when."""
    alert = await session.scalar(
        select(Alert).where(Alert.open_key == _open_key(OUT_OF_ZONE, case_id, None))
    )
    if alert is None:
        return
    alert.evidence = [*alert.evidence, {"at": now.isoformat(), "back_home": True}]
    alert.updated_at = now
    await session.flush()
    await refresh_copies(config, session, alert, now)


async def chat_unreachable(
    config: AlertConfig, session: AsyncSession, chat_id: int, now: datetime
) -> None:
    """Telegram answered Forbidden for this chat (sender hook): flag whoever it belongs to.

    The sender calls it with the session, chat and time: bind `config` first
    (`functools.partial(chat_unreachable, config)`).

    A person's cases get `unreachable_since` and one unreachable alert to their commune; an
    officer gets an unreachable alert to the province's supervisors.
    """
    await _cases_unreachable(config, session, chat_id, now)
    await _officer_unreachable(config, session, chat_id, now)


async def _cases_unreachable(
    config: AlertConfig, session: AsyncSession, chat_id: int, now: datetime
) -> None:
    """The chat's pending and active cases: marked unreachable, one alert each."""
    cases = await session.scalars(
        select(Case).where(
            Case.chat_id == chat_id,
            Case.status.in_(("pending", "active")),
            # The bot that was refused: a person may still hear from another bot.
            served(session, Case.province_code),
        )
    )
    for case in cases:
        if case.unreachable_since is not None:
            continue  # already known; one alert, not one per message
        case.unreachable_since = now
        await raise_alert(
            config,
            session,
            kind=UNREACHABLE,
            commune_code=case.commune_code,
            now=now,
            evidence={"reason": "blocked"},
            case_id=case.id,
        )


async def _officer_unreachable(
    config: AlertConfig, session: AsyncSession, chat_id: int, now: datetime
) -> None:
    """The chat's officer, if any: audited, and one alert to the province's supervisors."""
    officer = await session.scalar(
        select(Officer).where(
            Officer.telegram_user_id == chat_id,
            Officer.revoked_at.is_(None),
            served(session, Officer.province_code),
        )
    )
    if officer is None:
        return
    audit.record(
        session,
        at=now,
        actor=audit.SYSTEM,
        action="officer.unreachable",
        subject_type="officer",
        subject_id=officer.id,
    )
    if officer.commune_code is None:
        logger.warning("supervisor %s blocked the bot", officer.id)
        return
    if await session.scalar(
        select(Alert.id).where(Alert.open_key == _open_key(UNREACHABLE, None, officer.id))
    ):
        return
    await raise_alert(
        config,
        session,
        kind=UNREACHABLE,
        commune_code=officer.commune_code,
        now=now,
        evidence={"reason": "officer_blocked"},
        officer_id=officer.id,
    )
