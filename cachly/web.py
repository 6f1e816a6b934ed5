"""`cachly web`: the desk's Starlette app over the services, served by uvicorn."""

from __future__ import annotations

import uvicorn
from starlette.applications import Starlette

from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from bot.services import Services
from cachly.zalo import zalo_routes
from web.app import create_app


def run_web(settings: Settings, host: str, port: int) -> None:
    """Serve the desk until interrupted; no Telegram connection is made."""
    services = Services(settings, Database(settings.database), SystemClock())
    # Access logs would carry the sign-in code in a path: off (our own logs hold ids only).
    uvicorn.run(web_app(services), host=host, port=port, access_log=False, log_level="info")


def web_app(services: Services, secret: str | None = None) -> Starlette:
    """The desk, with the OA's webhook beside it when the Zalo channel is on."""
    app = create_app(services, secret)
    # First: before any catch-all of the desk's.
    app.router.routes[:0] = zalo_routes(services)
    return app
