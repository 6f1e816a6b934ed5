"""`cachly web`: the desk's Starlette app over the services, served by uvicorn."""

from __future__ import annotations

import uvicorn

from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from bot.services import Services
from cachly.zalo import zalo_routes
from web.app import create_app


def run_web(settings: Settings, host: str, port: int) -> None:
    """Serve the desk until interrupted; no Telegram connection is made."""
    services = Services(settings, Database(settings.database), SystemClock())
    app = create_app(services)
    # The OA's webhook beside the desk (first: before any catch-all of the desk's).
    app.router.routes[:0] = zalo_routes(services)
    # Access logs would carry the sign-in code in a path: off (our own logs hold ids only).
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info")
