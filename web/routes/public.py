"""The public situation page: published figures only (bot/desk/disclosure.py), no sign-in."""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.catalogue import plain
from bot.desk.public import CACHE_SECONDS, KINDS
from web.chart import days_svg
from web.pages import Desk


def routes(desk: Desk) -> list[Route]:
    """The /tinh-hinh page."""

    async def situation(request: Request) -> Response:
        counts = await desk.services.public.counts()
        label = plain(desk.language_of(request), "web.public.days")
        chart = Markup(days_svg(counts.days, label)) if counts else ""
        response = desk.render(request, "public.html", counts=counts, kinds=KINDS, chart=chart)
        # Public and the same for everyone: caches may keep it as long as the service does.
        response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        # The language comes from a cookie: a shared cache keeps one copy per language.
        response.headers["Vary"] = "Cookie"
        return response

    return [Route("/tinh-hinh", situation)]
