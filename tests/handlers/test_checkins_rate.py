"""500 people due in the same minute, through a stand-in that enforces Telegram's limits."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime
from itertools import pairwise

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Checkin, OutboxMessage
from standins.telegram import Limits
from tests.conftest import make_settings
from tests.factories import make_case
from tests.harness import running_bot

PEOPLE = 500


async def test_500_due_in_one_minute_are_all_prompted_within_limits(
    database_url: str, db: Database, clock: FakeClock
) -> None:
    settings = make_settings(database_url, checkins={"spread_minutes": 0, "tick_seconds": 600})
    clock.set(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))  # 07:00 in Vietnam
    chats = list(range(10_000, 10_000 + PEOPLE))
    for chat in chats:
        await make_case(db, clock.now(), kind="f1", chat_id=chat)
    async with running_bot(settings, db, clock, limits=Limits()) as harness:
        for chat in chats:
            harness.user(chat)
        await harness.services.checkins.tick()
        clock.set(datetime(2026, 11, 25, 1, 0, tzinfo=UTC))  # 08:00: everyone is due
        report = await harness.services.checkins.tick()
        assert report.prompted == PEOPLE
        # About 20 seconds of sending at 25 a second; real time, the stand-in paces it.
        async with asyncio.timeout(90):
            while True:
                async with db.transaction() as session:
                    waiting = await session.scalar(
                        select(func.count())
                        .select_from(OutboxMessage)
                        .where(OutboxMessage.state.in_(("pending", "sending")))
                    )
                if not waiting:
                    break
                await asyncio.sleep(0.5)
        await harness.services.checkins.tick()
        calls = [c for c in harness.standin.calls_of("sendMessage") if c.chat_id in set(chats)]
        assert harness.standin.count_429 == 0
        assert sorted(c.chat_id or 0 for c in calls if c.ok) == chats
        per_chat: dict[int | None, list[float]] = defaultdict(list)
        for call in calls:
            per_chat[call.chat_id].append(call.at)
        for times in per_chat.values():
            assert all(b - a >= 1.0 for a, b in pairwise(times))
        # Every window now runs from when its prompt was actually sent.
        async with db.transaction() as session:
            opened = await session.scalar(
                select(func.count()).select_from(Checkin).where(Checkin.state == "open")
            )
        assert opened == PEOPLE
