"""A new one-time enrolment link from a case's page, with its QR code.

The same `CaseService.new_link` as the bot's /newlink: the old link stops working, and the
service writes the audit entry. Two steps, as every change on the page: the first post asks
to confirm, the confirmed second issues the link and shows it once (never in a URL).
"""

from __future__ import annotations

import base64

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.cases.display import qr_png
from bot.errors import NotAuthorised, UserError
from web.auth import csrf_ok, signed_in
from web.pages import Desk


def qr_data_uri(link: str) -> str:
    """The link's QR code (the bot's own, bot/cases/display.py) as a PNG data URI."""
    return "data:image/png;base64," + base64.b64encode(qr_png(link)).decode("ascii")


def routes(desk: Desk) -> list[Route]:
    """POST /ca/{id}/duong-dan-moi."""

    async def new_link(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        if not await csrf_ok(desk, request, session):
            return desk.render(request, "message.html", key="web.csrf", status_code=403)
        case_id = int(request.path_params["case_id"])
        user = session.user

        def show(template: str, status_code: int = 200, **context: object) -> Response:
            return desk.render(
                request,
                template,
                user=user,
                token=session.token,
                status_code=status_code,
                case_id=case_id,
                here=f"/ca/{case_id}",
                **context,
            )

        try:
            case = await desk.services.desk_cases.case(user.officer_id, case_id)
            if (await request.form()).get("confirm") != "1":
                return show("link_confirm.html", case=case)
            username = desk.usernames(user.province_code)
            if not username:
                raise UserError("web.no_bot_username")
            issued = await desk.services.cases.new_link(user.telegram_user_id, case.code, username)
        except NotAuthorised:
            return desk.render(request, "message.html", key="web.not_found", status_code=404)
        except UserError as refusal:
            if refusal.key == "web.not_found":
                return desk.render(request, "message.html", key="web.not_found", status_code=404)
            return show("refused.html", status_code=400, refusal=refusal)
        response = show("link.html", issued=issued, qr=qr_data_uri(issued.link))
        # The link is a credential for the person: never kept by a cache or the history.
        response.headers["Cache-Control"] = "no-store"
        return response

    return [Route("/ca/{case_id:int}/duong-dan-moi", new_link, methods=["POST"])]
