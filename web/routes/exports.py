"""Downloads of the area's cases and check-ins, from the same service as the bot's /export."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.errors import UserError
from web.auth import csrf_ok, signed_in
from web.pages import Desk

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def routes(desk: Desk) -> list[Route]:
    """POST /xuat (posted with the CSRF token: a download is audited)."""

    async def download(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        if not await csrf_ok(desk, request, session):
            return desk.render(request, "message.html", key="web.csrf", status_code=403)
        form = await request.form()
        what, fmt = str(form.get("what", "cases")), str(form.get("format", "xlsx"))
        if what not in ("cases", "checkins") or fmt not in ("xlsx", "csv"):
            return desk.render(request, "message.html", key="web.not_found", status_code=404)
        cases, user_id = desk.services.cases, session.user.telegram_user_id
        try:
            files = await (
                cases.export(user_id) if what == "cases" else cases.export_checkins(user_id)
            )
        except UserError:
            return desk.render(request, "message.html", key="web.not_found", status_code=404)
        body = files.xlsx if fmt == "xlsx" else files.csv
        media = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
        return Response(
            body,
            media_type=media,
            headers={
                "Content-Disposition": f'attachment; filename="{files.basename}.{fmt}"',
                "Cache-Control": "no-store",
            },
        )

    return [Route("/xuat", download, methods=["POST"])]
