"""Reading a point from what an officer types or pastes: coordinates or a map link."""

from __future__ import annotations

import contextlib
import math
import re
from urllib.parse import parse_qs, unquote_plus, urlsplit

from geofence.errors import ZoneError

EXPECTED_POINT = (
    "expected coordinates as 'latitude, longitude' (for example 21.0285, 105.8542) "
    "or a Google Maps or OpenStreetMap link with coordinates in it"
)

_NUM = r"[-+]?\d{1,3}(?:\.\d+)?"
_PLAIN = re.compile(
    rf"^\(?\s*({_NUM})\s*°?\s*([NSns])?\s*(?:[,;]\s*|\s+)({_NUM})\s*°?\s*([EWew])?\s*\)?$"
)
# "21,0285 105,8542": the decimal comma of a Vietnamese keyboard, only unambiguous when
# the two numbers are separated by a space or a semicolon.
_DECIMAL_COMMA = re.compile(r"^([-+]?\d{1,3},\d+)\s*(?:;\s*|\s+)([-+]?\d{1,3},\d+)$")
_DMS_PART = (
    r"(\d{1,3})\s*°\s*"
    r"(?:(\d{1,2}(?:\.\d+)?)\s*['′’]\s*)?"
    r"(?:(\d{1,2}(?:\.\d+)?)\s*(?:\"|″|”|''|′′)\s*)?"
    r"([NSEWnsew])"
)
_DMS = re.compile(rf"^{_DMS_PART}\s*[,;+]?\s*{_DMS_PART}$")
_URL = re.compile(r"(?:https?://|geo:)\S+", re.IGNORECASE)
_BARE_URL = re.compile(
    r"(?:www\.|maps\.)?(?:[a-z0-9-]+\.)*(?:google\.[a-z.]+|goo\.gl|openstreetmap\.org|osm\.org)/\S*",
    re.IGNORECASE,
)
# Google's place pin ("!3d<lat>!4d<lon>") is where the marker is; "@lat,lon" is only the
# centre of the map view, so the pin wins when a link has both.
_GOOGLE_PIN = re.compile(r"!3d([-+]?\d{1,3}\.\d+)!4d([-+]?\d{1,3}\.\d+)")
_GOOGLE_VIEW = re.compile(r"@([-+]?\d{1,3}\.\d+),([-+]?\d{1,3}\.\d+)")
_OSM_MAP = re.compile(r"map=\d{1,2}(?:\.\d+)?/([-+]?\d{1,3}\.\d+)/([-+]?\d{1,3}\.\d+)")
_POINT_PARAMS = ("q", "query", "ll", "sll", "center", "destination", "daddr", "cbll")
_SHORT_LINK_HOSTS = ("maps.app.goo.gl", "goo.gl", "g.co", "osm.org")


def check_lat_lon(lat: float, lon: float) -> None:
    """Raise ZoneError unless lat is within ±90 and lon within ±180."""
    if not -90.0 <= lat <= 90.0:
        hint = " (latitude comes first)" if -90.0 <= lon <= 90.0 else ""
        raise ZoneError(
            "zone.bad_latitude",
            f"expected a latitude between -90 and 90, got {lat:g}{hint}",
            {"value": lat},
        )
    if not -180.0 <= lon <= 180.0:
        raise ZoneError(
            "zone.bad_longitude",
            f"expected a longitude between -180 and 180, got {lon:g}",
            {"value": lon},
        )


def _signed(value: float, hemisphere: str | None, negative: str) -> float:
    return -abs(value) if hemisphere and hemisphere.upper() == negative else value


def _parse_plain(text: str) -> tuple[float, float] | None:
    text = text.strip()
    if match := _PLAIN.match(text):
        lat_s, lat_h, lon_s, lon_h = match.groups()
        return _signed(float(lat_s), lat_h, "S"), _signed(float(lon_s), lon_h, "W")
    if match := _DECIMAL_COMMA.match(text):
        return float(match[1].replace(",", ".")), float(match[2].replace(",", "."))
    if match := _DMS.match(text):
        values: dict[str, float] = {}
        for offset in (0, 4):
            deg, minutes, seconds, hemisphere = match.groups()[offset : offset + 4]
            value = float(deg) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
            axis = "lat" if hemisphere.upper() in "NS" else "lon"
            values[axis] = -value if hemisphere.upper() in "SW" else value
        if len(values) == 2:
            return values["lat"], values["lon"]
    return None


def _parse_url(url: str) -> tuple[float, float] | None:
    if url.lower().startswith("geo:"):
        # Android's geo URI: "geo:lat,lon" or "geo:0,0?q=lat,lon(label)".
        body, _, query = url[4:].partition("?")
        first = body.split(";")[0].split(",")
        if len(first) >= 2 and (point := _parse_plain(f"{first[0]},{first[1]}")) != (0.0, 0.0):
            return point
        for value in parse_qs(query).get("q", []):
            if point := _parse_plain(value.split("(")[0]):
                return point
        return None
    parts = urlsplit(url)
    decoded = unquote_plus(url)
    if match := _GOOGLE_PIN.search(decoded):
        return float(match[1]), float(match[2])
    params = parse_qs(parts.query)
    if "mlat" in params and "mlon" in params:
        with contextlib.suppress(ValueError):
            return float(params["mlat"][0]), float(params["mlon"][0])
    for name in _POINT_PARAMS:
        for value in params.get(name, []):
            value = value.removeprefix("loc:").split("(")[0]
            if point := _parse_plain(value):
                return point
    for segment in parts.path.split("/"):
        if segment and (point := _parse_plain(unquote_plus(segment))):
            return point
    if match := _GOOGLE_VIEW.search(decoded):
        return float(match[1]), float(match[2])
    if match := _OSM_MAP.search(unquote_plus(parts.fragment)) or _OSM_MAP.search(parts.query):
        return float(match[1]), float(match[2])
    return None


def parse_point(text: str) -> tuple[float, float]:
    """Read (lat, lon) from typed coordinates or a Google Maps / OpenStreetMap link."""
    if not isinstance(text, str) or not text.strip():
        raise ZoneError("zone.bad_point", EXPECTED_POINT, {"text": text})
    text = text.strip()
    point = _parse_plain(text)
    url = None
    if point is None:
        match = _URL.search(text) or _BARE_URL.search(text)
        if match:
            url = match[0]
            if "://" not in url and not url.lower().startswith("geo:"):
                url = "https://" + url
            point = _parse_url(url)
    if point is None:
        host = (urlsplit(url).hostname or "").lower() if url else ""
        if host in _SHORT_LINK_HOSTS:
            raise ZoneError(
                "zone.short_link",
                "expected a full map link; short links cannot be opened here. Open the "
                "link, then copy the coordinates or the full address from the browser",
                {"text": text},
            )
        raise ZoneError("zone.bad_point", EXPECTED_POINT, {"text": text})
    lat, lon = point
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ZoneError("zone.bad_point", EXPECTED_POINT, {"text": text})
    check_lat_lon(lat, lon)
    return lat, lon
