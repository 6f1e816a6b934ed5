"""A case's lifecycle changes from its page: extend, release, hospitalised, transfer.

Two steps, as in the bot: the first post checks the change (`preview_change`, nothing
written) and shows what will happen; the second, confirmed, makes it (`apply_change`, which
re-checks rights and state and writes the audit entry).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.cases.values import CaseAction
from bot.errors import NotAuthorised, UserError
from web.auth import csrf_ok, signed_in
from web.pages import Desk


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.strip().isdecimal() else None


def routes(desk: Desk) -> list[Route]:
    """POST /ca/{id}/thao-tac."""

    async def act(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        if not await csrf_ok(desk, request, session):
            return desk.render(request, "message.html", key="web.csrf", status_code=403)
        form = await request.form()
        action = str(form.get("action", ""))
        if action not in tuple(CaseAction):
            return desk.render(request, "message.html", key="web.not_found", status_code=404)
        case_id = int(request.path_params["case_id"])
        days = _int(form.get("days"))
        commune = str(form.get("commune", ""))[:100] or None
        cases = desk.services.cases
        user = session.user
        try:
            case = await desk.services.desk_cases.case(user.officer_id, case_id)
            if form.get("confirm") != "1":
                preview = await cases.preview_change(
                    user.telegram_user_id, case.code, action, days=days, commune=commune
                )
                return desk.render(
                    request,
                    "confirm.html",
                    user=user,
                    token=session.token,
                    preview=preview,
                    case_id=case_id,
                    days=days or "",
                    commune=commune or "",
                    here=f"/ca/{case_id}",
                )
            await cases.apply_change(
                user.telegram_user_id, case_id, action, days=days, commune=commune
            )
        except NotAuthorised:
            return desk.render(request, "message.html", key="web.not_found", status_code=404)
        except UserError as refusal:
            if refusal.key == "web.not_found":
                return desk.render(request, "message.html", key="web.not_found", status_code=404)
            return desk.render(
                request,
                "refused.html",
                user=user,
                token=session.token,
                refusal=refusal,
                case_id=case_id,
                here=f"/ca/{case_id}",
                status_code=400,
            )
        return RedirectResponse(f"/ca/{case_id}", status_code=303)

    return [Route("/ca/{case_id:int}/thao-tac", act, methods=["POST"])]
