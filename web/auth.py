"""Who is signed in: the session cookie, checked against the database on every request."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from bot.desk import DeskUser
from web.pages import Desk
from web.security import COOKIE, CSRF_FIELD


@dataclass(frozen=True)
class SignedIn:
    """The signed-in user and their session's token (for CSRF)."""

    user: DeskUser
    token: str


async def signed_in(desk: Desk, request: Request) -> SignedIn | None:
    """The request's session, if its cookie is genuine and the session still holds."""
    value = request.cookies.get(COOKIE)
    token = desk.signer.unsign(value) if value else None
    if token is None:
        return None
    user = await desk.services.signins.user(token)
    return SignedIn(user, token) if user is not None else None


async def csrf_ok(desk: Desk, request: Request, session: SignedIn) -> bool:
    """Whether a posted form carries this session's CSRF token (field or htmx header)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD) or request.headers.get("x-csrf-token")
    return desk.signer.csrf_ok(session.token, sent if isinstance(sent, str) else None)
