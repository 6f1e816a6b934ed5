"""Everything one process needs, built in one place: services, Applications, jobs, senders.

The order of building is the order of dependence: settings and the database, the services
over them, the PTB Application over the services (its handlers registered in
`handlers.register`, its periodic ticks in `handlers.jobs`), and the outbox sender with its
own HTTP transport, started after the Application is initialised and stopped after it.

A deployment with several bots ([[bots]]) gets one Application per bot, each over services
narrowed to its provinces (Settings.for_bot, bot/routing.py), each with its own sender,
token, rate and command menus. The ticks run once, on the first bot's Application, over
the whole deployment's services: what they queue goes to the bot of each row's province.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults

from bot import cli
from bot.alerts import chat_unreachable, delivery_resent
from bot.checkins import prompts_sent
from bot.clock import Clock, SystemClock
from bot.config import DEFAULT_BOT, Settings
from bot.db import Database
from bot.messaging.pacing import ChatPacer
from bot.messaging.poller import PollerLock
from bot.messaging.sender import OutboxSender
from bot.messaging.telegram.transport import HttpTransport, telegram_outbox
from bot.messaging.updates import HandledUpdates
from bot.services import Services
from cachly.polling import poll
from cachly.sms import close_sms_sender, open_sms_sender
from cachly.webhooks import WebhookBot, serve
from cachly.zalo import close_zalo_sender, open_zalo_sender, zalo_routes
from handlers import register
from handlers.buttons import NotingRateLimiter
from handlers.context import DEPLOYMENT_KEY, CachlyApplication, CachlyContext
from handlers.jobs import register_jobs
from handlers.menus import set_default_commands
from handlers.polling import ReadableUpdates
from handlers.reply import PACER_KEY
from handlers.updates import register_dedupe

SENDER_KEY = "outbox_sender"
# A webhook update taken by a worker and not done this long after is taken again (the
# worker died; Telegram repeats an unanswered delivery).
WEBHOOK_RECLAIM_SECONDS = 60.0
TRANSPORT_KEY = "outbox_transport"
# bot_data key: whether this Application closes the shared database at its shutdown.
OWNS_DB_KEY = "owns_database"
# bot_data keys: the Zalo contacts' sender (on the first bot's Application, as the ticks).
ZALO_SENDER_KEY = "zalo_sender"
ZALO_CHANNEL_KEY = "zalo_channel"
# bot_data keys: whether this Application runs the deployment's SMS sender (the one with
# the ticks), and that sender with its transport.
SMS_HOST_KEY = "sms_host"
SMS_SENDER_KEY = "sms_sender"


@dataclass(frozen=True)
class BotApplication:
    """One bot of the deployment: its key, its Application and the settings it sees."""

    key: str
    application: CachlyApplication
    settings: Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `cachly` console command."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["demo"]:
        # The demo builds its own settings and database: it reads no configuration.
        from cachly import demo

        return demo.main(arguments[1:])
    from cachly.web import run_web

    return cli.main(arguments, run_bot=run_bot, run_web=run_web)


def run_bot(settings: Settings) -> None:
    """`cachly run`: every bot on the system clock until interrupted."""
    run(Services(settings, Database(settings.database), SystemClock()))


def build_bots(settings: Settings, db: Database, clock: Clock) -> list[BotApplication]:
    """Every bot's Application (key, Application, settings), the first one with the ticks.

    The webhook server hands each bot's updates to its Application; long polling runs
    them all in one process (`run`).
    """
    deployment = Services(settings, db, clock)
    built: list[BotApplication] = []
    for bot in settings.all_bots:
        narrowed = settings.for_bot(bot.key)
        application = build_application(
            Services(narrowed, db, clock), deployment=deployment, ticks=not built
        )
        application.bot_data[OWNS_DB_KEY] = not built
        built.append(BotApplication(bot.key, application, narrowed))
    return built


def build_application(
    services: Services, *, deployment: Services | None = None, ticks: bool = True
) -> CachlyApplication:
    """The PTB Application of one bot with every handler registered and the services attached.

    `deployment`: the whole deployment's services, which the ticks use (by default the
    bot's own, for a deployment of one bot); `ticks`: whether this Application runs them.
    """
    telegram = services.settings.telegram
    builder = (
        ApplicationBuilder()
        .token(telegram.token)
        .context_types(ContextTypes(context=CachlyContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        # Direct replies only: the outbox sender paces everything else itself. No retries:
        # a reply Telegram refuses goes to the outbox at once (handlers/reply.py).
        .rate_limiter(NotingRateLimiter(max_retries=0))
        # One long poll at a time, as PTB's own; an unreadable update is skipped, not retried.
        .get_updates_request(ReadableUpdates(connection_pool_size=1))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if telegram.mode == "webhook":
        # The worker's own web server hands updates over (cachly/webhooks.py).
        builder = builder.updater(None)
    if telegram.base_url:
        builder = builder.base_url(telegram.base_url)
    if telegram.base_file_url:
        builder = builder.base_file_url(telegram.base_file_url)
    application: CachlyApplication = builder.build()
    application.bot_data["services"] = services
    application.bot_data[DEPLOYMENT_KEY] = deployment or services
    application.bot_data[SMS_HOST_KEY] = ticks
    outbox = services.settings.outbox
    application.bot_data[PACER_KEY] = ChatPacer(
        outbox.reply_burst, outbox.per_chat_interval_seconds
    )
    register(application)
    # Long polling has one worker: an update left half done was its dead predecessor's.
    reclaim = 0.0 if telegram.mode != "webhook" else WEBHOOK_RECLAIM_SECONDS
    register_dedupe(
        application,
        HandledUpdates(
            services.db, services.clock, bot_id(telegram.token), reclaim_seconds=reclaim
        ),
    )
    if ticks:
        register_jobs(application)
    return application


async def open_sender(services: Services) -> tuple[OutboxSender, HttpTransport]:
    """The outbox sender of this process on its own HTTP transport, started."""
    transport = HttpTransport.from_settings(services.settings)
    await transport.initialize()
    outbox_sender = OutboxSender(
        services.db,
        services.clock,
        transport,
        telegram_outbox(services.settings.outbox),
        on_forbidden=partial(chat_unreachable, services.alerts.config),
        on_resent=delivery_resent,
        on_sent=partial(prompts_sent, services.settings.checkins),
        bot_id=bot_id(services.settings.telegram.token),
        bot=services.settings.bot or DEFAULT_BOT,
    )
    outbox_sender.start()
    return outbox_sender, transport


def bot_id(token: str) -> int:
    """The bot's Telegram id, the part of its token before the colon (0 if none)."""
    prefix = token.split(":", 1)[0]
    return int(prefix) if prefix.isdecimal() else 0


