"""The web desk's Starlette application, built over a process's services.

Two kinds of pages: the public ones, open to anyone (the situation page; a page of its own
module per public use, each doing its own checks), and the desk's, each of which asks
`web.auth.signed_in` first. A new page is a module in web/routes/ with a `routes(desk)`
function, listed below in its group.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from bot.services import Services
from web.pages import STATIC, Desk, configured_usernames, environment
from web.routes import (
    actions,
    alerts,
    cases,
    digest,
    exports,
    importing,
    language,
    links,
    map,
    public,
    signin,
    sms,
    worklist,
)
from web.security import CookieSigner


def create_app(
    services: Services,
    secret: str | None = None,
    *,
    usernames: Callable[[int], str] | None = None,
) -> Starlette:
    """The desk's pages and the public pages over `services`.

    Without a configured secret a random one is made: sessions then end with the process.
    `usernames` names the bot of a province for enrolment links (default: the configured
    usernames; the webhook workers pass the running bots' own).
    """
    key = secret or services.settings.web.secret or secrets.token_urlsafe(32)
    desk = Desk(
        services=services,
        signer=CookieSigner(key),
        env=environment(),
        usernames=usernames or configured_usernames(services.settings),
    )

    async def not_found(request: Request, exc: Exception) -> Response:
        return desk.render(request, "message.html", key="web.not_found", status_code=404)

    open_to_anyone: list[BaseRoute] = [
        *public.routes(desk),
        *sms.routes(desk),
        *language.routes(desk),
        *signin.routes(desk),
    ]
    signed_in_only: list[BaseRoute] = [
        *map.routes(desk),
        *alerts.routes(desk),
        *cases.routes(desk),
        *actions.routes(desk),
        *links.routes(desk),
        *exports.routes(desk),
        *importing.routes(desk),
        *worklist.routes(desk),
        *digest.routes(desk),
    ]
    routes = [
        *open_to_anyone,
        *signed_in_only,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found})
