"""Building the PTB Application around the services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.context import CachlyContext
from bot.services import Services

CachlyApplication = Application[Any, CachlyContext, Any, Any, Any, Any]


def build_application(services: Services) -> CachlyApplication:
    """The PTB Application with every handler registered and the services attached."""
    from handlers import register
    from handlers.jobs import register_jobs

    telegram = services.settings.telegram
    builder = (
        ApplicationBuilder()
        .token(telegram.token)
        .context_types(ContextTypes(context=CachlyContext))
        # Direct replies only: the outbox sender paces everything else itself.
        .rate_limiter(AIORateLimiter(max_retries=2))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if telegram.base_url:
        builder = builder.base_url(telegram.base_url)
    if telegram.base_file_url:
        builder = builder.base_file_url(telegram.base_file_url)
    application: CachlyApplication = builder.build()
    application.bot_data["services"] = services
    register(application)
    register_jobs(application)
    return application


async def _post_init(application: CachlyApplication) -> None:
    from handlers.menus import set_default_commands
    from handlers.transport import start_sender

    await set_default_commands(application.bot, application.bot_data["services"])
    await start_sender(application)


async def _post_shutdown(application: CachlyApplication) -> None:
    from handlers.transport import stop_sender

    await stop_sender(application)
    services: Services = application.bot_data["services"]
    await services.db.dispose()


def run(services: Services) -> None:
    """Run the bot until interrupted: long polling, or a webhook when configured."""
    application = build_application(services)
    telegram = services.settings.telegram
    if telegram.mode == "webhook":
        application.run_webhook(
            listen=telegram.webhook_listen,
            port=telegram.webhook_port,
            # Listen on the path Telegram is told to post to, whatever the proxy's layout.
            url_path=urlsplit(telegram.webhook_url).path.lstrip("/"),
            webhook_url=telegram.webhook_url,
            secret_token=telegram.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
