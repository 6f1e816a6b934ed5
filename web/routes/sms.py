"""The SMS channel's public endpoints: the gateway's callback and the location page.

`/sms/callback` takes whatever the configured gateway calls back with (eSMS: the delivery
report's and the short code's GETs; the Android app: its signed webhooks), has the gateway
verify and read it, and hands the plain values on: an SMS to the conversation through its
reply codes, a delivery report to its outbox row. A request the gateway did not send is
refused and changes nothing.

`/l/<token>` is the page a location link opens: it asks the browser for its position and
posts it once (the link's token in the path, the form's CSRF token bound to it, the Origin
checked), and the position goes through the same check-in location service and geofence
evidence rules as a Telegram location. Without permission (or a phone that cannot), the
person says so and the check-in is recorded without a location.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.catalogue import plain
from bot.channels import Channel
from bot.messaging.sms.delivery import Recorded, record_report
from bot.messaging.sms.gateway import (
    BadCallback,
    CallbackRequest,
    DeliveryReport,
    InboundSms,
    SmsGateway,
)
from bot.messaging.sms.inbound import SMS_INBOX, SmsInbound
from bot.messaging.sms.links import LOCATION_PATH, LocationLinks
from bot.messaging.sms.setup import gateway_for
from bot.messaging.updates import HandledUpdates
from web.pages import Desk

logger = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]

CALLBACK_PATH = "/sms/callback"
# A repeated callback still being handled elsewhere is taken over after this long.
RECLAIM_SECONDS = 60.0


def routes(desk: Desk, gateway: SmsGateway | None = None) -> list[Route]:
    """The callback (when a gateway is configured) and the location page."""
    services = desk.services
    settings = services.settings
    links = LocationLinks(
        services.db, services.clock, settings.web.base_url, settings.checkins.window_minutes
    )
    found = [Route(LOCATION_PATH + "{token}", _location_page(desk, links), methods=["GET", "POST"])]
    gateway = gateway or gateway_for(settings.sms)
    if gateway is not None:
        found.append(Route(CALLBACK_PATH, _callback(desk, gateway), methods=["GET", "POST"]))
    return found


def _callback(desk: Desk, gateway: SmsGateway) -> Endpoint:
    services = desk.services
    handled = HandledUpdates(
        services.db, services.clock, SMS_INBOX, reclaim_seconds=RECLAIM_SECONDS
    )
    inbound = SmsInbound(services.db, services.inbound, handled)

    async def callback(request: Request) -> Response:
        arrived = CallbackRequest(
            request.method,
            dict(request.query_params),
            {name.lower(): value for name, value in request.headers.items()},
            await request.body(),
        )
        now = services.clock.now()
        try:
            said = gateway.read_callback(arrived, now)
        except BadCallback as refused:
            logger.warning("SMS callback refused: %s", refused)
            return PlainTextResponse("refused", status_code=403)
        if isinstance(said, InboundSms):
            await inbound.received(said)
        elif isinstance(said, DeliveryReport):
            recorded = await record_report(services.db, services.alerts.config, said, now)
            if recorded is Recorded.UNKNOWN:
                # Gateways call again after a refusal; by then the sender has written it.
                return PlainTextResponse("unknown message, try again", status_code=503)
        status, content_type, body = gateway.answer(said)
        return Response(body, status_code=status, media_type=content_type)

    return callback


def _location_page(desk: Desk, links: LocationLinks) -> Endpoint:
    services = desk.services

    async def page(request: Request) -> Response:
        token = request.path_params["token"]
        if request.method == "GET":
            found = await links.peek(token)
            if found is None:
                return desk.render(
                    request, "message.html", key="location_page.gone", status_code=410
                )
            return desk.render(request, "location.html", token=token)
        return await _posted(request, token)

    async def _posted(request: Request, token: str) -> Response:
        form = await request.form()
        if not desk.signer.csrf_ok(token, _field(form, "csrf")) or not _same_origin(
            request, services.settings.web.base_url
        ):
            return _answer(desk, request, "location_page.refused", "refused", 403)
        spent = await links.use(token)
        if spent is None:
            return _answer(desk, request, "location_page.gone", "gone", 410)
        now = services.clock.now()
        position = _position(form, now)
        if _field(form, "outcome") != "located" or position is None:
            # Said as the question's own "I cannot send my location" answer.
            words = plain(spent.language, "checkin.location_skip")
            await services.inbound.text(Channel.SMS, spent.address, words)
            return _answer(desk, request, "location_page.noted", "noted", 200)
        lat, lon, accuracy, taken = position
        await services.inbound.location(Channel.SMS, spent.address, lat, lon, accuracy, taken)
        return _answer(desk, request, "location_page.thanks", "located", 200)

    return page


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _position(form: FormData, now: datetime) -> tuple[float, float, float | None, datetime] | None:
    """The browser's position: latitude, longitude, accuracy and when it was taken."""
    try:
        lat = float(_field(form, "lat") or "nan")
        lon = float(_field(form, "lon") or "nan")
        raw_accuracy = _field(form, "accuracy") or ""
        accuracy = float(raw_accuracy) if raw_accuracy else None
        taken_ms = float(_field(form, "taken_ms") or "nan")
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if accuracy is not None and not math.isfinite(accuracy):
        accuracy = None
    # The browser's clock says how old the fix is; never later than now (the age rule
    # refuses an old one, as for a Telegram location).
    taken = now
    if math.isfinite(taken_ms):
        taken = min(now, datetime.fromtimestamp(taken_ms / 1000, UTC))
    return lat, lon, accuracy, taken


def _same_origin(request: Request, base_url: str) -> bool:
    """A post from the page itself: no Origin (an old browser), or ours."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    ours = {urlsplit(base_url).netloc, request.headers.get("host", "")}
    return urlsplit(origin).netloc in ours


def _answer(desk: Desk, request: Request, key: str, outcome: str, status: int) -> Response:
    language = desk.language_of(request)  # ?lang=, else the switch's cookie
    if "application/json" in request.headers.get("accept", ""):
        message = plain(language, key)
        return JSONResponse({"message": message, "outcome": outcome}, status_code=status)
    return desk.render(request, "message.html", key=key, status_code=status)
