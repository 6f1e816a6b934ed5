"""The webhook: Zalo's signature accepted, anything else refused, events parsed."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.messaging.zalo.webhook import (
    Follow,
    Ignored,
    Press,
    SharedLocation,
    TextMessage,
    UnreadableLocation,
    WebhookRefused,
    parse,
    signature,
    verify,
)

APP, KEY = "3600000000000000001", "oa-secret"
NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
STAMP = str(int(NOW.timestamp() * 1000))


def _event(name: str = "user_send_text", **fields: object) -> bytes:
    event = {"app_id": APP, "event_name": name, "timestamp": STAMP, **fields}
    return json.dumps(event, ensure_ascii=False).encode()


def _text(text: str) -> bytes:
    return _event(
        sender={"id": "u1"}, recipient={"id": "oa"}, message={"msg_id": "m1", "text": text}
    )


def _verify(body: bytes, header: str | None, now: datetime = NOW) -> dict[str, object]:
    return verify(body, header, app_id=APP, oa_secret_key=KEY, now=now)


def test_the_signature_is_sha256_of_app_body_timestamp_and_oa_secret() -> None:
    body = _text("khoẻ")
    expected = hashlib.sha256(APP.encode() + body + STAMP.encode() + KEY.encode()).hexdigest()
    assert signature(APP, body, STAMP, KEY) == "mac=" + expected
    assert _verify(body, "mac=" + expected)["event_name"] == "user_send_text"
    # Some deployments send the bare digest, in capitals: the same signature.
    assert _verify(body, expected.upper())["event_name"] == "user_send_text"


@pytest.mark.parametrize(
    "forge",
    [
        lambda body: None,  # no header
        lambda body: "",
        lambda body: signature(APP, body, STAMP, "another-key"),  # signed with another key
        lambda body: signature(APP, body, STAMP, "oa-secre"),
        lambda body: signature(APP, body + b" ", STAMP, KEY),  # of another body
        lambda body: signature(APP, body, str(int(STAMP) + 1), KEY),  # another timestamp
        lambda body: "mac=" + "0" * 64,
    ],
)
def test_a_forged_or_unsigned_event_is_refused(forge: object) -> None:
    body = _text("SOS")
    with pytest.raises(WebhookRefused):
        _verify(body, forge(body))  # type: ignore[operator]


def test_a_tampered_body_is_refused() -> None:
    body = _text("khoe")
    header = signature(APP, body, STAMP, KEY)
    tampered = body.replace(b"khoe", b"SOS!")
    with pytest.raises(WebhookRefused):
        _verify(tampered, header)


def test_another_apps_event_is_refused_even_if_well_signed() -> None:
    body = json.dumps({"app_id": "999", "event_name": "follow", "timestamp": STAMP}).encode()
    with pytest.raises(WebhookRefused, match="another app"):
        _verify(body, signature("999", body, STAMP, KEY))


def test_a_replayed_old_event_or_one_from_the_future_is_refused() -> None:
    body = _text("khoe")
    header = signature(APP, body, STAMP, KEY)
    assert _verify(body, header, NOW + timedelta(hours=12))  # Zalo still retries it
    with pytest.raises(WebhookRefused, match="stale"):
        _verify(body, header, NOW + timedelta(hours=14))
    with pytest.raises(WebhookRefused, match="stale"):
        _verify(body, header, NOW - timedelta(minutes=10))


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"event_name": "follow"}'])
def test_what_cannot_be_checked_is_refused(body: bytes) -> None:
    with pytest.raises(WebhookRefused):
        _verify(body, "mac=" + "a" * 64)


def test_a_follow_with_the_ref_of_its_qr_code() -> None:
    event = parse(
        json.loads(_event("follow", follower={"id": "u7"}, source="oa_qr_code", ref="CODE123"))
    )
    assert event == Follow("u7", NOW, "oa_qr_code", "CODE123")
    plain = parse(json.loads(_event("follow", follower={"id": "u7"}, source="oa_profile")))
    assert plain == Follow("u7", NOW, "oa_profile", None)


def test_a_text_and_a_button_press() -> None:
    assert parse(json.loads(_text("  mệt  "))) == TextMessage("u1", NOW, "m1", "  mệt  ")
    # A choice's payload: the action after the prefix, pressed as a hidden query.
    assert parse(json.loads(_text("#a:ci:12:f:ok"))) == Press("u1", NOW, "m1", "ci:12:f:ok")


def test_a_shared_location_with_coordinates_as_strings_or_numbers() -> None:
    for lat, lon in (("19.8067", "105.7852"), (19.8067, 105.7852)):
        attachment = {
            "type": "location",
            "payload": {"coordinates": {"latitude": lat, "longitude": lon}},
        }
        body = _event(
            "user_send_location",
            sender={"id": "u1"},
            message={"msg_id": "m2", "text": "", "attachments": [attachment]},
        )
        assert parse(json.loads(body)) == SharedLocation("u1", NOW, "m2", 19.8067, 105.7852)


@pytest.mark.parametrize(
    "coordinates",
    [
        {},
        {"latitude": "abc", "longitude": "1"},
        {"latitude": "95", "longitude": "1"},
        {"latitude": "nan", "longitude": "1"},
    ],
)
def test_a_location_that_cannot_be_read_is_not_trusted(coordinates: dict[str, str]) -> None:
    attachment = {"type": "location", "payload": {"coordinates": coordinates}}
    body = _event(
        "user_send_location",
        sender={"id": "u1"},
        message={"msg_id": "m3", "attachments": [attachment]},
    )
    assert parse(json.loads(body)) == UnreadableLocation("u1", NOW, "m3")


def test_events_of_no_use_are_ignored() -> None:
    assert parse(
        json.loads(_event("user_send_sticker", sender={"id": "u1"}, message={"msg_id": "x"}))
    ) == Ignored("user_send_sticker", NOW)
    assert parse(json.loads(_event("user_send_text", sender={"id": "u1"}))) == Ignored(
        "user_send_text", NOW
    )
