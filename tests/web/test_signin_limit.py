"""Sign-in attempts are limited per client address in the database, so every worker counts
the same attempts (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.db import Database
from bot.desk.limits import AttemptLimit
from bot.models import WebAttempts
from bot.services import Services
from tests.conftest import make_settings
from web.app import create_app


async def test_ten_attempts_a_minute_then_refused_until_the_window_slides(
    db: Database, clock: FakeClock
) -> None:
    limit = AttemptLimit(db, clock, "signin", limit=10)
    clock.advance(timedelta(seconds=30))  # halfway through a minute
    assert [await limit.allow("198.51.100.7") for _ in range(11)] == [True] * 10 + [False]
    assert await limit.allow("203.0.113.9")  # another address has its own count
    clock.advance(timedelta(seconds=45))  # 15 s into the next minute: 7 of the 10 still count
    assert [await limit.allow("198.51.100.7") for _ in range(4)] == [True] * 3 + [False]
    clock.advance(timedelta(minutes=2))
    assert await limit.allow("198.51.100.7")
    async with db.transaction() as session:
        rows = await session.scalar(select(func.count()).select_from(WebAttempts))
        keys = list(await session.scalars(select(WebAttempts.key)))
    assert rows == 1  # the old minutes were deleted as attempts came in
    assert all("198.51" not in key for key in keys)  # the address is kept only as a hash


async def test_two_workers_share_one_limit(
    database_url: str, services: Services, clock: FakeClock
) -> None:
    other_db = Database(make_settings(database_url).database)  # the second worker's own pool
    try:
        workers = [
            create_app(services, secret="k" * 40),
            create_app(Services(services.settings, other_db, clock), secret="k" * 40),
        ]
        clients = [
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=("198.51.100.7", 40000)),
                base_url="http://desk",
            )
            for app in workers
        ]
        statuses = []
        for attempt in range(12):
            answer = await clients[attempt % 2].get(f"/dang-nhap/not-a-code-{attempt}")
            statuses.append(answer.status_code)
        # Ten refused as bad links, then both workers refuse the address alike.
        assert statuses == [403] * 10 + [429, 429]
        assert "Quá nhiều lần thử" in (await clients[0].get("/dang-nhap/x")).text
        elsewhere = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=workers[1], client=("203.0.113.9", 40000)),
            base_url="http://desk",
        )
        assert (await elsewhere.get("/dang-nhap/x")).status_code == 403
        clock.advance(timedelta(minutes=2))
        assert (await clients[1].get("/dang-nhap/x")).status_code == 403
        for client in (*clients, elsewhere):
            await client.aclose()
    finally:
        await other_db.dispose()
