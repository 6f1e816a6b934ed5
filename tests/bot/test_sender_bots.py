"""One sender per bot on one outbox: each claims its own bot's rows, on its own budget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace

from bot.clock import FakeClock
from bot.config import BotSettings, OutboxSettings, Settings
from bot.db import Database
from bot.messaging.message import Text
from bot.messaging.outbox import PRIORITY_PROMPT, enqueue
from bot.messaging.sender import OutboxSender
from bot.messaging.telegram.transport import HttpTransport
from bot.routing import ROUTING_KEY, Routing
from standins.telegram import BotApiStandIn, Limits

# Two bots, Thanh Hóa's and Nghệ An's; each stand-in enforces one bot's 30 a second.
BOTS = {"a": (38, "111:bot-a"), "b": (40, "222:bot-b")}


@asynccontextmanager
async def senders(
    db: Database, clock: FakeClock, outbox: OutboxSettings
) -> AsyncIterator[dict[str, tuple[BotApiStandIn, OutboxSender]]]:
    """A stand-in and a running sender per bot, stopped on exit."""
    async with AsyncExitStack() as stack:
        running = {}
        for key, (_, token) in BOTS.items():
            standin = await stack.enter_async_context(BotApiStandIn(token, limits=Limits()))
            for chat in range(1000, 1030):
                standin.user(chat)
            settings = replace(
                Settings(),
                telegram=replace(Settings().telegram, token=token, base_url=standin.base_url),
            )
            transport = HttpTransport.from_settings(settings)
            await transport.initialize()
            stack.push_async_callback(transport.shutdown)
            sender = OutboxSender(db, clock, transport, outbox, bot_id=int(token[:3]), bot=key)
            sender.start()
            stack.push_async_callback(sender.stop)
            running[key] = (standin, sender)
        yield running


async def test_each_bot_sends_its_own_rows_at_its_own_rate(db: Database, clock: FakeClock) -> None:
    settings = replace(
        Settings(),
        deployment=replace(Settings().deployment, provinces=(38, 40)),
        bots=tuple(BotSettings(key, (province,), token) for key, (province, token) in BOTS.items()),
    )
    routed = db.with_info(**{ROUTING_KEY: Routing.of(settings)})
    # 30 chats, two messages each, for each bot: 60 a bot, 120 in all. Together they are
    # more than one bot's 30 a second; each sender paces its own bot only.
    async with routed.transaction() as session:
        for province in (38, 40):
            for round_ in range(2):
                for chat in range(1000, 1030):
                    enqueue(
                        session,
                        chat_id=chat,
                        province=province,
                        content=Text(f"{province} {round_}"),
                        priority=PRIORITY_PROMPT,
                        purpose="test",
                        now=clock.now(),
                    )
    async with senders(db, clock, OutboxSettings()) as running:
        for standin, _ in running.values():
            await delivered(standin, 60)
    # (Stopped: every outcome is written down.)
    for key, (standin, sender) in running.items():
        mine = str(BOTS[key][0])
        texts = [str(c.params.get("text", "")) for c in standin.calls if c.method == "sendMessage"]
        # Only its own province's messages, every one, and never a 429.
        assert len(texts) == 60
        assert all(text.startswith(mine) for text in texts)
        assert standin.count_429 == 0
        assert sender.stats.sent == 60


async def delivered(standin: BotApiStandIn, count: int) -> None:
    """Until the stand-in has delivered `count` messages."""

    def enough() -> bool:
        return sum(1 for c in standin.calls if c.method == "sendMessage" and c.ok) >= count

    await standin._wait_until(enough, 20.0, f"{count} messages delivered")
