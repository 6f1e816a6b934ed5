"""Planning: the occurrences of each active case written ahead, and when the next one is.

A short horizon of `checkins` rows is written per case (rounds at its times, spread per case,
and the secret spot checks), and a case is re-planned only once half its horizon is used up.
Rows are inserted with their unique key ignored on conflict, so two workers, or a restart
mid-batch, never plan a round twice.

Planning stays linear and out of the way of due work: the cases are walked in id order from
where the last batch ended (a keyset, so a batch never rescans the cases planned before it);
each case's horizon ends a stable fraction of half a horizon later than the next one's, so
re-planning is spread over the day instead of falling due for every case at once; and the
tick plans only a bounded slice (`plan(max_batches=...)`), the rest being the planning job's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.plan_rows import Planned, write_plan
from bot.checkins.statistics import analyze, analyze_stale
from bot.checkins.values import SCHEDULED
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.models import Case, Checkin, CheckinPlan, UTCDateTime
from bot.schedule import RoundCalendar, next_round, occurrences, spread_offset

# Cases planned per unit of work: bounded transactions, steady progress.
BATCH = 500
# Cases a batch looks at, at most: while few need planning (re-planning through the day),
# a batch looks further ahead, so that a pass over a million cases is a few hundred round
# trips rather than 2,000.
MAX_SCAN = 16 * BATCH
# After writing this many rows, PostgreSQL's planner statistics are refreshed at once (the
# due-work query picks a bad plan on a table that grew tenfold since autovacuum last looked).
ANALYZE_AFTER_ROWS = 20_000
# The planning tables' statistics are checked before the first batch and every so many
# batches after it (bot/checkins/statistics.py): the batch query's plan depends on them.
CHECK_STATISTICS_EVERY = 40
PLANNING_TABLES = ("cases", "checkins", "checkin_plans")
# A golden-ratio fraction per case id spreads the horizons' ends evenly, whatever the ids.
_GOLDEN = 0.6180339887498949


async def next_checkin_at(
    session: AsyncSession, case: Case, now: datetime, settings: Settings
) -> datetime | None:
    """When the case will next be asked (for /status); None when not active or past its end.

    The next planned round if there is one, else the next round its times give, with the
    case's spread as the rounds apply it. Spot checks stay secret.
    """
    if case.status != "active":
        return None
    planned = await session.scalar(
        select(Checkin.due_at)
        .where(
            Checkin.case_id == case.id,
            Checkin.kind == SCHEDULED,
            Checkin.state == SCHEDULED,
            Checkin.due_at > now,
        )
        .order_by(Checkin.due_at)
        .limit(1)
    )
    if planned is not None:
        return planned
    checkins, tz = settings.checkins, settings.schedule.tz
    times = case.checkin_times or checkins.times_for(case.kind)
    due = next_round(times, tz, now, case.id, checkins.spread_minutes)
    nominal = due - spread_offset(case.id, checkins.spread_minutes)
    if nominal.astimezone(tz).date() >= case.end_date:
        return None
    return due


class Planner:
    """Writes the occurrences of active cases for the horizon, one bounded batch at a time."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._checkins = settings.checkins
        self._tz = settings.schedule.tz
        self._resume_after = 0  # the last case id a bounded slice planned

    async def plan(self, max_batches: int | None = None) -> int:
        """Write the occurrences of active cases for the horizon; returns rows written.

        With `max_batches`, stops after that many batches (the next call starts over from
        the first case still to plan: nothing is skipped, only left for later).
        """
        now = self._clock.now()
        written = batches = 0
        # A slice goes on from where the last one stopped, then round from the first case.
        after_id, wrapped = self._resume_after, self._resume_after == 0
        scan = BATCH
        try:
            while max_batches is None or batches < max_batches:
                if batches % CHECK_STATISTICS_EVERY == 0:
                    await analyze_stale(self._db, *PLANNING_TABLES)
                batches += 1
                rows, cases, last = await self._batch(after_id, scan, now)
                written += rows
                if last is not None:
                    # The next batch starts after `last`; it looks further ahead while
                    # there is little to plan (re-planning), and a batch when there is much.
                    after_id = self._resume_after = last
                    scan = min(2 * scan, MAX_SCAN) if cases < BATCH // 2 else BATCH
                    continue
                if wrapped:
                    self._resume_after = 0
                    return written
                after_id, wrapped, scan = 0, True, BATCH
            return written
        finally:
            if written >= ANALYZE_AFTER_ROWS:
                # The cases too: a big import is what makes a big plan.
                await analyze(self._db, *PLANNING_TABLES)

    async def _batch(self, after_id: int, scan: int, now: datetime) -> tuple[int, int, int | None]:
        """Plan up to a batch among the `scan` cases after `after_id`, in one unit of work.

        Returns the rows written, the cases planned, and the id to go on after (None at
        the end of the cases).
        """
        horizon = timedelta(hours=self._checkins.horizon_hours)
        # Re-plan a case only when half its horizon is used up: each case is touched
        # about twice a horizon, not every tick.
        threshold = now + horizon / 2
        params = {"after": after_id, "threshold": threshold, "scan": scan, "batch": BATCH}
        async with self._db.transaction() as session:
            found = (await session.execute(_NEXT_BATCH, params)).all()
            rows = [row[2:] for row in found if row[2] is not None]
            written = await self._plan_batch(session, rows, now, horizon) if rows else 0
        last, scanned = found[0][0], found[0][1]
        if len(rows) == BATCH:
            return written, len(rows), rows[-1][0]  # a full batch: the rest of the scan next
        return written, len(rows), (last if scanned == scan else None)

    async def _plan_batch(
        self, session: AsyncSession, rows: Sequence[Any], now: datetime, horizon: timedelta
    ) -> int:
        """Write one batch's occurrences and plans; returns rows written."""
        occurrences: list[Planned] = []
        plans: list[tuple[int, datetime]] = []
        calendars: dict[tuple[str, ...], RoundCalendar] = {}
        for case_id, kind, times, planned_until in rows:
            until = now + horizon + horizon_offset(case_id, horizon)
            key = tuple(times or self._checkins.times_for(kind))
            calendar = calendars.get(key)
            if calendar is None:
                # Every window of this plan lies in (now - horizon, now + 1.5 horizon] but a
                # case's plan that ended before a downtime: that one works its rounds out.
                calendar = calendars[key] = RoundCalendar.build(
                    key, self._tz, now - horizon, now + horizon * 3 / 2
                )
            occurrences.extend(
                self._occurrences(case_id, kind, key, calendar, planned_until, now, until)
            )
            plans.append((case_id, until))
        await write_plan(session, occurrences, plans, now)
        return len(occurrences)

    def _occurrences(
        self,
        case_id: int,
        kind: str,
        times: tuple[str, ...],
        calendar: RoundCalendar,
        planned_until: datetime | None,
        now: datetime,
        until: datetime,
    ) -> list[Planned]:
        """The check-ins of one case from its plan's end to `until`: (case, kind, nominal, due)."""
        spread = timedelta(minutes=self._checkins.spread_minutes, seconds=1)
        # A new case still gets this round if its own due time is yet to come; after a
        # downtime, the rounds missed meanwhile are written and then prompted late or
        # cancelled by send_due.
        after = planned_until if planned_until is not None else now - spread
        spots = self._checkins.spot_checks_per_day if kind in self._checkins.spot_check_kinds else 0
        found = occurrences(
            case_id,
            times,
            self._tz,
            after,
            until,
            self._checkins.spread_minutes,
            spot_checks=spots,
            waking=(self._checkins.waking_start, self._checkins.waking_end),
            calendar=calendar,
        )
        return [
            (case_id, occ.kind, occ.nominal_at, occ.due_at)
            for occ in found
            if planned_until is not None or occ.due_at >= now
        ]


