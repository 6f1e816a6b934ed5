"""Purging what a closed case no longer needs: locations and check-in answers.

The privacy notice promises that locations and health answers are kept only while they
serve the isolation; some days after a case is closed (released, cancelled, transferred)
they are deleted. Check-in times and outcomes stay, without answers, so the commune's
statistics still add up. What was purged is counted in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.clock import Clock
from bot.db import Database
from bot.messaging.outbox import FAILED, SENT
from bot.models import Alert, Case, Checkin, LiveStream, LocationFix, OutboxMessage

CLOSED_STATUSES = ("released", "cancelled", "transferred")
# Enough per run to keep one transaction short; the next tick takes the rest.
BATCH = 500


@dataclass(frozen=True)
class Purged:
    """How much one run deleted or cleared."""

    cases: int = 0
    location_fixes: int = 0
    live_streams: int = 0
    checkins_cleared: int = 0
    alerts_cleared: int = 0
    messages_cleared: int = 0


class RetentionService:
    """Deletes locations and check-in answers of cases closed long enough ago."""

    def __init__(self, db: Database, clock: Clock, purge_after_days: int) -> None:
        self._db = db
        self._clock = clock
        self._after = timedelta(days=purge_after_days)

    async def purge(self) -> Purged:
        """Purge one batch of cases closed, and of messages sent, over the configured days ago."""
        now = self._clock.now()
        cutoff = now - self._after
        async with self._db.transaction() as session:
            ids = list(
                (
                    await session.scalars(
                        select(Case.id)
                        .where(
                            Case.status.in_(CLOSED_STATUSES),
                            Case.closed_at <= cutoff,
                            Case.purged_at.is_(None),
                        )
                        .order_by(Case.closed_at)
                        .limit(BATCH)
                    )
                ).all()
            )
            purged = await purge_cases(session, ids, now) if ids else Purged()
            cleared = await _clear_old_messages(session, cutoff, now)
            result = Purged(
                purged.cases,
                purged.location_fixes,
                purged.live_streams,
                purged.checkins_cleared,
                purged.alerts_cleared,
                cleared,
            )
            if result != Purged():
                _record(session, result, now)
            return result


def _record(session: AsyncSession, result: Purged, now: datetime) -> None:
    """What a purge removed, counted in the audit log (counts only)."""
    audit.record(
        session,
        at=now,
        actor=audit.SYSTEM,
        action="retention.purge",
        subject_type="cases",
        subject_id=result.cases,
        location_fixes=result.location_fixes,
        live_streams=result.live_streams,
        checkins_cleared=result.checkins_cleared,
        alerts_cleared=result.alerts_cleared,
        messages_cleared=result.messages_cleared,
    )


async def _clear_old_messages(session: AsyncSession, cutoff: datetime, now: datetime) -> int:
    """Empty old sent messages; how many.

    Sent messages keep their texts (names, vitals, map pins) in the outbox; once old, only
    the row stays, for the message id that later edits need.
    """
    old_messages = list(
        (
            await session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.state.in_((SENT, FAILED)),
                    OutboxMessage.created_at <= cutoff,
                    OutboxMessage.purged_at.is_(None),
                )
                .limit(BATCH * 10)
            )
        ).all()
    )
    if old_messages:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(old_messages))
            .values(body={}, purged_at=now)
            .execution_options(synchronize_session=False)
        )
    return len(old_messages)


async def purge_cases(session: AsyncSession, case_ids: list[int], now: datetime) -> Purged:
    """Delete the cases' locations and clear their check-in answers, alert evidence and home."""
    fixes = await _count(session, LocationFix, case_ids)
    # Fixes name their live stream, so they go first.
    await session.execute(delete(LocationFix).where(LocationFix.case_id.in_(case_ids)))
    streams = await _count(session, LiveStream, case_ids)
    await session.execute(delete(LiveStream).where(LiveStream.case_id.in_(case_ids)))
    # Times and outcomes stay for the statistics; what the person answered goes.
    checkins = await session.execute(
        update(Checkin)
        .where(Checkin.case_id.in_(case_ids))
        .values(answers={}, vitals={}, danger_signs=[])
        .execution_options(synchronize_session=False)
    )
    alerts = await session.execute(
        update(Alert)
        .where(Alert.case_id.in_(case_ids), Alert.open_key.is_(None))
        .values(evidence=[])
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Case)
        .where(Case.id.in_(case_ids))
        .values(zone=None, proposed_home=None, purged_at=now)
        .execution_options(synchronize_session=False)
    )
    return Purged(
        cases=len(case_ids),
        location_fixes=fixes,
        live_streams=streams,
        checkins_cleared=int(checkins.rowcount),  # type: ignore[attr-defined]
        alerts_cleared=int(alerts.rowcount),  # type: ignore[attr-defined]
    )


async def _count(
    session: AsyncSession, model: type[LocationFix] | type[LiveStream], case_ids: list[int]
) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(model).where(model.case_id.in_(case_ids))
        )
        or 0
    )
