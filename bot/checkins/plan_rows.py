"""How a batch of planned check-ins reaches the database: in bulk, each row's key ignored if
it exists (another worker, or a restart mid-batch, planned it already).

On PostgreSQL a batch goes in as a COPY into a temporary table and one
`INSERT … SELECT … ON CONFLICT DO NOTHING`: one statement the server plans and runs once
for a thousand rows, where an executemany runs the INSERT once per row (that was most of
planning's time at a million cases). SQLite has no COPY: there it is an executemany of one
cached Core statement. Both run in the caller's unit of work.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import literal_column, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.values import SCHEDULED
from bot.models import Checkin, CheckinPlan

# One planned check-in: (case id, kind, nominal time, due time), all UTC.
Planned = tuple[int, str, datetime, datetime]

_MODE = os.environ.get("CACHLY_PLAN_WRITE", "copy")

# A new occurrence's answers, vitals and danger signs are empty: written as constants of
# the statement, so that no row pays its own JSON encoding (600,000 of them at 100,000 cases).
_EMPTY_JSON: dict[str, Any] = {
    "answers": literal_column("'{}'"),
    "vitals": literal_column("'{}'"),
    "danger_signs": literal_column("'[]'"),
}

_STAGE = "planned_checkins"
# The staging table lives as long as the connection and is emptied at every commit, so a
# pooled connection creates it once and a batch never sees another's rows.
_CREATE_STAGE = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (case_id integer, kind varchar(10),"
    " nominal_at timestamptz, due_at timestamptz) ON COMMIT DELETE ROWS"
)
_FROM_STAGE = text(
    "INSERT INTO checkins (case_id, kind, nominal_at, due_at, state, next_action_at,"
    " answers, vitals, danger_signs, created_at)"
    " SELECT case_id, kind, nominal_at, due_at, :state, due_at, '{}', '{}', '[]', :now"
    f" FROM {_STAGE} ON CONFLICT (case_id, kind, nominal_at) DO NOTHING"
)
_FROM_ARRAYS = text(
    "INSERT INTO checkins (case_id, kind, nominal_at, due_at, state, next_action_at,"
    " answers, vitals, danger_signs, created_at)"
    " SELECT c, k, n, d, :state, d, '{}', '{}', '[]', :now"
    " FROM unnest(CAST(:cases AS integer[]), CAST(:kinds AS varchar[]),"
    " CAST(:nominal AS timestamptz[]), CAST(:due AS timestamptz[])) AS t(c, k, n, d)"
    " ON CONFLICT (case_id, kind, nominal_at) DO NOTHING"
)
_PLANS_FROM_ARRAYS = text(
    "INSERT INTO checkin_plans (case_id, planned_until, updated_at)"
    " SELECT c, u, :now FROM unnest(CAST(:cases AS integer[]), CAST(:until AS timestamptz[]))"
    " AS t(c, u) ON CONFLICT (case_id) DO UPDATE"
    " SET planned_until = excluded.planned_until, updated_at = excluded.updated_at"
)


async def write_plan(
    session: AsyncSession,
    checkins: Sequence[Planned],
    plans: Sequence[tuple[int, datetime]],
    now: datetime,
) -> None:
    """Insert `checkins` (skipping existing keys) and set each case's plan end, in bulk."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if checkins:
        if postgres and _MODE == "copy":
            await _copy_checkins(session, checkins, now)
        elif postgres and _MODE == "unnest":
            await session.execute(
                _FROM_ARRAYS,
                {
                    "state": SCHEDULED,
                    "now": now,
                    "cases": [row[0] for row in checkins],
                    "kinds": [row[1] for row in checkins],
                    "nominal": [row[2] for row in checkins],
                    "due": [row[3] for row in checkins],
                },
            )
        else:
            await _insert_many(session, checkins, now)
    if plans:
        if postgres and _MODE != "many":
            await session.execute(
                _PLANS_FROM_ARRAYS,
                {"now": now, "cases": [p[0] for p in plans], "until": [p[1] for p in plans]},
            )
        else:
            await _upsert_plans(session, plans, now)


async def _copy_checkins(session: AsyncSession, checkins: Sequence[Planned], now: datetime) -> None:
    """COPY into the staging table, then one INSERT … SELECT in the same transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection  # asyncpg's own connection, inside our transaction
    await driver.execute(_CREATE_STAGE)
    await driver.copy_records_to_table(_STAGE, records=checkins)
    await session.execute(_FROM_STAGE, {"state": SCHEDULED, "now": now})


async def _insert_many(session: AsyncSession, checkins: Sequence[Planned], now: datetime) -> None:
    """An executemany of one cached Core statement (SQLite)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Checkin.__table__)
        .values(**_EMPTY_JSON)
        .on_conflict_do_nothing(index_elements=["case_id", "kind", "nominal_at"])
    )
    await session.execute(
        statement,
        [
            {
                "case_id": case_id,
                "kind": kind,
                "nominal_at": nominal_at,
                "due_at": due_at,
                "state": SCHEDULED,
                "next_action_at": due_at,
                "step": None,
                "created_at": now,
            }
            for case_id, kind, nominal_at, due_at in checkins
        ],
    )


async def _upsert_plans(
    session: AsyncSession, plans: Sequence[tuple[int, datetime]], now: datetime
) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(CheckinPlan.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["case_id"],
        set_={
            "planned_until": statement.excluded.planned_until,
            "updated_at": statement.excluded.updated_at,
        },
    )
    await session.execute(
        statement,
        [
            {"case_id": case_id, "planned_until": until, "updated_at": now}
            for case_id, until in plans
        ],
    )
