"""The SMS renderer: short unaccented GSM-7 texts in one segment, choices as reply codes."""

from __future__ import annotations

from datetime import date

import pytest

from bot.cases.display import consent_notice
from bot.cases.values import Invitation
from bot.catalogue import CATALOGUE, t
from bot.channels import Channel, contact_chat_id
from bot.checkins import display
from bot.checkins.values import SYMPTOMS_STEP, Question
from bot.messaging.message import Choice, Link, Pin, Text, rows, to_json
from bot.messaging.sms import gsm
from bot.messaging.sms.text import (
    NOOP,
    SEND,
    Draft,
    ReplyVia,
    compose,
    render,
    render_stored,
)

CHAT = contact_chat_id(Channel.SMS, 7)
LINK = "https://desk.example.vn/l/AbCdEfGhIjKlMnOpQrStUv"


def _draft(content: Text | Pin) -> Draft:
    kind, body = to_json(content)
    call = render_stored(kind, body, CHAT)
    assert call.method == SEND
    assert call.params["contact_id"] == 7
    return Draft.from_params(call.params)


def test_unaccent_keeps_case_and_maps_d() -> None:
    assert gsm.unaccent("Trả lời Đúng, đi khám") == "Tra loi Dung, di kham"
    assert gsm.to_gsm7("🩺 Chào «Hoà» – 39°C\n\nxong ✅") == 'Chao "Hoa" - 39 do C xong'
    assert gsm.is_gsm7(gsm.to_gsm7("Nguyễn Thị Thuỷ ơi, ưu tiên!"))


def test_segments_count_septets_and_the_extension_table() -> None:
    assert gsm.segments("a" * 160) == 1
    assert gsm.segments("a" * 161) == 2
    assert gsm.segments("[" * 80) == 1  # two septets each
    assert gsm.segments("[" * 81) == 2
    assert gsm.segments("a" * 307) == 3


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_prompt_is_one_segment_with_reply_codes(language: str) -> None:
    draft = _draft(display.prompt(language, "checkin", "Nguyễn Thị Hoà", 42, 20))
    text = compose(draft, language)
    assert gsm.is_gsm7(text)
    assert gsm.segments(text) == 1
    assert "Nguyen Thi Hoa" in text
    if language == "vi":
        assert text.endswith("Tra loi 1 neu khoe, 2 neu met, 3 neu can giup ngay.")
    codes = draft.reply_codes()
    assert codes["1"] == "ci:42:f:good"
    assert codes["2"] == "ci:42:f:tired"
    # "Need help now" is also the SOS on SMS.
    assert codes["3"] == "!ci:42:f:bad"
    assert codes[{"vi": "khoe", "en": "well"}[language]] == "ci:42:f:good"


def test_many_choices_are_listed_compactly() -> None:
    asked = Question(
        language="vi",
        name="Lê Văn Đức",
        checkin_id=5,
        case_id=9,
        step=SYMPTOMS_STEP,
        symptoms=(),
    )
    content = display.question(asked)
    assert content is not None
    text = compose(_draft(content), "vi")
    assert gsm.segments(text) == 1
    assert "1=sot, 2=ho, 3=dau hong" in text
    assert "9=xong" in text


def test_a_location_request_becomes_the_link_or_its_alternative() -> None:
    draft = _draft(display.prompt("vi", "spot", "Lê Văn Đức", 42, 20, channel="sms"))
    assert draft.location
    with_link = compose(draft, "vi", link=LINK)
    assert LINK in with_link
    assert gsm.segments(with_link) == 1
    without = compose(draft, "vi")
    assert "http" not in without
    assert "link" not in without.lower()
    assert without.endswith("Tra loi 1 neu khong gui duoc vi tri.")
    assert draft.reply_codes()["1"] == "say:" + "Không gửi được vị trí"


def test_an_unrecognised_text_is_said_as_it_is_without_markup() -> None:
    content = Text(
        "<b>Xin chào</b> &amp; <i>cảm ơn</i>",
        rows([Link("Trang", "https://x.vn/a")], [Choice("Đồng ý", "en:y:3")]),
    )
    draft = _draft(content)
    text = compose(draft, "vi")
    assert text == "Xin chao & cam on Trang https://x.vn/a Tra loi: 1=Dong y."
    assert draft.reply_codes() == {"1": "en:y:3", "dong y": "en:y:3"}


def test_a_long_text_is_cut_but_the_codes_stay_whole() -> None:
    content = Text("Một câu rất dài. " * 40, rows([Choice("Có", "x:1"), Choice("Không", "x:2")]))
    text = compose(_draft(content), "vi", max_segments=1)
    assert gsm.segments(text) == 1
    assert text.endswith("Tra loi: 1=Co, 2=Khong.")
    assert ".." in text


def test_replies_through_a_short_code_say_where_to_send_them() -> None:
    draft = _draft(display.prompt("vi", "checkin", "An", 1, 20))
    text = compose(draft, "vi", via=ReplyVia("CL", "8079"))
    assert "Soan CL va so gui 8079: 1=khoe, 2=met, 3=can giup ngay." in text


def test_edits_and_empty_files_send_nothing() -> None:
    kind, body = to_json(Text("x"))
    assert render_stored(kind, body, CHAT, edit_message_id=5).method == NOOP
    assert render(Pin(20.0, 105.0), CHAT).method == SEND


def test_codes_are_replaced_by_a_question_and_cleared_at_its_end() -> None:
    assert _draft(display.prompt("vi", "checkin", "An", 1, 20)).codes == "replace"
    assert _draft(display.ended("vi", "checkin.thanks", name="An")).codes == "clear"
    assert _draft(Text(t("vi", "checkin.not_a_case"))).codes == "keep"


def test_every_sms_wording_is_gsm7_in_both_languages_with_the_same_keys() -> None:
    keys = {
        language: {k for k in texts if k.startswith("sms.")}
        for language, texts in CATALOGUE.items()
    }
    assert keys["vi"] == keys["en"]
    for language, texts in CATALOGUE.items():
        for key in keys[language]:
            assert gsm.is_gsm7(texts[key]), key
            base = key.removeprefix("sms.").removesuffix(".nolink")
            if not key.startswith(("sms.code", "sms.location_link", "sms.pin")):
                assert base in texts, key


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_consent_question_is_whole_in_two_segments(language: str) -> None:
    invitation = Invitation(
        7, "Trần Thị Bình", "Phường Hạc Thành", date(2026, 11, 25), date(2026, 12, 9)
    )
    draft = _draft(consent_notice(language, invitation))
    text = compose(draft, language, max_segments=2)
    assert ".." not in text  # nothing of the privacy notice is cut
    assert gsm.segments(text) == 2
    assert "Phuong Hac Thanh" in text
    codes = draft.reply_codes()
    assert (codes["1"], codes["2"]) == ("en:y:7", "en:n:7")
