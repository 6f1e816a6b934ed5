"""Sign-in by a one-time link from `/web`, and sign-out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.errors import UserError
from web.auth import csrf_ok, signed_in
from web.pages import Desk
from web.security import COOKIE


def routes(desk: Desk) -> list[Route]:
    """The sign-in, sign-out and "please sign in" routes."""

    async def open_link(request: Request) -> Response:
        client = request.client.host if request.client else "?"
        if not await desk.services.signin_limit.allow(client):
            return desk.render(request, "message.html", key="web.rate_limited", status_code=429)
        code = str(request.path_params["code"])
        try:
            token = await desk.services.signins.redeem(code)
        except UserError:
            return desk.render(request, "message.html", key="web.link_invalid", status_code=403)
        # Redirect at once: the code leaves the address bar and the history.
        response = RedirectResponse("/ban-do", status_code=303)
        web = desk.services.settings.web
        response.set_cookie(
            COOKIE,
            desk.signer.sign(token),
            max_age=web.session_hours * 3600,
            httponly=True,
            secure=web.secure,
            samesite="strict",
            path="/",
        )
        return response

    async def sign_out(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is not None:
            if not await csrf_ok(desk, request, session):
                return desk.render(request, "message.html", key="web.csrf", status_code=403)
            await desk.services.signins.sign_out(session.token)
        response = desk.render(request, "message.html", key="web.signed_out")
        response.delete_cookie(COOKIE, path="/")
        return response

    async def home(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        return RedirectResponse("/ban-do", status_code=303)

    return [
        Route("/", home),
        Route("/dang-nhap/{code:str}", open_link),
        Route("/dang-xuat", sign_out, methods=["POST"]),
    ]
