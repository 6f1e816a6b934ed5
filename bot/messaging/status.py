"""The outbox as an admin sees it (counts, the oldest waiting, recent failures), and the
way a direct reply that Telegram did not take goes out later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.messaging.message import Content
from bot.messaging.outbox import FAILED, PENDING, PRIORITY_REPLY, SENDING, SENT, enqueue
from bot.models import OutboxMessage


@dataclass(frozen=True)
class OutboxRowView:
    """One waiting or failed row, without its content (it may hold names)."""

    id: int
    chat_id: int
    kind: str
    purpose: str
    priority: int
    state: str
    attempts: int
    created_at: datetime
    not_before: datetime
    last_error: str | None


@dataclass(frozen=True)
class OutboxStatus:
    """The outbox at a glance: counts by state, attempts, the oldest waiting, recent failures."""

    pending_due: int
    pending_later: int
    sending: int
    sent: int
    failed: int
    attempts: int
    retried_rows: int
    oldest_waiting: OutboxRowView | None
    recent_failures: list[OutboxRowView]


def _row_view(row: OutboxMessage) -> OutboxRowView:
    return OutboxRowView(
        row.id,
        row.chat_id,
        row.kind,
        row.purpose,
        row.priority,
        row.state,
        row.attempts,
        row.created_at,
        row.not_before,
        row.last_error,
    )


async def outbox_status(session: AsyncSession, now: datetime, failures: int = 10) -> OutboxStatus:
    """Counts and the rows an admin looks at first."""
    counts: dict[str, int] = {}
    due = await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.state == PENDING, OutboxMessage.not_before <= now)
    )
    for state, count in await session.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    ):
        counts[state] = count
    attempts = await session.scalar(select(func.coalesce(func.sum(OutboxMessage.attempts), 0)))
    retried = await session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.attempts > 1)
    )
    oldest = await session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.state.in_((PENDING, SENDING)))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(1)
    )
    failed = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.state == FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(failures)
    )
    return OutboxStatus(
        pending_due=int(due or 0),
        pending_later=counts.get(PENDING, 0) - int(due or 0),
        sending=counts.get(SENDING, 0),
        sent=counts.get(SENT, 0),
        failed=counts.get(FAILED, 0),
        attempts=int(attempts or 0),
        retried_rows=int(retried or 0),
        oldest_waiting=_row_view(oldest) if oldest is not None else None,
        recent_failures=[_row_view(row) for row in failed],
    )


class OutboxService:
    """The outbox as an admin sees it, and direct replies handed to it."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def status(self) -> OutboxStatus:
        """Pending, failed and the oldest waiting, with attempt counts."""
        async with self._db.transaction() as session:
            return await outbox_status(session, self._clock.now())

    async def later(self, chat_id: int, content: Content, purpose: str = "reply") -> None:
        """Queue a direct reply that could not be sent now, at reply priority."""
        async with self._db.transaction() as session:
            enqueue(
                session,
                chat_id=chat_id,
                province=None,  # a reply: from the bot the person wrote to
                priority=PRIORITY_REPLY,
                purpose=purpose,
                now=self._clock.now(),
                content=content,
            )
