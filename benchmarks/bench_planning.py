"""Planning's growth: N cases over 34 provinces planned for a day, for N in a list.

    CACHLY_BENCH_DATABASE_URL=postgresql+asyncpg://... \\
        python -m benchmarks.bench_planning --cases 10000,100000,1000000

For each N, on a fresh database: the cases are inserted in bulk, then the planning job plans
them (timed: seconds, cases a second, microseconds a case) while the check-ins tick runs
beside it as the JobQueue would run it, every second; the longest tick is the longest that
planning held up due prompts, reminders and closings. Then the due-work query is timed
right after the bulk write and after ANALYZE, and the process's peak memory is printed.
Without CACHLY_BENCH_DATABASE_URL it runs on a throwaway SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from vietnam_provinces import ProvinceCode

from benchmarks.bench_national import due_query_ms, insert_cases, plan_day, split
from bot.clock import SystemClock
from bot.config import settings_from_mapping
from bot.fresh import fresh_database
from bot.services import Services

TICK_SECONDS = 1.0


async def one(url: str, cases: int) -> str:
    """Plan `cases` cases with ticks running beside it; the table's line."""
    provinces = sorted(int(code) for code in ProvinceCode)
    settings = settings_from_mapping(
        {"deployment": {"provinces": provinces}}, {"CACHLY_DATABASE_URL": url}
    )
    clock = SystemClock()
    db = await fresh_database(settings, clock)
    try:
        await insert_cases(db, split(cases, provinces), datetime.now(UTC))
        # The planning job and the check-ins tick each have their own services, as in a
        # worker (handlers/jobs.py): each its own planner, resuming where it stopped.
        services, ticking = Services(settings, db, clock), Services(settings, db, clock)
        cpu = time.process_time()
        planning = asyncio.create_task(plan_day(services, cases))
        ticks: list[float] = []
        while not planning.done():
            started = time.perf_counter()
            await ticking.checkins.tick()
            ticks.append(time.perf_counter() - started)
            await asyncio.wait([planning], timeout=TICK_SECONDS)
        seconds, written = planning.result()
        cpu = time.process_time() - cpu
        load = os.getloadavg()[0]
        cold = await due_query_ms(db, datetime.now(UTC))
        if not settings.database.is_sqlite:
            async with db.engine.connect() as connection:
                await connection.exec_driver_sql("ANALYZE")
        warm = await due_query_ms(db, datetime.now(UTC))
    finally:
        await db.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"{cases:>10,} {seconds:>9.1f} {cases / seconds:>10,.0f} {seconds / cases * 1e6:>8.1f} "
        f"{written:>12,} {max(ticks, default=0.0):>9.2f} {len(ticks):>6} {cold:>8.2f} "
        f"{warm:>8.2f} {peak:>8.0f} {cpu / cases * 1e6:>8.1f} {load:>5.2f}"
    )


async def main_async(sizes: list[int]) -> None:
    url = os.environ.get("CACHLY_BENCH_DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as folder:
        lines = []
        for cases in sizes:
            target = url or f"sqlite+aiosqlite:///{Path(folder) / f'plan-{cases}.sqlite3'}"
            lines.append(await one(target, cases))
    print("database:", "PostgreSQL" if url.startswith("postgresql") else "SQLite")
    print(
        f"{'cases':>10} {'plan s':>9} {'cases/s':>10} {'µs/case':>8} {'check-ins':>12} "
        f"{'tick max':>9} {'ticks':>6} {'due ms':>8} {'analyzed':>8} {'peak MB':>8}"
        f" {'py µs/c':>8} {'load':>5}"
    )
    for line in lines:
        print(line)
    print("(tick max: the longest check-ins tick while planning ran, in seconds: the most")
    print(" that planning held up due prompts, reminders and closings; due ms: the due-work")
    print(" query right after the bulk write and plan, then after ANALYZE; py µs/c: this")
    print(" process's CPU per case while planning ran, ticks included, the database's apart;")
    print(" load: the machine's 1-minute load average when planning ended, on its cores)")


def main() -> None:
    """Parse the sizes and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="10000,100000")
    args = parser.parse_args()
    asyncio.run(main_async([int(n) for n in args.cases.split(",")]))


if __name__ == "__main__":
    main()
