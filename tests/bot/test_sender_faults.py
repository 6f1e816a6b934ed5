"""The sender under faults (issue #12): orphans of a dead sender settled while others run,
unknown fates settled by kind, one sender per bot on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import select, update

from bot.checkins import prompts_sent
from bot.clock import FakeClock
from bot.db import Database
from bot.messaging.outbox import PRIORITY_ALERT, PRIORITY_PROMPT, SENDING
from bot.messaging.sender import TAKE_OVER_QUIET_SECONDS, OutboxSender
from bot.models import Checkin, OutboxMessage
from bot.services import Services
from standins.telegram import Fault, Limits
from tests.bot.test_sender import (
    FAST,
    delivered,
    queue,
    running_sender,
    standin_with,
    states,
    wait_sent,
)
from tests.conftest import make_settings
from tests.factories import make_case

QUICK = replace(FAST, heartbeat_seconds=0.05, owner_stale_seconds=0.3)


async def orphan(db: Database, ids: list[int], owner: str) -> None:
    """Rows a sender claimed and never settled: it died mid-call."""
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(state=SENDING, claimed_by=owner)
        )


async def until(condition: Callable[[], bool]) -> None:
    """Until a counter of the sender's says so (it moves in real time, not the clock's)."""
    async with asyncio.timeout(10):
        while not condition():  # noqa: ASYNC110 (counters, polled)
            await asyncio.sleep(0.01)


async def rows(db: Database) -> dict[int, OutboxMessage]:
    async with db.transaction() as session:
        return {row.id: row for row in await session.scalars(select(OutboxMessage))}


async def test_a_dead_senders_rows_are_settled_while_another_runs(
    db: Database, clock: FakeClock
) -> None:
    async with standin_with(Limits.off()) as standin:
        standin.user(11)
        standin.user(12)
        async with running_sender(db, clock, standin, QUICK) as live:
            # Another sender beat, claimed two rows, and was killed: nobody restarts.
            dead = OutboxSender(db, clock, live._transport, QUICK)
            await dead.seat.beat(clock.now())
            # (queued for later, so that the live sender leaves them to the dead one)
            later = clock.now() + timedelta(hours=1)
            alert = await queue(db, clock, [11], priority=PRIORITY_ALERT, not_before=later)
            prompt = await queue(db, clock, [12], priority=PRIORITY_PROMPT, not_before=later)
            await orphan(db, alert + prompt, dead.seat.id)
            await wait_sent(standin, 1)
        assert live.stats.recovered == 2
    settled = await rows(db)
    assert settled[alert[0]].state == "failed"
    assert "queued again" in (settled[alert[0]].last_error or "")
    assert settled[prompt[0]].state == "failed"
    assert delivered(standin) == ["tin nhắn 0"]  # the alert copy, once; the prompt never


async def test_a_row_of_a_sender_that_left_no_trace_is_settled_at_once(
    db: Database, clock: FakeClock
) -> None:
    """Killed before its first beat was kept (or its row was already cleaned up)."""
    async with standin_with(Limits.off()) as standin:
        standin.user(11)
        ids = await queue(db, clock, [11], priority=PRIORITY_ALERT)
        await orphan(db, ids, "0" * 32)
        async with running_sender(db, clock, standin, replace(QUICK, owner_stale_seconds=60)):
            await wait_sent(standin, 1)
    assert delivered(standin) == ["tin nhắn 0"]


async def test_an_orphaned_prompt_is_settled_and_its_check_in_goes_on(
    database_url: str, db: Database, clock: FakeClock
) -> None:
    settings = make_settings(database_url, checkins={"spread_minutes": 0})
    services = Services(settings, db, clock)
    clock.set(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))  # 07:00 in Vietnam
    await make_case(db, clock.now(), kind="f1", chat_id=21)
    clock.advance(timedelta(hours=1))  # the 08:00 round
    await services.checkins.tick()
    async with db.transaction() as session:
        prompt_ids = list(
            await session.scalars(select(Checkin.prompt_outbox_id).where(Checkin.state == "queued"))
        )
    assert prompt_ids
    await orphan(db, [i for i in prompt_ids if i is not None], "1" * 32)
    async with standin_with(Limits.off()) as standin:
        standin.user(21)
        async with running_sender(db, clock, standin, QUICK) as sender:
            await until(lambda: sender.stats.recovered >= 1)
    await services.checkins.tick()
    async with db.transaction() as session:
        left = list(await session.scalars(select(Checkin.state)))
        reminders = list(
            await session.scalars(
                select(OutboxMessage.chat_id).where(OutboxMessage.purpose == "checkin_reminder")
            )
        )
    assert "queued" not in left  # its window opened: a missed alert follows if unanswered
    # Not known to have reached the person: asked again at once by the reminder (never a
    # second prompt), not half an hour later.
    assert reminders == [21]


async def test_a_sent_prompt_opens_its_window_in_the_unit_of_work_that_records_it(
    database_url: str, db: Database, clock: FakeClock
) -> None:
    settings = make_settings(database_url, checkins={"spread_minutes": 0})
    services = Services(settings, db, clock)
    clock.set(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))  # 07:00 in Vietnam
    for chat in (21, 22, 23):
        await make_case(db, clock.now(), kind="f1", chat_id=chat)
    clock.advance(timedelta(hours=1))  # the 08:00 round
    await services.checkins.tick()
    async with standin_with(Limits.off()) as standin:
        for chat in (21, 22, 23):
            standin.user(chat)
        hook = partial(prompts_sent, settings.checkins)
        async with running_sender(db, clock, standin, QUICK, start=False, on_sent=hook) as sender:
            sender.start()  # all three claimed at once: one statement for the batch
            await wait_sent(standin, 3)
    # No tick since the prompts went: the sender opened the windows as it wrote them down.
    async with db.transaction() as session:
        rows = list(await session.scalars(select(Checkin).where(Checkin.state != "scheduled")))
    checkins = settings.checkins
    assert len(rows) == 3
    for row in rows:
        assert (row.state, row.prompt_sent_at) == ("open", clock.now())
        assert row.remind_at == clock.now() + timedelta(minutes=checkins.reminder_minutes)
        assert row.closes_at == clock.now() + timedelta(minutes=checkins.window_minutes)
        assert row.next_action_at == row.remind_at


@pytest.mark.parametrize("fault", ["late", "cut"])
async def test_unknown_fate_an_alert_copy_is_sent_once_more_a_prompt_never(
    db: Database, clock: FakeClock, fault: str
) -> None:
    lost = Fault.late(seconds=1.0) if fault == "late" else Fault.cut(deliver=True)
    async with standin_with(Limits.off()) as standin:
        standin.user(11)
        standin.user(12)
        settings = replace(QUICK, request_timeout_seconds=0.3)
        alert = await queue(db, clock, [11], priority=PRIORITY_ALERT)
        async with running_sender(db, clock, standin, settings) as sender:
            standin.inject_faults([lost])
            await wait_sent(standin, 2)  # delivered, answer lost; delivered again
            prompt = await queue(db, clock, [12], priority=PRIORITY_PROMPT, text=lambda i: "p")
            standin.inject_faults([lost])
            await wait_sent(standin, 3)
            await until(lambda: sender.stats.unknown >= 2)
    settled = await rows(db)
    assert settled[alert[0]].state == "sent"
    assert settled[prompt[0]].state == "failed"
    assert "not sent again" in (settled[prompt[0]].last_error or "")
    # The alert copy twice (one duplicate at most), the prompt once (never twice).
    assert sorted(delivered(standin)) == ["p", "tin nhắn 0", "tin nhắn 0"]


async def test_an_alert_copy_of_unknown_fate_twice_is_not_sent_a_third_time(
    db: Database, clock: FakeClock
) -> None:
    async with standin_with(Limits.off()) as standin:
        standin.user(11)
        standin.inject_faults([Fault.late(seconds=1.0), Fault.late(seconds=1.0)])
        ids = await queue(db, clock, [11], priority=PRIORITY_ALERT)
        settings = replace(QUICK, request_timeout_seconds=0.3)
        async with running_sender(db, clock, standin, settings) as sender:
            await until(lambda: sender.stats.unknown >= 2)
            await wait_sent(standin, 2)
    assert (await rows(db))[ids[0]].state == "failed"
    assert len(delivered(standin)) == 2


async def test_on_postgresql_one_sender_sends_and_a_standby_takes_over(
    db: Database, clock: FakeClock
) -> None:
    if db.settings.is_sqlite:
        pytest.skip("one process on SQLite: every sender sends")
    async with standin_with(Limits.off()) as standin:
        chats = list(range(1, 41))
        for chat in chats:
            standin.user(chat)
        async with (
            running_sender(db, clock, standin, QUICK) as first,
            running_sender(db, clock, standin, QUICK) as second,
        ):
            await queue(db, clock, chats[:20])
            await wait_sent(standin, 20)
            await until(lambda: first.stats.sent + second.stats.sent == 20)
            senders = sorted([first, second], key=lambda s: s.stats.sent)
            standby, leader = senders
            assert standby.stats.sent == 0
            assert leader.stats.sent == 20
            await leader.stop()
            await queue(db, clock, chats[20:])
            await wait_sent(standin, 40)
            await until(lambda: standby.stats.sent == 20)
    assert await states(db) == {"sent": 40}
    # The one that took over kept a quiet second first: Telegram counts the last second's
    # messages of a bot, whichever worker sent them.
    sends = [call.at for call in standin.calls if call.method == "sendMessage"]
    assert sends[20] - sends[19] >= TAKE_OVER_QUIET_SECONDS
