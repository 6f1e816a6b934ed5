"""Replies read leniently against the codes of the last question."""

from __future__ import annotations

import pytest

from bot.checkins import display
from bot.messaging.message import to_json
from bot.messaging.sms.replies import ReplyKind, parse
from bot.messaging.sms.text import Draft, render_stored

CHAT = -(2**61) - 3


def _codes(language: str = "vi") -> dict[str, str]:
    kind, body = to_json(display.prompt(language, "checkin", "An", 42, 20))
    return Draft.from_params(render_stored(kind, body, CHAT).params).reply_codes()


@pytest.mark.parametrize("message", ["2", " 2.", "2!", "hai", "Hai", "MET", "mệt", " Mệt. "])
def test_the_same_answer_however_it_is_typed(message: str) -> None:
    reply = parse(message, _codes())
    assert reply.kind is ReplyKind.ACTIONS
    assert reply.steps == (("action", "ci:42:f:tired"),)
    assert not reply.sos


@pytest.mark.parametrize("message", ["SOS", "sos", "Sos!", "cứu", "Cấp cứu", "giup toi", "SOS 3"])
def test_sos_whatever_the_codes(message: str) -> None:
    reply = parse(message, {})
    assert reply.kind is ReplyKind.SOS
    assert reply.sos


def test_three_answers_the_question_and_raises_the_sos() -> None:
    reply = parse("3", _codes())
    assert reply.kind is ReplyKind.ACTIONS
    assert reply.steps == (("action", "ci:42:f:bad"),)
    assert reply.sos


def test_several_codes_answer_a_multiple_choice_in_order() -> None:
    codes = {"1": "ci:5:s:fever", "5": "ci:5:s:short_breath", "9": "ci:5:s:done"}
    reply = parse("1, 5 9 5", codes)
    assert [step for _, step in reply.steps] == [
        "ci:5:s:fever",
        "ci:5:s:short_breath",
        "ci:5:s:done",
    ]


@pytest.mark.parametrize("message", ["37,5", "37.5", "7", "khong khoe", "xin chao", ""])
def test_what_the_codes_do_not_explain_is_handed_on_as_typed(message: str) -> None:
    reply = parse(message, _codes())
    assert reply.kind is ReplyKind.UNKNOWN
    assert reply.text == message.strip()


def test_a_typed_answer_code_says_its_words() -> None:
    reply = parse("1", {"1": "say:Không gửi được vị trí"})
    assert reply.steps == (("say", "Không gửi được vị trí"),)


def test_english_words_and_number_words() -> None:
    codes = _codes("en")
    assert parse("well", codes).steps == (("action", "ci:42:f:good"),)
    assert parse("One", codes).steps == (("action", "ci:42:f:good"),)
