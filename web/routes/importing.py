"""Import a case list by upload: the same `import_file` and row-by-row report as the bot."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.catalogue import reasons
from bot.errors import UserError
from web.auth import csrf_ok, signed_in
from web.pages import Desk


def routes(desk: Desk) -> list[Route]:
    """GET/POST /nhap."""

    async def page(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        context: dict[str, Any] = {"outcome": None, "problems": [], "refusal": None}
        if request.method == "POST":
            if not await csrf_ok(desk, request, session):
                return desk.render(request, "message.html", key="web.csrf", status_code=403)
            form = await request.form()
            upload = form.get("file")
            limit = desk.services.settings.cases.import_max_bytes
            if not isinstance(upload, UploadFile):
                return desk.render(request, "message.html", key="web.not_found", status_code=400)
            content = await upload.read(limit + 1)
            try:
                if len(content) > limit:
                    raise UserError("cases.file_too_big", limit=f"{limit / (1024 * 1024):g} MB")
                outcome = await desk.services.cases.import_file(
                    upload.filename or "list.csv",
                    content,
                    bot_username={
                        province: desk.usernames(province)
                        for province in desk.services.settings.deployment.provinces
                    },
                    skip_invalid=form.get("skip") == "1",
                    telegram_user_id=session.user.telegram_user_id,
                )
            except UserError as refusal:
                context["refusal"] = refusal
            else:
                context["outcome"] = outcome
                context["problems"] = [
                    (
                        row.row,
                        reasons(
                            desk.language_of(request),
                            ((p.key, dict(p.params)) for p in row.problems),
                        ),
                    )
                    for row in outcome.problems[:200]
                ]
        response = desk.render(
            request, "import.html", user=session.user, token=session.token, here="/nhap", **context
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    return [Route("/nhap", page, methods=["GET", "POST"])]
