"""The real PTB Application running against the Bot API stand-in, for end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlparse

from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.messaging.pacing import ChatPacer
from bot.services import Services
from cachly.root import BotApplication, build_bots
from handlers.context import CachlyApplication
from handlers.reply import PACER_KEY
from standins.telegram import BotApiStandIn, Limits, User

TOKEN = "123456789:stand-in-token"
BOT_USERNAME = "cachly_test_bot"


@dataclass
class Harness:
    """A running bot, its stand-in Telegram, its services and its clock."""

    standin: BotApiStandIn
    application: CachlyApplication
    services: Services
    clock: FakeClock

    def user(self, user_id: int, first_name: str = "Lan", language_code: str = "vi") -> User:
        """A Telegram user who can talk to the bot."""
        return self.standin.user(user_id, first_name=first_name, language_code=language_code)

    async def officer(self, user_id: int, area: str = "hac thanh", role: str = "officer") -> User:
        """A user who has opened an admin's invitation and is now an officer."""
        issued = await self.services.officers.invite(role, area, BOT_USERNAME)
        user = self.user(user_id, first_name=f"Officer {user_id}")
        await user.send_text(f"/start {start_code(issued.link)}")
        await user.wait_for_message()
        return user


def start_code(link: str) -> str:
    """The start parameter of a t.me deep link."""
    return parse_qs(urlparse(link).query)["start"][0]


@asynccontextmanager
async def running_bot(
    settings: Settings, db: Database, clock: FakeClock, limits: Limits | None = None
) -> AsyncIterator[Harness]:
    """Start the stand-in and the bot polling it; stop both afterwards."""
    limits = limits or Limits.off()
    async with BotApiStandIn(
        TOKEN, bot_username=BOT_USERNAME, clock=clock.now, limits=limits
    ) as standin:
        telegram = replace(
            settings.telegram,
            token=TOKEN,
            base_url=standin.base_url,
            base_file_url=standin.base_file_url,
            bot_username=BOT_USERNAME,
        )
        # As `cachly run` builds it: the one bot's Application over its narrowed services.
        (bot,) = build_bots(replace(settings, telegram=telegram), db, clock)
        application = bot.application
        services: Services = application.bot_data["services"]
        if not limits.enabled:
            # A stand-in that enforces no limit needs no pacing of replies: tests that look
            # at pacing run the stand-in with Telegram's limits.
            application.bot_data[PACER_KEY] = ChatPacer(1, 0.0)
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield Harness(standin, application, services, clock)
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)


@dataclass
class BotHarness:
    """One bot of a several-bot deployment: its stand-in, Application and narrowed services."""

    key: str
    username: str
    standin: BotApiStandIn
    application: CachlyApplication
    services: Services

    def user(self, user_id: int, first_name: str = "Lan", language_code: str = "vi") -> User:
        """A Telegram user writing to this bot (the same id may write to another bot too)."""
        return self.standin.user(user_id, first_name=first_name, language_code=language_code)

    async def officer(self, user_id: int, area: str, role: str = "officer") -> User:
        """A user who opened this bot's invitation for `area` and is now its officer."""
        issued = await self.services.officers.invite(role, area, self.username)
        user = self.user(user_id, first_name=f"Officer {user_id}")
        await user.send_text(f"/start {start_code(issued.link)}")
        await user.wait_for_message()
        return user


@asynccontextmanager
async def running_bots(
    settings: Settings, db: Database, clock: FakeClock, limits: Limits | None = None
) -> AsyncIterator[dict[str, BotHarness]]:
    """Every [[bots]] bot of `settings` on a stand-in of its own, polling; by key."""
    limits = limits or Limits.off()
    async with AsyncExitStack() as stack:
        standins: dict[str, BotApiStandIn] = {}
        bots = []
        for number, bot in enumerate(settings.all_bots, start=1):
            token, username = f"{700000000 + number}:stand-in-{bot.key}", f"cachly_{bot.key}_bot"
            standin = await stack.enter_async_context(
                BotApiStandIn(token, bot_username=username, clock=clock.now, limits=limits)
            )
            standins[bot.key] = standin
            bots.append(replace(bot, token=token, username=username, base_url=standin.base_url))
        built = build_bots(replace(settings, bots=tuple(bots)), db, clock)
        running = {}
        for one in built:
            await _start(one, limits)
            stack.push_async_callback(_stop, one.application)
            running[one.key] = BotHarness(
                one.key,
                one.settings.telegram.bot_username,
                standins[one.key],
                one.application,
                one.application.bot_data["services"],
            )
        yield running


async def _start(bot: BotApplication, limits: Limits) -> None:
    application = bot.application
    if not limits.enabled:
        application.bot_data[PACER_KEY] = ChatPacer(1, 0.0)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)


async def _stop(application: CachlyApplication) -> None:
    assert application.updater is not None
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
