"""Alert counts for the daily digest, and the bounds of a local day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.alerts.values import (
    CLOSED_STATES,
    OPEN_STATES,
)
from bot.models import Alert


async def alert_counts(
    session: AsyncSession, commune_codes: list[int], day_start: datetime, day_end: datetime
) -> tuple[dict[str, int], dict[str, int], float | None]:
    """Open alerts by kind, alerts closed in the day by kind, median minutes to acknowledge."""
    open_rows = await session.execute(
        select(Alert.kind, func.count())
        .where(Alert.commune_code.in_(commune_codes), Alert.state.in_(OPEN_STATES))
        .group_by(Alert.kind)
    )
    closed_rows = await session.execute(
        select(Alert.kind, func.count())
        .where(
            Alert.commune_code.in_(commune_codes),
            Alert.state.in_(CLOSED_STATES),
            Alert.closed_at >= day_start,
            Alert.closed_at < day_end,
        )
        .group_by(Alert.kind)
    )
    acked = await session.execute(
        select(Alert.opened_at, Alert.deliver_at, Alert.acknowledged_at).where(
            Alert.commune_code.in_(commune_codes),
            Alert.acknowledged_at >= day_start,
            Alert.acknowledged_at < day_end,
        )
    )
    waits = sorted(
        (ack - (deliver or opened)).total_seconds() / 60
        for opened, deliver, ack in acked.all()
        if ack is not None
    )
    median = None
    if waits:
        middle = len(waits) // 2
        median = waits[middle] if len(waits) % 2 else (waits[middle - 1] + waits[middle]) / 2
    return (
        {kind: count for kind, count in open_rows.all()},
        {kind: count for kind, count in closed_rows.all()},
        median,
    )


def local_day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The UTC start and end of a local calendar day."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)
