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

from sqlalchemy import select

from bot.alerts import AlertConfig, chat_unreachable
from bot.channels import Channel
from bot.db import Database
from bot.messaging.outbox import FAILED
from bot.messaging.sms.gateway import DeliveryReport, DeliveryStatus
from bot.models import OutboxMessage

logger = logging.getLogger(__name__)


class Recorded(StrEnum):
    """What a report changed."""

    DELIVERED = "delivered"
    FAILED = "failed"
    NOTHING = "nothing"  # under way, already known, or no such SMS


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
            logger.info("delivery report for an SMS cachly does not know")
            return Recorded.NOTHING
        if report.status is DeliveryStatus.DELIVERED and row.delivered_at is None:
            row.delivered_at = report.at or now
            return Recorded.DELIVERED
        if report.status is DeliveryStatus.FAILED and row.state != FAILED:
            row.state = FAILED
            row.last_error = f"not delivered: {report.reason or 'no reason'}"[:200]
            logger.warning("outbox row %s: SMS not delivered", row.id)
            await chat_unreachable(config, session, row.chat_id, now)
            return Recorded.FAILED
        return Recorded.NOTHING
