"""The case list and a case's page (timeline, vitals chart, fixes)."""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.catalogue import plain
from bot.desk.cases import CaseFilters
from bot.errors import UserError
from web.auth import csrf_ok, signed_in
from web.chart import vitals_svg
from web.pages import Desk


async def filters_of(request: Request) -> CaseFilters:
    """The list's filters, posted: a searched name or phone never goes into a URL."""
    if request.method != "POST":
        # From the map: a commune's code (not personal) may come in the address.
        commune = request.query_params.get("xa", "")
        return CaseFilters(commune_code=int(commune) if commune.isdecimal() else None)
    q = await request.form()

    def text(name: str, limit: int) -> str:
        value = q.get(name, "")
        return value[:limit] if isinstance(value, str) else ""

    return CaseFilters(
        status=text("status", 20),
        kind=text("kind", 10),
        missing_home=q.get("missing_home") == "1",
        not_enrolled=q.get("not_enrolled") == "1",
        missed_today=q.get("missed_today") == "1",
        query=text("q", 100),
    )


def routes(desk: Desk) -> list[Route]:
    """/ca (the list) and /ca/{id} (one case)."""

    async def listing(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        if request.method == "POST" and not await csrf_ok(desk, request, session):
            return desk.render(request, "message.html", key="web.csrf", status_code=403)
        filters = await filters_of(request)
        cases = await desk.services.desk_cases.cases(session.user.officer_id, filters)
        response = desk.render(
            request,
            "cases.html",
            user=session.user,
            token=session.token,
            cases=cases,
            f=filters,
            here="/ca",
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    async def page(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        try:
            timeline = await desk.services.desk_cases.timeline(
                session.user.officer_id, int(request.path_params["case_id"])
            )
        except UserError:
            return desk.render(request, "message.html", key="web.not_found", status_code=404)
        language = desk.language_of(request)
        chart = vitals_svg(
            timeline.vitals,
            desk.services.settings.schedule.tz,
            (plain(language, "web.case.temperature"), plain(language, "web.case.spo2")),
        )
        response = desk.render(
            request,
            "case.html",
            user=session.user,
            token=session.token,
            timeline=timeline,
            chart=Markup(chart),  # built from numbers and escaped labels only
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    return [Route("/ca", listing, methods=["GET", "POST"]), Route("/ca/{case_id:int}", page)]
