"""The real PTB Application running against the Bot API stand-in, for end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlparse

from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.messaging.pacing import ChatPacer
from bot.services import Services
from cachly.root import build_application
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
        services = Services(replace(settings, telegram=telegram), db, clock)
        application = build_application(services)
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
