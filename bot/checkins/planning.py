"""Planning: the occurrences of each active case written ahead, and when the next one is.

The scheduler's tick writes a short horizon of `checkins` rows per case (rounds at its times,
spread per case, and the secret spot checks), re-planning a case only once half its horizon
is used up. Rows are inserted with their unique key ignored on conflict, so two workers, or
a restart mid-batch, never plan a round twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.values import SCHEDULED
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.models import Case, Checkin, CheckinPlan
from bot.schedule import next_round, occurrences, spread_offset

# Rows handled per unit of work by the tick: bounded transactions, steady progress.
BATCH = 500


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

    async def plan(self) -> int:
        """Write the occurrences of active cases for the horizon; returns rows written."""
        now = self._clock.now()
        horizon = timedelta(hours=self._checkins.horizon_hours)
        # Re-plan a case only when half its horizon is used up: each case is touched
        # about twice a horizon, not every tick.
        threshold = now + horizon / 2
        written = 0
        while True:
            async with self._db.transaction() as session:
                rows = (
                    await session.execute(
                        select(Case.id, Case.kind, Case.checkin_times, CheckinPlan.planned_until)
                        .outerjoin(CheckinPlan, CheckinPlan.case_id == Case.id)
                        .where(
                            Case.status == "active",
                            Case.chat_id.is_not(None),
                            or_(
                                CheckinPlan.planned_until.is_(None),
                                CheckinPlan.planned_until < threshold,
                            ),
                        )
                        .order_by(Case.id)
                        .limit(BATCH)
                    )
                ).all()
                if not rows:
                    return written
                values, plans = [], []
                until = now + horizon
                for case_id, kind, times, planned_until in rows:
                    values.extend(self._occurrences(case_id, kind, times, planned_until, now))
                    plans.append({"case_id": case_id, "planned_until": until, "updated_at": now})
                if values:
                    await _insert_ignore(
                        session, Checkin, values, ["case_id", "kind", "nominal_at"]
                    )
                await _upsert_plans(session, plans)
                written += len(values)
                if len(rows) < BATCH:
                    return written

    def _occurrences(
        self,
        case_id: int,
        kind: str,
        times: list[str] | None,
        planned_until: datetime | None,
        now: datetime,
    ) -> list[dict[str, Any]]:
        """The check-in rows of one case from its plan's end to the horizon."""
        spread = timedelta(minutes=self._checkins.spread_minutes, seconds=1)
        # A new case still gets this round if its own due time is yet to come; after a
        # downtime, the rounds missed meanwhile are written and then prompted late or
        # cancelled by send_due.
        after = planned_until if planned_until is not None else now - spread
        until = now + timedelta(hours=self._checkins.horizon_hours)
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
                    "answers": {},
                    "vitals": {},
                    "danger_signs": [],
                    "created_at": now,
                }
            )
        return values


async def _insert_ignore(
    session: AsyncSession, model: type[Any], values: list[dict[str, Any]], keys: list[str]
) -> None:
    """Insert rows, skipping those whose unique key exists (another worker planned them)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # A list of parameters runs as executemany of one cached statement (SQLAlchemy batches
    # it into multi-row INSERTs itself); compiling a VALUES list per call costs far more.
    statement = dialect.insert(model).on_conflict_do_nothing(index_elements=keys)
    await session.execute(statement, values)


async def _upsert_plans(session: AsyncSession, plans: list[dict[str, Any]]) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(CheckinPlan)
    statement = statement.on_conflict_do_update(
        index_elements=["case_id"],
        set_={
            "planned_until": statement.excluded.planned_until,
            "updated_at": statement.excluded.updated_at,
        },
    )
    await session.execute(statement, plans)
