"""End to end: an admin invites an officer, who opens the link in Telegram."""

from __future__ import annotations

from handlers.menus import OFFICER_COMMANDS
from tests.harness import BOT_USERNAME, Harness, start_code


async def test_invited_officer_is_bound_and_knows_their_commune(harness: Harness) -> None:
    issued = await harness.services.officers.invite("officer", "hac thanh", BOT_USERNAME)
    code = start_code(issued.link)
    lan = harness.user(1001, first_name="Lan")

    await lan.send_text(f"/start {code}")
    welcome = await lan.wait_for_message()
    assert "cán bộ y tế" in (welcome.text or "")
    assert "Phường Hạc Thành" in (welcome.text or "")

    await lan.send_text("/whoami")
    answer = await lan.wait_for_message()
    assert answer.text == "Bạn là cán bộ y tế của Phường Hạc Thành, Thanh Hóa."

    # The officer's menu is set for their chat only.
    menu = harness.standin.commands({"type": "chat", "chat_id": 1001})
    assert [c["command"] for c in menu] == list(OFFICER_COMMANDS)
    assert "whoami" in OFFICER_COMMANDS


async def test_second_use_of_a_link_is_refused(harness: Harness) -> None:
    issued = await harness.services.officers.invite("officer", "hac thanh", BOT_USERNAME)
    code = start_code(issued.link)
    first, second = harness.user(1001), harness.user(1002, first_name="Minh")
    await first.send_text(f"/start {code}")
    await first.wait_for_message()

    await second.send_text(f"/start {code}")
    refusal = await second.wait_for_message()
    assert "không dùng được" in (refusal.text or "")
    await second.send_text("/whoami")
    assert (await second.wait_for_message()).text == "Bạn chưa được đăng ký là cán bộ y tế."


async def test_stranger_is_not_an_officer(harness: Harness) -> None:
    stranger = harness.user(4242, first_name="Khách")
    await stranger.send_text("/whoami")
    assert (await stranger.wait_for_message()).text == "Bạn chưa được đăng ký là cán bộ y tế."
    await stranger.send_text("/start o_madeUpCodeThatWasNeverIssued1234567")
    assert "không dùng được" in ((await stranger.wait_for_message()).text or "")


async def test_everyone_gets_a_menu_in_vietnamese(harness: Harness) -> None:
    menu = harness.standin.commands()
    assert [c["command"] for c in menu] == ["start", "report", "help", "language"]
    assert menu[0]["description"] == "Bắt đầu"


async def test_language_switch_to_english(harness: Harness) -> None:
    user = harness.user(77, first_name="Anna", language_code="en")
    await user.send_text("/language")
    choice = await user.wait_for_message()
    await user.press("English", choice)
    await harness.standin.wait_for_call(
        "editMessageText", lambda call: call.params.get("text") == "Switched to English."
    )
    await user.send_text("/whoami")
    assert (await user.wait_for_message()).text == "You are not registered as a health officer."


async def test_unknown_command_and_stray_text_are_answered(harness: Harness) -> None:
    user = harness.user(78)
    await user.send_text("/frobnicate")
    assert "Không hiểu lệnh này" in ((await user.wait_for_message()).text or "")
    await user.send_text("xin chào")
    assert "chưa hiểu" in ((await user.wait_for_message()).text or "")
    await user.send_text("/cancel")
    assert "Không có việc gì" in ((await user.wait_for_message()).text or "")


async def test_help_differs_for_officers_and_everyone_else(harness: Harness) -> None:
    stranger = harness.user(79)
    await stranger.send_text("/help")
    everyone = (await stranger.wait_for_message()).text or ""
    assert "/report" in everyone
    assert "/register" not in everyone

    officer = await harness.officer(1005)
    await officer.send_text("/help")
    officer_help = (await officer.wait_for_message()).text or ""
    assert "/register" in officer_help
    assert "/alerts" in officer_help
