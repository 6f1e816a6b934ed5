"""PostgreSQL's planner statistics of the planning tables, kept up with bulk writes.

A query's plan is only as good as the statistics it is chosen from. Right after a bulk
import, or while planning writes a million rows, autovacuum has not looked yet: the cases
seem to be a few dozen, and the planner sorts a whole table to find the next batch of 500
(each batch: planning turned quadratic, 20 to 80 ms a batch at 100,000 cases). So planning
refreshes the statistics of a table that changed more than it holds since it was last
analysed (a doubling: a few ANALYZEs over a million rows, each a sample of 30,000 rows).
SQLite: nothing to do.
"""

from __future__ import annotations

from sqlalchemy import text

from bot.db import Database

# Below this many changed rows a table's statistics are left to autovacuum.
STALE_AFTER_ROWS = 20_000

_STALE = text(
    "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
    " WHERE s.schemaname = current_schema() AND s.relname = ANY(:tables)"
    " AND s.n_mod_since_analyze > greatest(:floor, c.reltuples)"
)


async def analyze(db: Database, *tables: str) -> None:
    """Refresh PostgreSQL's statistics of `tables` after a bulk write (SQLite: nothing)."""
    if db.settings.is_sqlite or not tables:
        return
    async with db.engine.connect() as connection:
        # Table names are the code's own constants, never input.
        await connection.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
        await connection.commit()


async def analyze_stale(db: Database, *tables: str) -> tuple[str, ...]:
    """ANALYZE those of `tables` that changed more than they held when last analysed."""
    if db.settings.is_sqlite:
        return ()
    async with db.engine.connect() as connection:
        stale = tuple(
            await connection.scalars(_STALE, {"tables": list(tables), "floor": STALE_AFTER_ROWS})
        )
        await connection.commit()
    await analyze(db, *stale)
    return stale
