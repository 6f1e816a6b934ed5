"""Delivery to officers: one copy per reader through the outbox, pins, and edits of the copies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import policy
from bot.access import lock_readers, release_resent, withheld
from bot.alerts.config import AlertConfig
from bot.alerts.display import render
from bot.alerts.values import (
    OUT_OF_ZONE,
    URGENT_KINDS,
)
from bot.messaging.message import Pin, Text
from bot.messaging.outbox import FAILED, PRIORITY_ALERT, PRIORITY_URGENT, enqueue, shows
from bot.models import Alert, AlertDelivery, Officer, OutboxMessage
from bot.policy import Role
from bot.preferences import language_of


async def commune_officers(session: AsyncSession, commune_code: int) -> list[Officer]:
    """The active officers of a commune, locked against a revocation until the commit."""
    rows = await session.scalars(
        lock_readers(
            select(Officer)
            .where(
                Officer.commune_code == commune_code,
                Officer.role == Role.OFFICER,
                Officer.revoked_at.is_(None),
            )
            .order_by(Officer.id)
        )
    )
    # The query narrows; the rule every path asks decides.
    return [o for o in rows if policy.entitled(o, commune_code, o.province_code)]


async def province_supervisors(session: AsyncSession, province_code: int) -> list[Officer]:
    """The active supervisors of a province, locked against a revocation until the commit."""
    rows = await session.scalars(
        lock_readers(
            select(Officer)
            .where(
                Officer.province_code == province_code,
                Officer.role == Role.SUPERVISOR,
                Officer.revoked_at.is_(None),
            )
            .order_by(Officer.id)
        )
    )
    return [o for o in rows if policy.entitled(o, None, province_code)]


def _priority(alert: Alert) -> int:
    return PRIORITY_URGENT if alert.kind in URGENT_KINDS else PRIORITY_ALERT


async def deliver(
    config: AlertConfig,
    session: AsyncSession,
    alert: Alert,
    readers: list[Officer],
    now: datetime,
    *,
    role: str = "officer",
    level: int = 0,
) -> None:
    """Queue one copy of the alert (and for out of zone, the pin) for every reader."""
    not_before = alert.deliver_at if alert.deliver_at and alert.deliver_at > now else now
    for reader in readers:
        if not policy.entitled(reader, alert.commune_code, alert.province_code):
            continue
        language = await language_of(session, reader.telegram_user_id, config.language)
        card = await render(session, alert, language, reader, now, config.tz, level=level)
        row = enqueue(
            session,
            chat_id=reader.telegram_user_id,
            province=alert.province_code,
            content=card,
            priority=_priority(alert),
            purpose="alert",
            now=now,
            not_before=not_before,
            ref_id=alert.id,
        )
        await session.flush()
        session.add(
            AlertDelivery(
                alert_id=alert.id,
                officer_id=reader.id,
                chat_id=reader.telegram_user_id,
                outbox_id=row.id,
                role=role,
                level=level,
                created_at=now,
            )
        )
        if alert.kind == OUT_OF_ZONE and alert.evidence:
            _pin(session, alert, alert.evidence[-1], reader.telegram_user_id, now, not_before)
    await session.flush()


def _pin(
    session: AsyncSession,
    alert: Alert,
    entry: dict[str, Any],
    chat_id: int,
    now: datetime,
    not_before: datetime,
) -> None:
    if "lat" not in entry or "lon" not in entry:
        return
    enqueue(
        session,
        chat_id=chat_id,
        province=alert.province_code,
        content=Pin(entry["lat"], entry["lon"], entry.get("accuracy_m") or None),
        priority=_priority(alert),
        purpose="alert_pin",
        now=now,
        not_before=not_before,
        ref_id=alert.id,
    )


async def send_pins(
    session: AsyncSession, alert: Alert, entry: dict[str, Any], now: datetime
) -> None:
    """A new outside fix: a new pin under every copy, so the map shows where they are now."""
    for delivery, _reader in await entitled_copies(session, alert, now, "pin"):
        _pin(session, alert, entry, delivery.chat_id, now, now)


async def deliveries(session: AsyncSession, alert_id: int) -> list[AlertDelivery]:
    """Every copy of the alert, to whomever it went."""
    return list(
        await session.scalars(
            select(AlertDelivery)
            .where(AlertDelivery.alert_id == alert_id)
            .order_by(AlertDelivery.id)
        )
    )


async def entitled_copies(
    session: AsyncSession, alert: Alert, now: datetime, what: str
) -> list[tuple[AlertDelivery, Officer]]:
    """The copies whose reader may still be told about the alert; the others are audited."""
    rows = (
        await session.execute(
            lock_readers(
                select(AlertDelivery, Officer)
                .join(Officer, Officer.id == AlertDelivery.officer_id)
                .where(AlertDelivery.alert_id == alert.id)
                .order_by(AlertDelivery.id)
            )
        )
    ).all()
    kept, lost = [], []
    for delivery, reader in rows:
        if policy.entitled(reader, alert.commune_code, alert.province_code):
            kept.append((delivery, reader))
        else:
            lost.append(reader)
    withheld(session, now, lost, "alert", alert.id, what)
    return kept


async def refresh_copies(
    config: AlertConfig, session: AsyncSession, alert: Alert, now: datetime
) -> None:
    """Edit every delivered copy of the alert whose text or choices have changed."""
    for delivery, reader in await entitled_copies(session, alert, now, "edit"):
        language = await language_of(session, reader.telegram_user_id, config.language)
        card = await render(session, alert, language, reader, now, config.tz, level=delivery.level)
        # Telegram refuses an edit that changes nothing ("message is not modified"): a call
        # wasted in the shared rate, so compare with what this copy was last given.
        if await _shows_already(session, delivery, card):
            continue
        enqueue(
            session,
            chat_id=delivery.chat_id,
            province=alert.province_code,
            content=card,
            priority=_priority(alert),
            purpose="alert_edit",
            now=now,
            ref_id=alert.id,
            edit_of_id=delivery.outbox_id,
        )


async def _shows_already(session: AsyncSession, delivery: AlertDelivery, card: Text) -> bool:
    """Whether the copy was last queued with this very text and choices (itself or an edit)."""
    row = await session.scalar(
        select(OutboxMessage)
        .where(
            or_(
                OutboxMessage.id == delivery.outbox_id,
                and_(
                    OutboxMessage.edit_of_id == delivery.outbox_id,
                    # A failed edit never reached the chat: what it shows is the one before.
                    OutboxMessage.state != FAILED,
                ),
            )
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    return row is not None and shows(row, card)


async def delivery_resent(session: AsyncSession, old_outbox_id: int, new_outbox_id: int) -> None:
    """A copy was queued again after a crash (sender hook): edits follow the new one.

    Withheld instead if its reader lost access since it was first queued.
    """
    for delivery in await session.scalars(
        select(AlertDelivery).where(AlertDelivery.outbox_id == old_outbox_id)
    ):
        delivery.outbox_id = new_outbox_id
    await release_resent(session, new_outbox_id)
