"""Today's worklist as a page: the same service and sections as the bot's /worklist."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.errors import UserError
from web.auth import signed_in
from web.pages import Desk


def routes(desk: Desk) -> list[Route]:
    """/viec-can-lam."""

    async def page(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        try:
            work = await desk.services.digests.worklist(session.user.telegram_user_id)
        except UserError:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        response = desk.render(
            request, "worklist.html", user=session.user, token=session.token, work=work
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    return [Route("/viec-can-lam", page)]
