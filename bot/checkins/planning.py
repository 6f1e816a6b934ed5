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

from sqlalchemy import Select, literal_column, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.values import SCHEDULED
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.models import Case, Checkin, CheckinPlan
from bot.schedule import next_round, occurrences, spread_offset

# Cases handled per unit of work: bounded transactions, steady progress.
BATCH = 500
# After writing this many rows, PostgreSQL's planner statistics are refreshed at once (the
# due-work query picks a bad plan on a table that grew tenfold since autovacuum last looked).
ANALYZE_AFTER_ROWS = 20_000
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
        horizon = timedelta(hours=self._checkins.horizon_hours)
        # Re-plan a case only when half its horizon is used up: each case is touched
        # about twice a horizon, not every tick.
        threshold = now + horizon / 2
        written = batches = 0
        # A slice goes on from where the last one stopped, then round from the first case.
        after_id, wrapped = self._resume_after, self._resume_after == 0
        try:
            while max_batches is None or batches < max_batches:
                batches += 1
                async with self._db.transaction() as session:
                    rows = (await session.execute(_due_for_planning(after_id, threshold))).all()
                    if rows:
                        written += await self._plan_batch(session, rows, now, horizon)
                if len(rows) == BATCH:
                    after_id = self._resume_after = rows[-1][0]
                    continue
                if wrapped:
                    self._resume_after = 0
                    return written
                after_id, wrapped = 0, True
            return written
        finally:
            if written >= ANALYZE_AFTER_ROWS:
                # The cases too: a big import is what makes a big plan.
                await analyze(self._db, "cases", "checkins", "checkin_plans")

    async def _plan_batch(
        self, session: AsyncSession, rows: Sequence[Any], now: datetime, horizon: timedelta
    ) -> int:
        """Write one batch's occurrences and plans; returns rows written."""
        values, plans = [], []
        for case_id, kind, times, planned_until in rows:
            until = now + horizon + horizon_offset(case_id, horizon)
            values.extend(self._occurrences(case_id, kind, times, planned_until, now, until))
            plans.append({"case_id": case_id, "planned_until": until, "updated_at": now})
        if values:
            await _insert_ignore(session, Checkin, values, ["case_id", "kind", "nominal_at"])
        await _upsert_plans(session, plans)
        return len(values)

    def _occurrences(
        self,
        case_id: int,
        kind: str,
        times: list[str] | None,
        planned_until: datetime | None,
        now: datetime,
        until: datetime,
    ) -> list[dict[str, Any]]:
        """The check-in rows of one case from its plan's end to `until`."""
        spread = timedelta(minutes=self._checkins.spread_minutes, seconds=1)
        # A new case still gets this round if its own due time is yet to come; after a
        # downtime, the rounds missed meanwhile are written and then prompted late or
        # cancelled by send_due.
        after = planned_until if planned_until is not None else now - spread
        spots = self._checkins.spot_checks_per_day if kind in self._checkins.spot_check_kinds else 0
        values = []
        for occ in occurrences(
            case_id,
            times or self._checkins.times_for(kind),
            self._tz,
            after,
            until,
            self._checkins.spread_minutes,
            spot_checks=spots,
            waking=(self._checkins.waking_start, self._checkins.waking_end),
        ):
            if planned_until is None and occ.due_at < now:
                continue
            values.append(
                {
                    "case_id": case_id,
                    "kind": occ.kind,
                    "nominal_at": occ.nominal_at,
                    "due_at": occ.due_at,
                    "state": SCHEDULED,
                    "next_action_at": occ.due_at,
                    "step": None,
                    "created_at": now,
                }
            )
        return values


def horizon_offset(case_id: int, horizon: timedelta) -> timedelta:
    """How much later than the horizon this case's plan ends: below half a horizon, stable."""
    fraction = (case_id * _GOLDEN) % 1.0
    return timedelta(seconds=int(fraction * horizon.total_seconds() / 2))


def _due_for_planning(
    after_id: int, threshold: datetime
) -> Select[int, str, list[str] | None, datetime]:
    """The next batch of active cases after `after_id` whose plan ends before `threshold`."""
    return (
        select(Case.id, Case.kind, Case.checkin_times, CheckinPlan.planned_until)
        .outerjoin(CheckinPlan, CheckinPlan.case_id == Case.id)
        .where(
            Case.id > after_id,
            Case.status == "active",
            Case.chat_id.is_not(None),
            or_(CheckinPlan.planned_until.is_(None), CheckinPlan.planned_until < threshold),
        )
        .order_by(Case.id)
        .limit(BATCH)
    )


async def analyze(db: Database, *tables: str) -> None:
    """Refresh PostgreSQL's statistics of `tables` after a bulk write (SQLite: nothing)."""
    if db.settings.is_sqlite:
        return
    async with db.engine.connect() as connection:
        # Table names are the code's own constants, never input.
        await connection.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
        await connection.commit()


# A new occurrence's answers, vitals and danger signs are empty: written as constants of
# the statement, so that no row pays its own JSON encoding (600,000 of them at 100,000 cases).
_EMPTY_JSON: dict[str, Any] = {
    "answers": literal_column("'{}'"),
    "vitals": literal_column("'{}'"),
    "danger_signs": literal_column("'[]'"),
}


async def _insert_ignore(
    session: AsyncSession, model: type[Any], values: list[dict[str, Any]], keys: list[str]
) -> None:
    """Insert rows, skipping those whose unique key exists (another worker planned them)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # The table, not the mapped class: plain Core, without the ORM's bulk-insert bookkeeping.
    # A list of parameters runs as executemany of one cached statement (SQLAlchemy batches
    # it into multi-row INSERTs itself); compiling a VALUES list per call costs far more.
    statement = (
        dialect.insert(model.__table__)
        .values(**_EMPTY_JSON)
        .on_conflict_do_nothing(index_elements=keys)
    )
    await session.execute(statement, values)


async def _upsert_plans(session: AsyncSession, plans: list[dict[str, Any]]) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(CheckinPlan.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["case_id"],
        set_={
            "planned_until": statement.excluded.planned_until,
            "updated_at": statement.excluded.updated_at,
        },
    )
    await session.execute(statement, plans)
