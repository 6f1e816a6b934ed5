"""What a person must see survives Telegram's faults; each update is handled once; replies
to one chat are paced (issues #12 and #18.4), through the real Application and stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from telegram import Update

from bot.clock import FakeClock
from bot.db import Database
from bot.models import OutboxMessage
from standins.telegram import Fault, Limits
from tests.conftest import make_settings
from tests.factories import make_case
from tests.harness import Harness, running_bot

FAULTS = {
    "429": Fault.too_many(1),
    "502": Fault.bad_gateway(),
    "hang": Fault.hang(seconds=0.5),
    "cut": Fault.cut(deliver=False),
}


@pytest.fixture
async def harness(database_url: str, db: Database, clock: FakeClock) -> AsyncIterator[Harness]:
    """Telegram's limits on, an outbox that retries at once."""
    settings = make_settings(
        database_url, outbox={"retry_base_seconds": 0.0, "request_timeout_seconds": 2.0}
    )
    async with running_bot(settings, db, clock, limits=Limits()) as running:
        yield running


async def reply_rows(harness: Harness) -> int:
    async with harness.services.db.transaction() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.purpose == "reply")
            )
            or 0
        )


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_the_sos_confirmation_arrives_once_the_fault_passes(
    harness: Harness, fault: str
) -> None:
    officer = await harness.officer(9101)
    await make_case(harness.services.db, harness.clock.now(), chat_id=3101, full_name="Bà Hoa")
    person = harness.user(3101)
    harness.standin.fault_mode = FAULTS[fault]
    await person.send_text("/sos")
    # The direct reply met the fault and went to the outbox.
    await harness.standin.wait_for_call("sendMessage", lambda c: c.chat_id == 3101)
    await harness.standin._wait_until(
        lambda: harness.standin.faults_answered >= 2, 5.0, "the fault met the reply"
    )
    harness.standin.fault_mode = None
    confirmation = await person.wait_for_message(lambda m: "115" in (m.text or ""), timeout=10)
    assert "Bà Hoa" in (confirmation.text or "")
    assert await officer.wait_for_message(lambda m: "SOS" in (m.text or ""), timeout=10)
    said = [m for m in person.messages if "115" in (m.text or "")]
    assert len(said) == 1
    assert await reply_rows(harness) == 1  # it went out through the outbox


async def test_four_messages_in_one_second_get_four_replies_and_no_429(
    harness: Harness,
) -> None:
    person = harness.user(3102)
    for _ in range(4):
        await person.send_text("/help")
    for _ in range(4):
        await person.wait_for_message(timeout=5)
    assert harness.standin.count_429 == 0
    sends = [c for c in harness.standin.calls_of("sendMessage") if c.chat_id == 3102]
    # Four direct replies, none refused by Telegram's one-a-second limit and none pushed to
    # the outbox: the burst and its pacing (timed on a moved clock in test_pacing.py).
    assert len(sends) == 4
    assert await reply_rows(harness) == 0


async def test_an_update_delivered_twice_is_handled_once(harness: Harness) -> None:
    await make_case(harness.services.db, harness.clock.now(), chat_id=3103, full_name="Bà Hoa")
    person = harness.user(3103)
    await person.send_text("/sos")
    await person.wait_for_message(lambda m: "115" in (m.text or ""))
    # The same delivery again, as Telegram repeats an unanswered webhook or a second
    # worker receives it.
    seen = harness.standin.calls_of("getUpdates")
    update = next(u for c in reversed(seen) if c.ok for u in (c.response.get("result") or []))
    again = Update.de_json(update, harness.application.bot)
    await harness.application.process_update(again)
    await harness.application.process_update(again)
    sends = [
        c
        for c in harness.standin.calls_of("sendMessage")
        if c.chat_id == 3103 and "115" in str(c.params.get("text"))
    ]
    assert len(sends) == 1
