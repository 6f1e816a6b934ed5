"""The language switch in every page's header: a cookie, then back to the page it was on."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.pages import LANGUAGE_COOKIE, LANGUAGES, Desk

YEAR = 365 * 24 * 3600


def local_path(value: str | None) -> str:
    """`value` if it is a path on this site, else the start page (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    return value


def routes(desk: Desk) -> list[Route]:
    """GET /ngon-ngu/{vi|en}?next=/path."""

    async def switch(request: Request) -> Response:
        chosen = str(request.path_params["language"])
        if chosen not in LANGUAGES:
            return desk.render(request, "message.html", key="web.not_found", status_code=404)
        response = RedirectResponse(local_path(request.query_params.get("next")), status_code=303)
        # Not personal and not a credential: Lax, so a link from elsewhere keeps the language.
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=YEAR,
            httponly=True,
            secure=desk.services.settings.web.secure,
            samesite="lax",
            path="/",
        )
        return response

    return [Route("/ngon-ngu/{language:str}", switch)]
