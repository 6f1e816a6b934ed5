"""Today's digest as a page: the same `DigestService` figures and texts as the bot's digest,
for the officer's commune or the supervisor's province, with its 7-day chart."""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.catalogue import plain
from bot.digest import render_digest
from bot.errors import UserError
from web.auth import signed_in
from web.chart import compliance_svg
from web.pages import Desk


def routes(desk: Desk) -> list[Route]:
    """/tong-ket."""

    async def page(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        try:
            view = await desk.services.digests.today(session.user.telegram_user_id)
        except UserError:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        language = desk.language_of(request)
        labels = tuple(plain(language, f"digest.chart_{o}") for o in ("on_time", "late", "missed"))
        chart = compliance_svg(
            view.digest.history,
            plain(language, "digest.chart_title"),
            (labels[0], labels[1], labels[2]),
        )
        response = desk.render(
            request,
            "digest.html",
            user=session.user,
            token=session.token,
            view=view,
            # The bot's own text (catalogue texts, parameters escaped by t()), line by line.
            text=Markup(render_digest(language, view.digest, view.day)),
            chart=Markup(chart),  # numbers and escaped labels only
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    return [Route("/tong-ket", page)]
