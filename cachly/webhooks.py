"""The web server of one worker: every bot's webhook, /healthz and the web desk, on
Starlette and uvicorn.

PTB's custom-webhook pattern (examples/customwebhookbot/starlettebot.py): each bot is its
own Application with no updater; the server checks the bot's secret token, hands the
update to that Application's queue and answers Telegram at once. Any number of bots share
one server, one path each. Workers are separate processes, each with its own server and
Applications; the first handler group (handlers/updates.py) makes sure a repeated
delivery is handled once across them.

It lives in the composition root, not in handlers/, because it starts and stops the
Applications and the server process-wide; it only hands updates over, handling none.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
import socket
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp
from telegram import Update

from bot.cli.base import schema_revisions
from bot.clock import Clock
from bot.db import Database
from bot.messaging.status import outbox_status
from cachly.lifecycle import all_started
from handlers.context import CachlyApplication
from handlers.polling import readable

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# /healthz gives up on the database after this long: a proxy's check must not hang.
HEALTH_TIMEOUT_SECONDS = 5.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@dataclass(frozen=True)
class WebhookBot:
    """One bot as the server sees it: its key, the path Telegram posts to, its secret."""

    key: str
    path: str
    secret: str
    application: CachlyApplication


def webhook_app(
    bots: Sequence[WebhookBot],
    db: Database,
    clock: Clock,
    extra_routes: Sequence[Route] = (),
    desk: ASGIApp | None = None,
) -> Starlette:
    """The ASGI app: POST on each bot's path, GET /healthz, the channels' webhooks (Zalo's
    `extra_routes`), and the web desk on every other path when given (`cachly run` gives
    it: one server per worker); without it anything else is 404."""
    paths = [bot.path for bot in bots] + [route.path for route in extra_routes]
    if len(set(paths)) != len(paths):
        raise ValueError("two bots on one webhook path")
    # Every method on a bot's path is the receiver's (it refuses all but POST), so the desk
    # mounted after never answers there.
    routes: list[BaseRoute] = [Route(bot.path, _receiver(bot), methods=METHODS) for bot in bots]
    routes.extend(extra_routes)
    routes.append(Route("/healthz", _health_endpoint(bots, db, clock), methods=["GET"]))
    if desk is not None:
        # Last: the bots' paths and /healthz are matched first, the desk answers the rest
        # (its own 404 page for a path it does not know).
        routes.append(Mount("/", app=desk))
    return Starlette(routes=routes)


def _receiver(bot: WebhookBot) -> Any:
    async def receive(request: Request) -> Response:
        if request.method != "POST":
            return Response(status_code=405, headers={"Allow": "POST"})
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), bot.secret.encode()):
            logger.warning("webhook %s: a request without the right secret token; refused", bot.key)
            return Response(status_code=403)
        update = _update_of(bot, await request.body())
        if update is not None:
            await bot.application.update_queue.put(update)
        # 200 even for an update that cannot be read: Telegram would repeat anything else
        # for ever, and the updates after it would wait.
        return Response()

    return receive


def _update_of(bot: WebhookBot, body: bytes) -> Update | None:
    """The update in a webhook body, or None (logged by id, never by content)."""
    try:
        data = json.loads(body)
    except ValueError:
        logger.warning("webhook %s: a body that is not JSON; skipped", bot.key)
        return None
    if not isinstance(data, dict):
        logger.warning("webhook %s: a body that is not an update; skipped", bot.key)
        return None
    item = readable(data)  # logs an unreadable update by its id
    if item is None or set(item) == {"update_id"}:
        return None
    return Update.de_json(item, bot.application.bot)


def _health_endpoint(bots: Sequence[WebhookBot], db: Database, clock: Clock) -> Any:
    async def healthz(request: Request) -> Response:
        report = await health(bots, db, clock)
        return JSONResponse(report, status_code=200 if report["ok"] else 503)

    return healthz


async def health(bots: Sequence[WebhookBot], db: Database, clock: Clock) -> dict[str, Any]:
    """Database reachable, schema at head, each bot running, the outbox's backlog."""
    report: dict[str, Any] = {
        "bots": {bot.key: bot.application.running for bot in bots},
    }
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
            current, head = await schema_revisions(db)
            async with db.transaction() as session:
                status = await outbox_status(session, clock.now(), failures=0)
    except Exception as error:
        # The kind only: a driver's message may carry the database's address.
        report.update(ok=False, database=f"unreachable ({type(error).__name__})")
        return report
    report["database"] = "ok"
    report["schema"] = {"current": current, "head": head}
    report["outbox"] = {"due": status.pending_due, "sending": status.sending}
    report["ok"] = current == head and all(report["bots"].values())
    return report


@asynccontextmanager
async def running(bots: Sequence[WebhookBot]) -> AsyncIterator[None]:
    """Every bot's Application initialised and started (its hooks run), stopped after."""
    async with all_started([bot.application for bot in bots]):
        yield


class _Server(uvicorn.Server):
    """uvicorn's server, which on SIGINT or SIGTERM stops serving and returns."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        """As uvicorn's, without raising the signal again once serving stopped: that would
        end the process before the Applications and the outbox sender stop."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        originals = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in originals.items():
                signal.signal(sig, handler)


def server(app: Starlette, host: str, port: int) -> uvicorn.Server:
    """uvicorn serving `app`: no access log (paths and clients), no logging set up of its own."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_config=None,
        lifespan="off",
        server_header=False,
        # The proxy on this host is the only client: the desk's sign-in limit counts the
        # browser's address it forwards (X-Forwarded-For), trusted from 127.0.0.1 only.
        proxy_headers=True,
        forwarded_allow_ips=["127.0.0.1", "::1"],
    )
    return _Server(config)


async def serve(
    bots: Sequence[WebhookBot],
    db: Database,
    clock: Clock,
    host: str,
    port: int,
    *,
    extra_routes: Sequence[Route] = (),
    desk: ASGIApp | None = None,
) -> None:
    """Serve every bot's webhook (and the desk) until SIGINT or SIGTERM, then stop the
    Applications."""
    async with running(bots):
        # Bound first: a port in use fails here, and once this is logged requests queue.
        with socket.create_server((host, port)) as listening:
            served = " and the web desk" if desk is not None else ""
            logger.info("webhooks of %d bot(s)%s listening on %s:%d", len(bots), served, host, port)
            app = webhook_app(bots, db, clock, extra_routes, desk)
            await server(app, host, port).serve(sockets=[listening])
