"""The open alerts, polled every few seconds, with take / resolve / false alarm.

The actions call `AlertService.perform`, as the Telegram buttons do: the officers' cards
are edited through the outbox, and a take in Telegram shows here at the next poll.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.alerts.values import ACTIONS
from bot.errors import NotAuthorised, UserError
from web.auth import csrf_ok, signed_in
from web.pages import Desk


def routes(desk: Desk) -> list[Route]:
    """/canh-bao, its list fragment and its actions."""

    async def listing(request: Request, template: str) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        alerts = await desk.services.desk_alerts.open_alerts(session.user.officer_id)
        return desk.render(request, template, user=session.user, token=session.token, alerts=alerts)

    async def page(request: Request) -> Response:
        return await listing(request, "alerts.html")

    async def fragment(request: Request) -> Response:
        response = await listing(request, "alerts_list.html")
        response.headers["Cache-Control"] = "no-store"
        return response

    async def act(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        if not await csrf_ok(desk, request, session):
            return desk.render(request, "message.html", key="web.csrf", status_code=403)
        action = str(request.path_params["action"])
        if action not in ACTIONS.values():
            return desk.render(request, "message.html", key="web.not_found", status_code=404)
        try:
            await desk.services.alerts.perform(
                session.user.telegram_user_id, action, int(request.path_params["alert_id"])
            )
        except NotAuthorised:
            # Not in the caller's area (or no such alert): nothing says which.
            return desk.render(request, "message.html", key="web.not_found", status_code=404)
        except UserError:
            pass  # taken or closed meanwhile: the list shows by whom
        if request.headers.get("hx-request"):
            return await fragment(request)
        return RedirectResponse("/canh-bao", status_code=303)

    return [
        Route("/canh-bao", page),
        Route("/canh-bao/danh-sach", fragment),
        Route("/canh-bao/{alert_id:int}/{action:str}", act, methods=["POST"]),
    ]