async def _post_init(application: CachlyApplication) -> None:
    services: Services = application.bot_data["services"]
    await set_default_commands(application.bot, services)
    # Not application.create_task: Application.stop() waits for those tasks, and the sender
    # runs until post_shutdown stops it.
    outbox_sender, transport = await open_sender(services)
    application.bot_data[SENDER_KEY] = outbox_sender
    application.bot_data[TRANSPORT_KEY] = transport
    deployment: Services = application.bot_data.get(DEPLOYMENT_KEY, services)
    if application.bot_data.get(OWNS_DB_KEY, True) and deployment.settings.zalo.enabled:
        # One Zalo sender per process, over the whole deployment (its contacts are anyone's).
        zalo_sender, channel = await open_zalo_sender(deployment)
        application.bot_data[ZALO_SENDER_KEY] = zalo_sender
        application.bot_data[ZALO_CHANNEL_KEY] = channel
    if application.bot_data.get(SMS_HOST_KEY, True):
        # People on SMS: one sender for the deployment, beside the first bot's.
        application.bot_data[SMS_SENDER_KEY] = await open_sms_sender(deployment)


async def _post_shutdown(application: CachlyApplication) -> None:
    # The sender stops first, so its open calls finish and are recorded.
    outbox_sender: OutboxSender | None = application.bot_data.pop(SENDER_KEY, None)
    transport: HttpTransport | None = application.bot_data.pop(TRANSPORT_KEY, None)
    if outbox_sender is not None:
        await outbox_sender.stop()
    if transport is not None:
        await transport.shutdown()
    zalo_sender = application.bot_data.pop(ZALO_SENDER_KEY, None)
    zalo_channel = application.bot_data.pop(ZALO_CHANNEL_KEY, None)
    if zalo_sender is not None and zalo_channel is not None:
        await close_zalo_sender(zalo_sender, zalo_channel)
    await close_sms_sender(application.bot_data.pop(SMS_SENDER_KEY, None))
    services: Services = application.bot_data["services"]
    if application.bot_data.get(OWNS_DB_KEY, True):
        await services.db.dispose()


def run(services: Services) -> None:
    """Run the bots until interrupted: long polling, or a webhook when configured."""
    bots = build_bots(services.settings, services.db, services.clock)
    if services.settings.telegram.mode == "webhook":
        run_webhooks(services, bots)
    else:
        asyncio.run(poll_all(bots))


async def poll_all(
    bots: Sequence[BotApplication],
    stopping: asyncio.Event | None = None,
    *,
    poll_timeout: int = 10,
) -> None:
    """Long polling for every bot in this process until `stopping` (SIGINT, SIGTERM).

    One poller per bot: a bot another process polls is stood by for, not fought over with
    409s, and taken over when that process ends.
    """
    seats = [
        (b.application, PollerLock(_services(b).db, bot_id(b.settings.telegram.token)))
        for b in bots
    ]
    await poll(seats, stopping, poll_timeout=poll_timeout)


def _services(bot: BotApplication) -> Services:
    services: Services = bot.application.bot_data["services"]
    return services


def run_webhooks(services: Services, bots: Sequence[BotApplication]) -> None:
    """Webhook mode: this worker's server for every bot and the desk; `cachly webhook set`
    registers the webhooks."""
    from cachly.web import desk_app

    telegram = services.settings.telegram
    hooked = webhook_bots(services.settings, bots)
    # The desk in the same server: one port and one proxy upstream per worker.
    provinces = {p: b.application for b in bots for p in b.settings.deployment.provinces}
    desk = desk_app(services, provinces)
    asyncio.run(
        serve(
            hooked,
            services.db,
            services.clock,
            telegram.webhook_listen,
            telegram.webhook_port,
            extra_routes=zalo_routes(services),
            desk=desk,
        )
    )


def webhook_bots(settings: Settings, bots: Sequence[BotApplication]) -> list[WebhookBot]:
    """Every bot as the webhook server sees it: its path, its secret, its Application."""
    # Each served on the path Telegram is told to post to, whatever the proxy's layout.
    return [
        WebhookBot(
            b.key,
            urlsplit(settings.webhook_url_of(b.key)).path,
            b.settings.telegram.webhook_secret,
            b.application,
        )
        for b in bots
    ]
