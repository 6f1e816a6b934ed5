"""The province map's data at N cases: the time to serve /ban-do/du-lieu, and the page weight.

N active cases are spread over every commune of Thanh Hóa (each commune a square boundary),
each with two check-ins closed today (one in eight missed) and one open alert in a hundred.
The timing is the data endpoint as a supervisor's browser calls it (through the ASGI app:
session lookup, the queries, GeoJSON, JSON encoding), once counting today's check-ins (as
the first request of an area in 30 s does) and once reusing that count; the weight is the
map page's HTML plus every script and stylesheet it loads (before tiles).

Run from the repository root:
    python -m benchmarks.bench_map                # N=100,000 (target: <= 200 ms)
    python -m benchmarks.bench_map --cases 2000   # a quick run
    python -m benchmarks.bench_map --history-days 6   # and a week's check-ins in the table
On SQLite by default; CACHLY_BENCH_DATABASE_URL names a PostgreSQL database it may empty.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert, select

from bot.clock import FakeClock
from bot.config import settings_from_mapping
from bot.db import Database
from bot.desk.map import DAY_COUNT_TTL
from bot.fresh import fresh_database
from bot.models import Alert, Case, Checkin, Commune, Officer
from bot.services import Services
from web.app import create_app
from web.pages import STATIC

START = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam
PROVINCE = 38
SUPERVISOR_USER = 9_000_001


async def _data(services: Services, count: int, history_days: int = 0) -> int:
    """Boundaries for every commune, N cases, their check-ins, a few alerts; the communes.

    `history_days`: the check-ins of that many earlier days too (two a day per case), as a
    deployment a few days into a wave holds them; the map counts only today's.
    """
    db, now = services.db, START
    async with db.transaction() as session:
        communes = list(
            await session.scalars(select(Commune.code).where(Commune.province_code == PROVINCE))
        )
    side = int(len(communes) ** 0.5) + 1
    features = []
    for i, code in enumerate(communes):
        lon, lat = 105.0 + (i % side) * 0.02, 19.3 + (i // side) * 0.02
        ring = [
            [lon, lat],
            [lon + 0.02, lat],
            [lon + 0.02, lat + 0.02],
            [lon, lat + 0.02],
            [lon, lat],
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"ma_xa": code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    await services.boundaries.load({"type": "FeatureCollection", "features": features})
    ids = await _cases(db, communes, count)
    # Oldest first, a day at a time, as planning writes them: a day's rows lie together.
    for day in range(history_days, -1, -1):
        await _checkins(db, ids, day)
        print(f"\r  check-ins of {history_days - day + 1} day(s)", end="", flush=True)
    print()
    alerts = [
        {
            "kind": "missed_checkin",
            "severity": 4,
            "case_id": case_id,
            "commune_code": communes[(case_id - 1) % len(communes)],
            "province_code": PROVINCE,
            "state": "open",
            "open_key": f"case:{case_id}:missed_checkin",
            "evidence": [],
            "opened_at": now,
            "updated_at": now,
            "release_at": now,
        }
        for case_id in ids
        if case_id % 100 == 0
    ]
    async with db.transaction() as session:
        if alerts:
            await session.execute(insert(Alert), alerts)
    async with db.transaction() as session:
        session.add(
            Officer(
                telegram_user_id=SUPERVISOR_USER,
                role="supervisor",
                province_code=PROVINCE,
                display_name="Bench",
                created_at=now,
            )
        )
    return len(communes)


BATCH = 5000


async def _cases(db: Database, communes: list[int], count: int) -> list[int]:
    """N active cases spread over the communes; their ids."""
    ids: list[int] = []
    for start in range(0, count, BATCH):
        rows = [
            {
                "code": f"B{n:07d}",
                "full_name": "Bench",
                "phone": "+84900000000",
                "commune_code": communes[n % len(communes)],
                "province_code": PROVINCE,
                "kind": "f1",
                "start_date": date(2026, 11, 20),
                "end_date": date(2026, 12, 4),
                "status": "active",
                "language": "vi",
                "home_status": "set",
                "zone": {"type": "circle", "lat": 19.5, "lon": 105.5, "radius_m": 50},
                "created_at": START,
                "updated_at": START,
            }
            for n in range(start, min(count, start + BATCH))
        ]
        async with db.transaction() as session:
            ids += list(await session.scalars(insert(Case).returning(Case.id), rows))
        print(f"\r  cases: {len(ids):,}", end="", flush=True)
    print()
    return ids


async def _checkins(db: Database, ids: list[int], days_ago: int) -> None:
    """Two closed check-ins of every case on a day (one in eight missed)."""
    for start in range(0, len(ids), BATCH):
        rows: list[dict[str, object]] = [
            {
                "case_id": case_id,
                "kind": "scheduled",
                "nominal_at": START - timedelta(days=days_ago, hours=h),
                "due_at": START - timedelta(days=days_ago, hours=h),
                "state": "closed",
                "outcome": "missed" if (case_id + h) % 8 == 0 else "on_time",
                "closes_at": START - timedelta(days=days_ago, hours=h) + timedelta(minutes=120),
                "answers": {},
                "vitals": {},
                "danger_signs": [],
                "created_at": START,
            }
            for case_id in ids[start : start + BATCH]
            for h in (3, 4)
        ]
        async with db.transaction() as session:
            await session.execute(insert(Checkin), rows)


def _weight(html: str) -> tuple[int, dict[str, int]]:
    """The page's HTML size and the size of every local script and stylesheet it loads."""
    assets = re.findall(r'(?:src|href)="/static/([^"]+\.(?:js|css))"', html)
    return len(html.encode()), {asset: (STATIC / asset).stat().st_size for asset in assets}


