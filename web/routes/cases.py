"""The case list and a case's page (timeline, vitals chart, fixes)."""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.catalogue import plain
from bot.desk.cases import CaseFilters
from bot.errors import UserError
from web.auth import signed_in
from web.chart import vitals_svg
from web.pages import Desk


def filters_of(request: Request) -> CaseFilters:
    """The list's filters from the query string (a search goes by POST-less GET: no PII logged)."""
    q = request.query_params
    return CaseFilters(
        status=q.get("status", "")[:20],
        kind=q.get("kind", "")[:10],
        missing_home=q.get("missing_home") == "1",
        not_enrolled=q.get("not_enrolled") == "1",
        missed_today=q.get("missed_today") == "1",
        query=q.get("q", "")[:100],
    )


def routes(desk: Desk) -> list[Route]:
    """/ca (the list) and /ca/{id} (one case)."""

    async def listing(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        filters = filters_of(request)
        cases = await desk.services.desk_cases.cases(session.user.officer_id, filters)
        response = desk.render(
            request, "cases.html", user=session.user, token=session.token, cases=cases, f=filters
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
        language = desk.language
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

    return [Route("/ca", listing), Route("/ca/{case_id:int}", page)]
