"""The public situation page's numbers: counts per commune and province, nothing personal.

`tally` counts exactly; `counts` publishes them through bot/desk/disclosure.py, so the page
only ever gets figures: small counts as "< 5", the rest rounded to 5, and totals made from
the figures, so that no small count can be worked out by subtracting one from another.
The figures are computed once a minute at most (`CACHE_SECONDS`): the page is public and
must stay cheap whoever opens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import case, func, or_, select

from bot.alerts.counts import local_day_bounds
from bot.cases.values import ACTIVE, RELEASED
from bot.clock import Clock
from bot.db import Database
from bot.desk.disclosure import Figure, published, total
from bot.models import Case, Commune, Province

CACHE_SECONDS = 60
KINDS = ("f0", "f1", "other")
DAYS = 14


@dataclass(frozen=True)
class AreaCounts:
    """One commune's (or the province's) exact numbers: never shown as they are."""

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
class Tally:
    """A province's exact counts and its communes' with any case, as of `at`."""

    province: AreaCounts
    communes: tuple[AreaCounts, ...]
    at: datetime
    # The province's active home isolations on each of the last 14 days, oldest first.
    days: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True)
class AreaFigures:
    """One commune's (or the province's) numbers as published."""

    code: int
    name: str
    active: dict[str, Figure]
    active_total: Figure
    new_today: Figure
    released_today: Figure


@dataclass(frozen=True)
class PublicCounts:
    """What the public page shows of a province and its communes with any case."""

    province: AreaFigures
    communes: tuple[AreaFigures, ...]
    at: datetime
    # The province's people isolating at home on each of the last 14 days, oldest first.
    days: tuple[tuple[date, Figure], ...] = ()


def publish(tally: Tally) -> PublicCounts:
    """The figures of a tally: every commune count a base figure, every total made of them."""
    communes = []
    for area in tally.communes:
        active = {kind: published(area.active[kind]) for kind in KINDS}
        communes.append(
            AreaFigures(
                code=area.code,
                name=area.name,
                active=active,
                active_total=total(active.values()),
                new_today=published(area.new_today),
                released_today=published(area.released_today),
            )
        )
    by_kind = {kind: total(c.active[kind] for c in communes) for kind in KINDS}
    province = AreaFigures(
        code=tally.province.code,
        name=tally.province.name,
        active=by_kind,
        active_total=total(c.active_total for c in communes),
        new_today=total(c.new_today for c in communes),
        released_today=total(c.released_today for c in communes),
    )
    days = tuple((day, published(count)) for day, count in tally.days)
    return PublicCounts(province=province, communes=tuple(communes), at=tally.at, days=days)


class PublicService:
    """Counts for the public page, cached for a minute."""

    def __init__(self, db: Database, clock: Clock, provinces: tuple[int, ...], tz: tzinfo) -> None:
        self._db = db
        self._clock = clock
        self._provinces = provinces
        self._tz = tz
        self._cache: dict[int, PublicCounts] = {}

    async def counts(self, province_code: int | None = None) -> PublicCounts | None:
        """A served province's published figures (the first by default); None for another."""
        code = self._provinces[0] if province_code is None else province_code
        if code not in self._provinces:
            return None
        now = self._clock.now()
        cached = self._cache.get(code)
        if cached is not None and now - cached.at < timedelta(seconds=CACHE_SECONDS):
            return cached
        fresh = publish(await self.tally(code))
        self._cache[code] = fresh
        return fresh

    async def tally(self, province_code: int) -> Tally:
        """The province's exact counts now (not cached, not for the page: see `counts`)."""
        return await self._compute(province_code, self._clock.now())

    async def _compute(self, province_code: int, now: datetime) -> Tally:
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
        return Tally(province=province, communes=communes, at=now, days=days)

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
