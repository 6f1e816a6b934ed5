"""The map page and its JSON data.

The data is written out by hand around the communes' boundaries, which are encoded once
per boundary load and kept (`Shapes`): the province's 166 polygons are most of the bytes
and never change between requests, so they are neither read back from the database nor
decoded and encoded again each time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.desk.map import CommuneShape, MapData, MapService, Pin
from bot.errors import NotAuthorised
from web.auth import signed_in
from web.pages import Desk


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Shapes:
    """Each commune's boundary as GeoJSON text, by the time it was loaded (its version).

    One entry per commune of the deployment at most: memory does not grow with cases.
    """

    def __init__(self) -> None:
        self._texts: dict[int, tuple[datetime, str]] = {}

    async def texts(self, service: MapService, communes: Sequence[CommuneShape]) -> dict[int, str]:
        """The boundary text of every drawn commune, fetching only those loaded since."""
        stale = [
            c.code
            for c in communes
            if c.boundary_at is not None and self._texts.get(c.code, (None, ""))[0] != c.boundary_at
        ]
        for code, (loaded_at, geometry) in (await service.boundaries(stale)).items():
            self._texts[code] = (loaded_at, _dumps(geometry))
        return {
            c.code: self._texts[c.code][1]
            for c in communes
            if c.boundary_at is not None and c.code in self._texts
        }


def _pins(pins: Sequence[Pin]) -> list[dict[str, object]]:
    return [{"ref": p.ref, "kind": p.kind, "lat": p.lat, "lon": p.lon} for p in pins]


def as_json(data: MapData, shapes: dict[int, str]) -> str:
    """The map's data: GeoJSON communes and lists of pins (codes and ids, no names)."""
    features = ",".join(
        '{"type":"Feature","geometry":'
        + shapes[c.code]
        + ',"properties":'
        + _dumps(
            {"code": c.code, "name": c.name, "active": c.active, "missed": round(c.missed_share, 3)}
        )
        + "}"
        for c in data.communes
        if c.code in shapes
    )
    counts = [
        {"code": c.code, "name": c.name, "active": c.active, "missed": round(c.missed_share, 3)}
        for c in data.communes
        if c.active or c.due_today
    ]
    rest = _dumps(
        {
            "counts": counts,
            "alerts": _pins(data.alerts),
            "homes": _pins(data.homes),
            "reports": _pins(data.reports),
        }
    )
    return '{"communes":{"type":"FeatureCollection","features":[' + features + "]}," + rest[1:]


def routes(desk: Desk) -> list[Route]:
    """/ban-do and /ban-do/du-lieu."""
    shapes = Shapes()

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
        service = desk.services.desk_map
        try:
            found = await service.data(session.user.officer_id)
        except NotAuthorised:
            return JSONResponse({"error": "sign in"}, status_code=401)
        body = as_json(found, await shapes.texts(service, found.communes))
        return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})

    return [Route("/ban-do", page), Route("/ban-do/du-lieu", data)]
