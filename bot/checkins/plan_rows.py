"""How a batch of planned check-ins reaches the database: in bulk, each row's key ignored if
it exists (another worker, or a restart mid-batch, planned it already).

On PostgreSQL a batch is one `INSERT … SELECT … FROM unnest(arrays) ON CONFLICT DO
NOTHING`: a statement the server plans and runs once for a thousand rows, where an
executemany runs the INSERT once per row (most of planning's time at a million cases). A
COPY into a staging table and one INSERT … SELECT from it measured the same (63 to 73 µs
a case at 100,000 cases either way) with a temporary table and the driver's own connection
more. SQLite has neither: there it is an executemany of one cached Core statement. Both
run in the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, literal_column, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.values import SCHEDULED
from bot.models import Checkin, CheckinPlan

# One planned check-in: (case id, kind, nominal time, due time), all UTC.
Planned = tuple[int, str, datetime, datetime]

# A new occurrence's answers, vitals and danger signs are empty: written as constants of
# the statement, so that no row pays its own JSON encoding (600,000 of them at 100,000 cases).
_CHECKINS_FROM_ARRAYS = text(
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
_EMPTY_JSON: dict[str, Any] = {
    "answers": literal_column("'{}'"),
    "vitals": literal_column("'{}'"),
    "danger_signs": literal_column("'[]'"),
}
# SQLite's statements, built once: an executemany of a cached statement.
_CHECKINS_MANY = (
    sqlite.insert(cast(Table, Checkin.__table__))
    .values(**_EMPTY_JSON)
    .on_conflict_do_nothing(index_elements=["case_id", "kind", "nominal_at"])
)
_PLANS_MANY = sqlite.insert(cast(Table, CheckinPlan.__table__))
_PLANS_MANY = _PLANS_MANY.on_conflict_do_update(
    index_elements=["case_id"],
    set_={
        "planned_until": _PLANS_MANY.excluded.planned_until,
        "updated_at": _PLANS_MANY.excluded.updated_at,
    },
)


async def write_plan(
    session: AsyncSession,
    checkins: Sequence[Planned],
    plans: Sequence[tuple[int, datetime]],
    now: datetime,
) -> None:
    """Insert `checkins` (skipping existing keys) and set each case's plan end, in bulk."""
    if session.get_bind().dialect.name == "postgresql":
        await _write_arrays(session, checkins, plans, now)
        return
    if checkins:
        await session.execute(
            _CHECKINS_MANY,
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
    if plans:
        await session.execute(
            _PLANS_MANY,
            [{"case_id": case, "planned_until": until, "updated_at": now} for case, until in plans],
        )


async def _write_arrays(
    session: AsyncSession,
    checkins: Sequence[Planned],
    plans: Sequence[tuple[int, datetime]],
    now: datetime,
) -> None:
    """PostgreSQL: each table's rows as one statement over arrays, one array a column."""
    if checkins:
        cases, kinds, nominal, due = zip(*checkins, strict=True)
        await session.execute(
            _CHECKINS_FROM_ARRAYS,
            {
                "state": SCHEDULED,
                "now": now,
                "cases": list(cases),
                "kinds": list(kinds),
                "nominal": list(nominal),
                "due": list(due),
            },
        )
    if plans:
        ids, until = zip(*plans, strict=True)
        await session.execute(
            _PLANS_FROM_ARRAYS, {"now": now, "cases": list(ids), "until": list(until)}
        )