def horizon_offset(case_id: int, horizon: timedelta) -> timedelta:
    """How much later than the horizon this case's plan ends: below half a horizon, stable."""
    fraction = (case_id * _GOLDEN) % 1.0
    return timedelta(seconds=int(fraction * horizon.total_seconds() / 2))


def _next_batch() -> Select[Any]:
    """The next :scan active cases after :after, and those of them to plan.

    One row for the cases looked at (the last one's id, how many) joined with each of
    its cases whose plan ends before :threshold (their id, kind, times and plan end, or
    NULLs when there is none), at most :batch of them. The cases are taken alone and
    joined with the plans of their id range only: whatever statistics PostgreSQL has in
    the middle of a bulk write, no plan of this query reads more than :scan cases and
    plans (joining cases and plans first let a merge or hash join read every plan or case
    before the batch, at each batch: quadratic over a million cases). Re-planning, where
    most cases have nothing to do, looks at many cases in one round trip that returns only
    those to plan.
    """
    after = bindparam("after", type_=Integer)
    batch = (
        select(Case.id, Case.kind, Case.checkin_times)
        .where(Case.id > after, Case.status == "active", Case.chat_id.is_not(None))
        .order_by(Case.id)
        .limit(bindparam("scan", type_=Integer))
        .cte("batch")
    )
    edge = select(func.max(batch.c.id).label("last"), func.count().label("scanned")).cte("edge")
    ends = CheckinPlan.planned_until
    due = (
        select(batch.c.id, batch.c.kind, batch.c.checkin_times, ends)
        .outerjoin(
            CheckinPlan,
            and_(
                CheckinPlan.case_id == batch.c.id,
                CheckinPlan.case_id > after,
                CheckinPlan.case_id <= select(edge.c.last).scalar_subquery(),
            ),
        )
        .where(or_(ends.is_(None), ends < bindparam("threshold", type_=UTCDateTime())))
        .order_by(batch.c.id)
        .limit(bindparam("batch", type_=Integer))
        .cte("due")
    )
    return (
        select(edge.c.last, edge.c.scanned, due.c.id, due.c.kind, due.c.checkin_times)
        .add_columns(due.c.planned_until)
        .select_from(edge)
        .outerjoin(due, true())
        .order_by(due.c.id)
    )


# Built once: building and caching a statement of three CTEs cost more than running it.
_NEXT_BATCH = _next_batch()