async def main_async(count: int, rounds: int, history_days: int = 0) -> None:
    """Build the data, time the endpoint, print the figures."""
    url = os.environ.get("CACHLY_BENCH_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    )
    settings = settings_from_mapping(
        {"deployment": {"provinces": [PROVINCE]}}, {"CACHLY_DATABASE_URL": url}
    )
    clock = FakeClock(START)
    db = await fresh_database(settings, clock)
    services = Services(settings, db, clock)
    history = f", {history_days} earlier days of check-ins" if history_days else ""
    print(f"database: {url.split('://', 1)[0]}, active cases: {count:,}{history}")
    communes = await _data(services, count, history_days)
    if url.startswith("postgresql"):
        # As after a day of use: autovacuum has been through the bulk insert by then (its
        # statistics, the rows' visibility). Timed right after, it would race autovacuum.
        async with db.engine.connect() as connection:
            auto = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await auto.exec_driver_sql("VACUUM ANALYZE")
    code = (await services.signins.issue(SUPERVISOR_USER)).url.rsplit("/", 1)[1]
    app = create_app(services, secret="b" * 40)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk") as client:
        await client.get(f"/dang-nhap/{code}")
        counted: list[float] = []
        reused: list[float] = []
        size = 0
        for _ in range(rounds):
            # Past the 30 s for which an area's count of today's check-ins is reused: this
            # request counts them again, as the first one of an area does.
            clock.advance(DAY_COUNT_TTL + timedelta(seconds=1))
            for times in (counted, reused):
                started = time.perf_counter()
                response = await client.get("/ban-do/du-lieu")
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            size = len(response.content)
        page = await client.get("/ban-do")
    html_bytes, assets = _weight(page.text)
    total = html_bytes + sum(assets.values())
    print(
        f"map data ({communes} communes, {count:,} cases, "
        f"{len(response.json()['alerts'])} alert pins, {size / 1000:.0f} kB JSON), "
        f"today's check-ins counted: median {statistics.median(counted):.1f} ms, "
        f"best {min(counted):.1f} ms over {rounds} requests (target <= 200 ms at 100,000)"
    )
    print(
        f"map data, the count of today's check-ins reused (< 30 s old): median "
        f"{statistics.median(reused):.1f} ms, best {min(reused):.1f} ms"
    )
    listed = ", ".join(f"{name} {n / 1000:.1f} kB" for name, n in assets.items())
    print(
        f"map page weight: {total / 1000:.1f} kB = HTML {html_bytes / 1000:.1f} kB + {listed} "
        "(target <= 300 kB)"
    )
    await db.dispose()


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--history-days", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(main_async(args.cases, args.rounds, args.history_days))


if __name__ == "__main__":
    main()
