"""The web desk's app over the services: served alone (`cachly web`) or by the webhook
workers beside the bots' webhooks (`cachly run` in webhook mode, cachly/root.py)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import uvicorn
from starlette.applications import Starlette

from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from bot.services import Services
from cachly.zalo import zalo_routes
from handlers.context import CachlyApplication
from web.app import create_app
from web.pages import configured_usernames

logger = logging.getLogger(__name__)


def run_web(settings: Settings, host: str, port: int) -> None:
    """Serve the desk until interrupted; no Telegram connection is made."""
    services = Services(settings, Database(settings.database), SystemClock())
    # Access logs would carry the sign-in code in a path: off (our own logs hold ids only).
    uvicorn.run(web_app(services), host=host, port=port, access_log=False, log_level="info")


def web_app(services: Services, secret: str | None = None) -> Starlette:
    """The desk, with the OA's webhook beside it when the Zalo channel is on (`cachly web`)."""
    app = desk_app(services, secret=secret)
    # First: before any catch-all of the desk's.
    app.router.routes[:0] = zalo_routes(services)
    return app


def desk_app(
    services: Services,
    applications: Mapping[int, CachlyApplication] | None = None,
    *,
    secret: str | None = None,
) -> Starlette:
    """The desk over the deployment's services.

    `applications`: each province's running bot, whose @username (asked of Telegram when it
    started) names the enrolment links when the configuration does not.
    """
    if not (secret or services.settings.web.secret) and applications:
        logger.warning(
            "web.secret is not set: desk sessions hold on this worker only and end when it "
            "stops; set CACHLY_WEB_SECRET (the same for every worker)"
        )
    configured = configured_usernames(services.settings)
    running = applications or {}

    def username(province: int) -> str:
        name = configured(province)
        application = running.get(province)
        if name or application is None:
            return name
        try:
            return application.bot.username or ""
        except RuntimeError:  # the bot has not asked Telegram who it is yet
            return ""

    return create_app(services, secret, usernames=username)
