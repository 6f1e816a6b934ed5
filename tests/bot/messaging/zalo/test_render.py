"""Channel-free content as Zalo messages: plain text, buttons within Zalo's limits."""

from __future__ import annotations

import pytest

from bot.catalogue import plain
from bot.messaging.markup import plain_text
from bot.messaging.message import (
    Choice,
    Document,
    Link,
    LocationRequest,
    Picture,
    Pin,
    Text,
    one_per_row,
    rows,
    to_json,
)
from bot.messaging.zalo import wire
from bot.messaging.zalo.render import (
    SEND,
    contact_id_of,
    messages,
    render_stored,
    split_text,
)


def _buttons(message: dict[str, object]) -> list[dict[str, object]]:
    attachment = message.get("attachment")
    assert isinstance(attachment, dict)
    return list(attachment["payload"]["buttons"])


def test_markup_is_stripped_and_entities_unescaped() -> None:
    assert plain_text("<b>Nguyễn &amp; Trần</b> – <i>3 &lt; 4</i>") == "Nguyễn & Trần – 3 < 4"
    assert plain_text('Xem <a href="https://x.vn/a">trang</a>') == "Xem trang (https://x.vn/a)"
    assert plain_text('<a href="https://x.vn">https://x.vn</a>') == "https://x.vn"
    assert plain_text("<code>ABC</code><br>x") == "ABC\nx"


def test_choices_are_hidden_query_buttons_carrying_their_action() -> None:
    text = Text(
        "<b>Chào An</b>, bạn thấy thế nào?",
        one_per_row([Choice("😊 Khoẻ", "ci:7:f:ok"), Choice("🤒 Mệt", "ci:7:f:bad")]),
    )
    [message] = messages(text, "vi")
    assert message["text"] == "Chào An, bạn thấy thế nào?"
    assert _buttons(message) == [
        {"title": "😊 Khoẻ", "type": wire.QUERY_HIDE, "payload": "#a:ci:7:f:ok"},
        {"title": "🤒 Mệt", "type": wire.QUERY_HIDE, "payload": "#a:ci:7:f:bad"},
    ]


def test_links_open_their_address() -> None:
    [message] = messages(Text("Mở trang", rows([Link("Mở", "https://desk.example/x")])), "vi")
    assert _buttons(message) == [
        {"title": "Mở", "type": wire.OPEN_URL, "payload": {"url": "https://desk.example/x"}}
    ]


def test_more_than_five_choices_follow_in_messages_of_their_own() -> None:
    choices = [Choice(f"Triệu chứng {i}", f"ci:7:s:{i}") for i in range(9)]
    parts = messages(Text("Triệu chứng nào?", one_per_row(choices)), "vi")
    assert [len(_buttons(part)) for part in parts] == [5, 4]
    assert parts[0]["text"] == "Triệu chứng nào?"
    assert parts[1]["text"] == plain("vi", "zalo.more_choices")
    payloads = [b["payload"] for part in parts for b in _buttons(part)]
    assert payloads == [f"#a:ci:7:s:{i}" for i in range(9)]


def test_a_long_title_is_cut_to_zalos_limit() -> None:
    [message] = messages(Text("?", rows([Choice("x" * 150, "a:1")])), "vi")
    [button] = _buttons(message)
    assert len(str(button["title"])) == wire.BUTTON_TITLE_LIMIT
    assert str(button["title"]).endswith("…")


def test_a_location_request_offers_only_its_typed_alternatives() -> None:
    # Zalo has no location button: the services' Zalo texts say how to share one.
    request = LocationRequest("📍 Gửi vị trí hiện tại", ("Không gửi được vị trí",))
    [message] = messages(Text("<b>Bạn</b> đang ở đâu?", location_request=request), "vi")
    assert message["text"] == "Bạn đang ở đâu?"
    assert _buttons(message) == [
        {
            "title": "Không gửi được vị trí",
            "type": wire.QUERY_SHOW,
            "payload": "Không gửi được vị trí",
        }
    ]


def test_answers_are_shown_query_buttons_and_a_plain_text_has_none() -> None:
    [message] = messages(Text("SpO2?", answers=("Bỏ qua",)), "vi")
    assert _buttons(message) == [{"title": "Bỏ qua", "type": wire.QUERY_SHOW, "payload": "Bỏ qua"}]
    assert messages(Text("Cảm ơn"), "vi") == [{"text": "Cảm ơn"}]


def test_a_text_over_zalos_limit_is_split_at_paragraphs_then_lines() -> None:
    paragraph = "a" * 1500
    parts = split_text(f"{paragraph}\n\n{paragraph}\n\nend")
    assert parts == [paragraph, f"{paragraph}\n\nend"]
    long_line = "b" * 4500
    assert [len(p) for p in split_text(long_line)] == [2000, 2000, 500]
    choices = one_per_row([Choice("OK", "a:1")])
    rendered = messages(Text(f"{paragraph}\n\n{paragraph}", choices), "vi")
    assert len(rendered) == 2
    assert "attachment" not in rendered[0]
    assert _buttons(rendered[1])
    assert all(len(str(m["text"])) <= wire.TEXT_LIMIT for m in rendered)


def test_a_pin_is_a_map_link() -> None:
    [message] = messages(Pin(19.806692, 105.785182, 25.0), "vi")
    assert "https://www.google.com/maps?q=19.806692,105.785182" in str(message["text"])
    assert "25 m" in str(message["text"])


def test_files_say_their_caption_and_that_they_cannot_be_shown() -> None:
    [message] = messages(Picture("<b>Biểu đồ</b>", b"png"), "vi")
    assert str(message["text"]).startswith("Biểu đồ\n\n(Tệp «chart.png»")
    [document] = messages(Document("ds.xlsx"), "en")
    assert "ds.xlsx" in str(document["text"])


def test_an_edit_is_sent_only_when_it_carries_the_questions_next_choices() -> None:
    choices = one_per_row([Choice("✅ Ho", "ci:7:s:cough")])
    assert messages(Text("Đã ghi nhận"), "vi", edit=True) == []
    assert len(messages(Text("Triệu chứng nào?", choices), "vi", edit=True)) == 1


def test_a_row_renders_to_a_call_naming_the_contact() -> None:
    kind, body = to_json(Text("Xin chào"))
    call = render_stored(kind, body, -(2**60) - 42, purpose="checkin_prompt")
    assert call.method == SEND
    assert call.params == {
        "contact_id": 42,
        "kind": "text",
        "body": body,
        "edit": False,
        "purpose": "checkin_prompt",
    }
    assert render_stored(kind, body, -(2**60) - 42, edit_message_id=5).params["edit"] is True
    assert contact_id_of(-(2**60) - 1) == 1
    for other_chat in (12345, -100123456, -(2**60), -(2**61) - 1):
        with pytest.raises(ValueError, match="not a Zalo contact"):
            contact_id_of(other_chat)
