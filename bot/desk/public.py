"""The public situation page's numbers: counts per commune and province, nothing personal.

Counts under `SMALL` are shown as "< 5" (see `shown`), so that nobody in a small commune
can be singled out. The numbers are computed once a minute at most (`CACHE_SECONDS`): the
page is public and must stay cheap whoever opens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import case, func, or_, select

from bot.alerts.counts import local_day_bounds
from bot.cases.values import ACTIVE, RELEASED
from bot.clock import Clock
from bot.db import Database
from bot.models import Case, Commune, Province

SMALL = 5
CACHE_SECONDS = 60
KINDS = ("f0", "f1", "other")
DAYS = 14


def shown(count: int) -> str:
    """A count as the public sees it: exact from 5 up, "< 5" below (but 0 is 0)."""
    return str(count) if count == 0 or count >= SMALL else f"< {SMALL}"


@dataclass(frozen=True)
class AreaCounts:
    """One commune's (or the province's) numbers."""

    code: int
    name: str
    active: dict[str, int]
    new_today: int
    released_today: int

    @property
    def active_total(self) -> int:
        """Active home isolations of every kind."""
        return sum(self.active.values())


@dataclass(frozen=True)
class PublicCounts:
    """A province and its communes with any case, as of `at`."""

    province: AreaCounts
    communes: tuple[AreaCounts, ...]
    at: datetime
    # The province's active home isolations on each of the last 14 days, oldest first.
    days: tuple[tuple[date, int], ...] = ()


class PublicService:
    """Counts for the public page, cached for a minute."""

    def __init__(self, db: Database, clock: Clock, provinces: tuple[int, ...], tz: tzinfo) -> None:
        self._db = db
        self._clock = clock
        self._provinces = provinces
        self._tz = tz
        self._cache: dict[int, PublicCounts] = {}

    async def counts(self, province_code: int | None = None) -> PublicCounts | None:
        """A served province's counts (the first one by default); None for another province."""
        code = self._provinces[0] if province_code is None else province_code
        if code not in self._provinces:
            return None
        now = self._clock.now()
        cached = self._cache.get(code)
        if cached is not None and now - cached.at < timedelta(seconds=CACHE_SECONDS):
            return cached
        fresh = await self._compute(code, now)
        self._cache[code] = fresh
        return fresh

    async def _compute(self, province_code: int, now: datetime) -> PublicCounts:
        start, end = local_day_bounds(now.astimezone(self._tz).date(), self._tz)
        columns = [
            func.sum(case((Case.status == ACTIVE, 1), else_=0)).filter(Case.kind == kind)
            for kind in KINDS
        ]
        new = func.sum(case(((Case.created_at >= start) & (Case.created_at < end), 1), else_=0))
        released = func.sum(
            case(
                (
                    (Case.status == RELEASED) & (Case.closed_at >= start) & (Case.closed_at < end),
                    1,
                ),
                else_=0,
            )
        )
        async with self._db.transaction() as session:
            rows = (
                await session.execute(
                    select(Commune.code, Commune.name, *columns, new, released)
                    .join(Case, Case.commune_code == Commune.code)
                    .where(Case.province_code == province_code)
                    .group_by(Commune.code, Commune.name)
                    .order_by(Commune.name)
                )
            ).all()
            province_name = await session.scalar(
                select(Province.name).where(Province.code == province_code)
            )
        communes = tuple(
            AreaCounts(
                code=row[0],
                name=row[1],
                active={kind: int(row[2 + i] or 0) for i, kind in enumerate(KINDS)},
                new_today=int(row[5] or 0),
                released_today=int(row[6] or 0),
            )
            for row in rows
        )
        province = AreaCounts(
            code=province_code,
            name=province_name or "",
            active={k: sum(c.active[k] for c in communes) for k in KINDS},
            new_today=sum(c.new_today for c in communes),
            released_today=sum(c.released_today for c in communes),
        )
        days = await self._days(province_code, now)
        return PublicCounts(province=province, communes=communes, at=now, days=days)

    async def _days(self, province_code: int, now: datetime) -> tuple[tuple[date, int], ...]:
        """Cases isolating on each of the last 14 days: started, not ended, not closed before."""
        today = now.astimezone(self._tz).date()
        days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
        columns = []
        for day in days:
            start, _ = local_day_bounds(day, self._tz)
            columns.append(
                func.count().filter(
                    Case.start_date <= day,
                    Case.end_date >= day,
                    Case.enrolled_at.is_not(None),
                    or_(Case.closed_at.is_(None), Case.closed_at >= start),
                )
            )
        async with self._db.transaction() as session:
            row = (
                await session.execute(select(*columns).where(Case.province_code == province_code))
            ).one()
        return tuple((day, int(count or 0)) for day, count in zip(days, row, strict=True))
