"""Channel-free content, stored and rendered for Telegram as a person receives it."""

from __future__ import annotations

import pytest

from bot.messaging.message import (
    Choice,
    Content,
    Document,
    Link,
    LocationRequest,
    Picture,
    Pin,
    Text,
    from_json,
    rows,
    to_json,
)
from bot.messaging.telegram.render import render, render_stored

CONTENTS: list[Content] = [
    Text("<b>Chào</b> Lan"),
    Text("Bạn thấy thế nào?", rows([Choice("Khoẻ", "ci:1:f:good")], [Link("Bản đồ", "https://x")])),
    Text("Gửi vị trí", location_request=LocationRequest("📍 Gửi", ("Không gửi được",))),
    Text("Cảm ơn", close_request=True),
    Text("Gửi ảnh hoặc bấm Bỏ qua", answers=("Bỏ qua",), link_preview=False),
    Pin(19.8, 105.77, 12.5),
    Pin(19.8, 105.77),
    Picture("biểu đồ", b"\x89PNG..."),
    Picture("ảnh", channel_file_id="AgAD"),
    Document("khaibao.csv", "", b"a;b\n"),
]


@pytest.mark.parametrize("content", CONTENTS)
def test_content_survives_the_outbox(content: Content) -> None:
    kind, body = to_json(content)
    assert from_json(kind, body) == content


def test_a_text_with_choices_is_an_inline_keyboard() -> None:
    call = render(CONTENTS[1], 7)
    assert call.method == "sendMessage"
    assert call.params == {
        "chat_id": 7,
        "text": "Bạn thấy thế nào?",
        "parse_mode": "HTML",
        "reply_markup": {
            "inline_keyboard": [
                [{"text": "Khoẻ", "callback_data": "ci:1:f:good"}],
                [{"text": "Bản đồ", "url": "https://x"}],
            ]
        },
    }


def test_a_location_request_is_a_one_tap_reply_keyboard_and_its_end_removes_it() -> None:
    asked = render(CONTENTS[2], 7).params["reply_markup"]
    assert asked == {
        "keyboard": [[{"text": "📍 Gửi", "request_location": True}], [{"text": "Không gửi được"}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }
    assert render(CONTENTS[3], 7).params["reply_markup"] == {"remove_keyboard": True}


def test_one_tap_answers_without_a_location_request_and_no_link_preview() -> None:
    params = render(CONTENTS[4], 7).params
    assert params["reply_markup"] == {
        "keyboard": [[{"text": "Bỏ qua"}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }
    assert params["link_preview_options"] == {"is_disabled": True}
    assert "link_preview_options" not in render(CONTENTS[0], 7).params


def test_an_edit_keeps_only_inline_choices() -> None:
    call = render(CONTENTS[1], 7, edit_message_id=42)
    assert call.method == "editMessageText"
    assert call.params["message_id"] == 42
    assert "inline_keyboard" in call.params["reply_markup"]
    # Without choices the edit carries no keyboard, so Telegram takes the old one away.
    assert "reply_markup" not in render(Text("đã xử lý"), 7, edit_message_id=42).params


def test_pins_pictures_and_documents() -> None:
    pin = render(CONTENTS[5], 7)
    assert (pin.method, pin.params["horizontal_accuracy"]) == ("sendLocation", 12)
    assert "horizontal_accuracy" not in render(CONTENTS[6], 7).params
    assert render(Pin(1.0, 2.0, 9000.0), 7).params["horizontal_accuracy"] == 1500
    photo = render(CONTENTS[7], 7)
    assert (photo.method, photo.params["photo"], photo.params["filename"]) == (
        "sendPhoto",
        b"\x89PNG...",
        "chart.png",
    )
    held = render(CONTENTS[8], 7)
    assert held.params["photo"] == "AgAD"
    assert "filename" not in held.params
    document = render(CONTENTS[9], 7)
    assert (document.method, document.params["filename"]) == ("sendDocument", "khaibao.csv")
    assert "caption" not in document.params


def test_a_bot_api_call_kept_from_before_is_sent_as_it_was() -> None:
    body = {
        "method": "editMessageText",
        "params": {"chat_id": 7, "text": "x", "parse_mode": "HTML"},
    }
    call = render_stored("telegram_call", body, 7, edit_message_id=9)
    assert call.method == "editMessageText"
    assert call.params == {"chat_id": 7, "text": "x", "parse_mode": "HTML", "message_id": 9}
    photo = {"method": "sendPhoto", "params": {"chat_id": 7, "photo": "b64:iVBORw=="}}
    assert render_stored("telegram_call", photo, 7).params["photo"] == b"\x89PNG"


def test_an_action_over_telegrams_64_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Choice("x", "ci:" + "9" * 62)
