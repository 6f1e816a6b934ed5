"""Everything one process needs, built in one place: services, Application, jobs, sender.

The order of building is the order of dependence: settings and the database, the services
over them, the PTB Application over the services (its handlers registered in
`handlers.register`, its periodic ticks in `handlers.jobs`), and the outbox sender with its
own HTTP transport, started after the Application is initialised and stopped after it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from functools import partial
from urllib.parse import urlsplit

from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults

from bot import cli
from bot.alerts import chat_unreachable, delivery_resent
from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from bot.messaging.pacing import ChatPacer
from bot.messaging.poller import PollerLock
from bot.messaging.sender import OutboxSender
from bot.messaging.telegram.transport import HttpTransport
from bot.messaging.updates import HandledUpdates
from bot.services import Services
from cachly.polling import poll
from cachly.webhooks import WebhookBot, serve
from handlers import register
from handlers.buttons import NotingRateLimiter
from handlers.context import CachlyApplication, CachlyContext
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
    """`cachly run`: the bot on the system clock until interrupted."""
    run(Services(settings, Database(settings.database), SystemClock()))


def build_application(services: Services) -> CachlyApplication:
    """The PTB Application with every handler registered and the services attached."""
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
        services.settings.outbox,
        on_forbidden=partial(chat_unreachable, services.alerts.config),
        on_resent=delivery_resent,
        bot_id=bot_id(services.settings.telegram.token),
    )
    outbox_sender.start()
    return outbox_sender, transport


def bot_id(token: str) -> int:
    """The bot's Telegram id, the part of its token before the colon (0 if none)."""
    prefix = token.split(":", 1)[0]
    return int(prefix) if prefix.isdigit() else 0


async def _post_init(application: CachlyApplication) -> None:
    services: Services = application.bot_data["services"]
    await set_default_commands(application.bot, services)
    # Not application.create_task: Application.stop() waits for those tasks, and the sender
    # runs until post_shutdown stops it.
    outbox_sender, transport = await open_sender(services)
    application.bot_data[SENDER_KEY] = outbox_sender
    application.bot_data[TRANSPORT_KEY] = transport


async def _post_shutdown(application: CachlyApplication) -> None:
    # The sender stops first, so its open calls finish and are recorded.
    outbox_sender: OutboxSender | None = application.bot_data.pop(SENDER_KEY, None)
    transport: HttpTransport | None = application.bot_data.pop(TRANSPORT_KEY, None)
    if outbox_sender is not None:
        await outbox_sender.stop()
    if transport is not None:
        await transport.shutdown()
    services: Services = application.bot_data["services"]
    await services.db.dispose()


def run(services: Services) -> None:
    """Run the bot until interrupted: long polling, or a webhook when configured."""
    application = build_application(services)
    telegram = services.settings.telegram
    if telegram.mode == "webhook":
        run_webhooks(services, application)
    else:
        # One poller per bot: a second process stands by instead of 409s for ever.
        lock = PollerLock(services.db, bot_id(telegram.token))
        asyncio.run(poll(application, lock))


def run_webhooks(services: Services, application: CachlyApplication) -> None:
    """Webhook mode: this worker's server for the one bot; `cachly webhook set` registers it."""
    telegram = services.settings.telegram
    # Served on the path Telegram is told to post to, whatever the proxy's layout.
    bot = WebhookBot(
        "main", urlsplit(telegram.webhook_url).path, telegram.webhook_secret, application
    )
    asyncio.run(
        serve([bot], services.db, services.clock, telegram.webhook_listen, telegram.webhook_port)
    )
