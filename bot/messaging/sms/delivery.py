"""Delivery reports: the outbox row of the SMS is marked delivered, or failed.

The sender keeps each SMS's gateway id on its row (`receipt`). A report that it reached the
phone notes when; one that it failed gives the row up with the gateway's reason and marks
whoever the chat belongs to unreachable, as `Forbidden` does on Telegram (one alert to the
commune, not one per SMS), so officers phone or visit rather than wait for answers.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.alerts import UNREACHABLE, AlertConfig, raise_alert
from bot.channels import Channel
from bot.db import Database
from bot.messaging.contacts import contact_of_chat
from bot.messaging.outbox import FAILED
from bot.messaging.sms.gateway import DeliveryReport, DeliveryStatus
from bot.models import Case, OutboxMessage

logger = logging.getLogger(__name__)

# Cases someone still answers for: waiting for consent, or in isolation.
LIVE = ("pending", "active")


class Recorded(StrEnum):
    """What a report changed."""

    DELIVERED = "delivered"
    FAILED = "failed"
    NOTHING = "nothing"  # under way, or already known
    # No row has this receipt (yet: a fast report can overtake the sender's writing it
    # down): the endpoint asks the gateway to call again later.
    UNKNOWN = "unknown"


async def record_report(
    db: Database, config: AlertConfig, report: DeliveryReport, now: datetime
) -> Recorded:
    """Write one delivery report on its outbox row."""
    async with db.transaction() as session:
        row = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.bot == Channel.SMS.value, OutboxMessage.receipt == report.message_id
            )
        )
        if row is None:
            logger.info("delivery report for an SMS not (yet) known")
            return Recorded.UNKNOWN
        if report.status is DeliveryStatus.DELIVERED and row.delivered_at is None:
            row.delivered_at = report.at or now
            return Recorded.DELIVERED
        if report.status is DeliveryStatus.FAILED and row.state != FAILED:
            row.state = FAILED
            row.last_error = f"not delivered: {report.reason or 'no reason'}"[:200]
            logger.warning("outbox row %s: SMS not delivered", row.id)
            await number_unreachable(config, session, row.chat_id, now)
            return Recorded.FAILED
        return Recorded.NOTHING


async def number_unreachable(
    config: AlertConfig, session: AsyncSession, chat_id: int, now: datetime
) -> None:
    """No SMS reaches this contact's number: its cases are unreachable, one alert each.

    As `chat_unreachable` for a blocked Telegram chat (the SMS sender's `Forbidden` hook
    too), and also for a case still waiting for consent, which has no chat yet: the number
    it was registered with is the contact's.
    """
    contact = await contact_of_chat(session, chat_id)
    mine = Case.chat_id == chat_id
    if contact is not None:
        mine = or_(
            mine,
            and_(
                Case.chat_id.is_(None),
                Case.channel == Channel.SMS.value,
                Case.phone == contact.address,
            ),
        )
    cases = await session.scalars(select(Case).where(mine, Case.status.in_(LIVE)))
    for case in cases:
        if case.unreachable_since is not None:
            continue  # already known: one alert, not one per SMS
        case.unreachable_since = now
        await raise_alert(
            config,
            session,
            kind=UNREACHABLE,
            commune_code=case.commune_code,
            now=now,
            evidence={"reason": "undeliverable"},
            case_id=case.id,
        )
