"""The web desk's Starlette application, built over a process's services."""

from __future__ import annotations

import secrets

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from bot.services import Services
from web.pages import STATIC, Desk, environment
from web.routes import (
    actions,
    alerts,
    cases,
    exports,
    importing,
    map,
    public,
    signin,
    sms,
    worklist,
)
from web.security import CookieSigner


def create_app(services: Services, secret: str | None = None) -> Starlette:
    """The desk's pages and the public page over `services`.

    Without a configured secret a random one is made: sessions then end with the process.
    """
    key = secret or services.settings.web.secret or secrets.token_urlsafe(32)
    desk = Desk(services=services, signer=CookieSigner(key), env=environment())

    async def not_found(request: Request, exc: Exception) -> Response:
        return desk.render(request, "message.html", key="web.not_found", status_code=404)

    routes = [
        *signin.routes(desk),
        *map.routes(desk),
        *alerts.routes(desk),
        *cases.routes(desk),
        *actions.routes(desk),
        *exports.routes(desk),
        *importing.routes(desk),
        *worklist.routes(desk),
        *public.routes(desk),
        *sms.routes(desk),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found})
