"""What Zalo posts to the OA's webhook: verified by its signature, parsed into plain events.

Zalo signs each event with `X-ZEvent-Signature: mac=<hex>`, the SHA-256 of the app id, the
raw body, the timestamp and the OA secret key, concatenated (the app id and the timestamp
are the body's own). Anything unsigned, signed with another key, for another app, or
older than Zalo's retries (a replay) is refused before it is read (`WebhookRefused`).
`parse` turns a verified event into one of the frozen dataclasses below; an event cachly
has no use for is `Ignored`. A button press arrives as the person's text carrying the
button's payload: a choice's payload starts with ACTION_PREFIX (render.py), so it parses
as a `Press`; the service checks the action again, as it does a Telegram callback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.messaging.zalo import wire

# Zalo retries an event it got no 200 for during 12 hours: older than that is a replay.
MAX_AGE = timedelta(hours=13)
# Clocks differ a little; an event from further in the future is refused.
MAX_AHEAD = timedelta(minutes=5)


class WebhookRefused(Exception):
    """Not a genuine, current event of this OA's app: nothing in it may be acted on."""


@dataclass(frozen=True, slots=True)
class Follow:
    """The person followed the OA (from a QR code or link, which may carry a ref)."""

    user_id: str
    at: datetime
    source: str | None = None
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Unfollow:
    """The person stopped following the OA: it can no longer message them."""

    user_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class TextMessage:
    """The person wrote something (or pressed an answer button, which writes it)."""

    user_id: str
    at: datetime
    msg_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Press:
    """The person pressed a choice: its action, to be checked again by the service."""

    user_id: str
    at: datetime
    msg_id: str
    action: str


@dataclass(frozen=True, slots=True)
class SharedLocation:
    """The person shared a location from Zalo's menu (no accuracy comes with it)."""

    user_id: str
    at: datetime
    msg_id: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class UnreadableLocation:
    """A shared location without usable coordinates: asked again, never trusted."""

    user_id: str
    at: datetime
    msg_id: str


@dataclass(frozen=True, slots=True)
class Delivered:
    """A message (a ZNS one carries its tracking id) reached the person's phone."""

    user_id: str
    at: datetime
    msg_id: str
    tracking_id: str | None


@dataclass(frozen=True, slots=True)
class Ignored:
    """An event cachly has no use for (a sticker, a seen receipt, the OA's own message)."""

    event_name: str
    at: datetime


Event = (
    Follow
    | Unfollow
    | TextMessage
    | Press
    | SharedLocation
    | UnreadableLocation
    | Delivered
    | Ignored
)


def signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The header value Zalo sends with `body`: "mac=" and the hex SHA-256."""
    digest = hashlib.sha256(
        app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()
    ).hexdigest()
    return wire.MAC_PREFIX + digest


def verify(
    body: bytes,
    header: str | None,
    *,
    app_id: str,
    oa_secret_key: str,
    now: datetime,
    max_age: timedelta = MAX_AGE,
) -> dict[str, Any]:
    """The event in `body` if its signature is Zalo's for this app; WebhookRefused if not."""
    if not header or not oa_secret_key:
        raise WebhookRefused("no signature")
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise WebhookRefused("not JSON") from error
    if not isinstance(payload, dict):
        raise WebhookRefused("not an event")
    event_app, timestamp = payload.get("app_id"), payload.get("timestamp")
    if not isinstance(event_app, (str, int)) or not isinstance(timestamp, (str, int)):
        raise WebhookRefused("no app id or timestamp to check")
    expected = signature(str(event_app), body, str(timestamp), oa_secret_key)
    given = header.strip()
    if not given.lower().startswith(wire.MAC_PREFIX):
        given = wire.MAC_PREFIX + given
    if not hmac.compare_digest(given.lower().encode(), expected.encode()):
        raise WebhookRefused("bad signature")
    if not hmac.compare_digest(str(event_app).encode(), app_id.encode()):
        raise WebhookRefused("another app's event")
    at = moment(timestamp)
    if at is None or not now - max_age <= at <= now + MAX_AHEAD:
        raise WebhookRefused("stale or future event")
    return payload


def parse(payload: Mapping[str, Any]) -> Event:
    """The event a verified payload holds."""
    name = str(payload.get("event_name", ""))
    at = moment(payload.get("timestamp")) or datetime.fromtimestamp(0, UTC)
    if name == "follow":
        user = _id(payload.get("follower")) or _id(payload.get("sender"))
        if user:
            return Follow(user, at, _text(payload.get("source")), _ref(payload))
    elif name == "unfollow":
        user = _id(payload.get("follower")) or _id(payload.get("sender"))
        if user:
            return Unfollow(user, at)
    user = _id(payload.get("sender"))
    message = payload.get("message")
    if not user or not isinstance(message, Mapping):
        return Ignored(name, at)
    msg_id = _text(message.get("msg_id")) or ""
    if name in ("user_send_text", "user_click_button"):
        text = _text(message.get("text"))
        if text is None:
            return Ignored(name, at)
        if text.startswith(wire.ACTION_PREFIX):
            return Press(user, at, msg_id, text.removeprefix(wire.ACTION_PREFIX))
        return TextMessage(user, at, msg_id, text)
    if name == "user_send_location":
        return _location(user, at, msg_id, message)
    if name == "user_received_message":
        return Delivered(user, at, msg_id, _text(message.get("tracking_id")))
    return Ignored(name, at)


def moment(value: object) -> datetime | None:
    """A Zalo timestamp (milliseconds since the epoch, a string or a number) in UTC."""
    try:
        millis = int(str(value))
    except ValueError:
        return None
    if not 0 < millis < 10**14:
        return None
    return datetime.fromtimestamp(millis / 1000, UTC)


def _location(user: str, at: datetime, msg_id: str, message: Mapping[str, Any]) -> Event:
    attachments = message.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else ():
        if not isinstance(attachment, Mapping) or attachment.get("type") != "location":
            continue
        payload = attachment.get("payload")
        coordinates = payload.get("coordinates") if isinstance(payload, Mapping) else None
        if not isinstance(coordinates, Mapping):
            break
        lat = _number(coordinates.get("latitude", coordinates.get("lat")))
        lon = _number(coordinates.get("longitude", coordinates.get("long")))
        if lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180:
            return SharedLocation(user, at, msg_id, lat, lon)
        break
    return UnreadableLocation(user, at, msg_id)


def _id(value: object) -> str | None:
    return _text(value.get("id")) if isinstance(value, Mapping) else None


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _ref(payload: Mapping[str, Any]) -> str | None:
    """The parameter of the QR code or link the person followed from, if Zalo passed one."""
    for holder in (payload, payload.get("info"), payload.get("follower")):
        if isinstance(holder, Mapping):
            ref = _text(holder.get("ref"))
            if ref:
                return ref
    return None
