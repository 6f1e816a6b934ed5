"""What the OA's template messages cost: each ZNS sent, its price, whether it arrived.

The transport records every ZNS message Zalo accepted (`ZnsLedger.record`), the webhook
notes its delivery by its tracking id (`delivered`), and `zns_usage` sums them for the
operator (`cachly doctor`). Free messages in the window cost nothing and are not kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.models import ZnsMessage


@dataclass(frozen=True, slots=True)
class ZnsUsage:
    """Template messages since a moment: how many, how many arrived, their price."""

    sent: int
    delivered: int
    cost_vnd: int


class ZnsLedger:
    """The zns_messages table, one unit of work per call."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        *,
        contact_id: int,
        purpose: str,
        template_id: str,
        price_vnd: int,
        tracking_id: str,
        at: datetime,
    ) -> None:
        """A template message Zalo accepted."""
        async with self._db.transaction() as session:
            session.add(
                ZnsMessage(
                    contact_id=contact_id,
                    purpose=purpose,
                    template_id=template_id,
                    price_vnd=price_vnd,
                    tracking_id=tracking_id,
                    sent_at=at,
                )
            )

    async def delivered(self, tracking_id: str, at: datetime) -> bool:
        """Zalo says the message reached the phone; whether it was one of ours."""
        async with self._db.transaction() as session:
            result = await session.execute(
                update(ZnsMessage)
                .where(ZnsMessage.tracking_id == tracking_id, ZnsMessage.delivered_at.is_(None))
                .values(delivered_at=at)
            )
            return bool(getattr(result, "rowcount", 0))


async def zns_usage(session: AsyncSession, since: datetime) -> ZnsUsage:
    """The template messages sent since `since`."""
    row = (
        await session.execute(
            select(
                func.count(ZnsMessage.id),
                func.count(ZnsMessage.delivered_at),
                func.coalesce(func.sum(ZnsMessage.price_vnd), 0),
            ).where(ZnsMessage.sent_at >= since)
        )
    ).one()
    return ZnsUsage(int(row[0]), int(row[1]), int(row[2]))
