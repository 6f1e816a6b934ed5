"""The map page and its JSON data."""

from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.desk.map import MapData
from bot.errors import NotAuthorised
from web.auth import signed_in
from web.pages import Desk


def as_json(data: MapData) -> dict[str, object]:
    """The map's data as GeoJSON communes and lists of pins (codes and ids, no names)."""
    features = [
        {
            "type": "Feature",
            "geometry": commune.boundary,
            "properties": {
                "code": commune.code,
                "name": commune.name,
                "active": commune.active,
                "missed": round(commune.missed_share, 3),
            },
        }
        for commune in data.communes
        if commune.boundary is not None
    ]
    return {
        "communes": {"type": "FeatureCollection", "features": features},
        "counts": [
            {"code": c.code, "name": c.name, "active": c.active, "missed": round(c.missed_share, 3)}
            for c in data.communes
            if c.active or c.due_today
        ],
        "alerts": [asdict(pin) for pin in data.alerts],
        "homes": [asdict(pin) for pin in data.homes],
        "reports": [asdict(pin) for pin in data.reports],
    }


def routes(desk: Desk) -> list[Route]:
    """/ban-do and /ban-do/du-lieu."""

    async def page(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return desk.render(request, "message.html", key="web.sign_in_needed", status_code=401)
        return desk.render(
            request,
            "map.html",
            user=session.user,
            token=session.token,
            tile_url=desk.services.settings.web.tile_url,
        )

    async def data(request: Request) -> Response:
        session = await signed_in(desk, request)
        if session is None:
            return JSONResponse({"error": "sign in"}, status_code=401)
        try:
            found = await desk.services.desk_map.data(session.user.officer_id)
        except NotAuthorised:
            return JSONResponse({"error": "sign in"}, status_code=401)
        return JSONResponse(as_json(found), headers={"Cache-Control": "no-store"})

    return [Route("/ban-do", page), Route("/ban-do/du-lieu", data)]
