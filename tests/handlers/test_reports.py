"""End to end: a citizen reports a suspected violation; the right commune's officers get it,
handle it from its buttons, never learn who sent it, and the reporter hears the outcome."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.db import Database
from standins.telegram import BotMessage, User
from tests.bot.test_reports import INSIDE_HAC_THANH, SECRET, load_boundaries
from tests.conftest import make_settings
from tests.harness import Harness, running_bot

REPORTER_ID = 770_001
REPORTER_NAME = "Quỳnh"
REPORTER_USERNAME = "quynh_hang_xom"
TEXT = "Ông ở nhà số 12 Lê Lợi đang cách ly nhưng sáng nay đi chợ"


@pytest.fixture
async def bot(database_url: str, db: Database, clock: FakeClock) -> AsyncIterator[Harness]:
    """The bot with citizen reports switched on and a brisk outbox."""
    settings = make_settings(
        database_url,
        reports={"secret": SECRET},
        outbox={"per_chat_interval_seconds": 0.05, "idle_poll_seconds": 0.05},
    )
    async with running_bot(settings, db, clock) as running:
        yield running


def reporter(bot: Harness, user_id: int = REPORTER_ID) -> User:
    """A citizen with a name and a username that must never reach an officer."""
    return bot.standin.user(
        user_id, first_name=REPORTER_NAME, username=REPORTER_USERNAME, language_code="vi"
    )


def assert_anonymous(bot: Harness, officers: list[User], *reporters: User) -> None:
    """No call to an officer's chat carries a reporter's id, username or first name."""
    chats = {o.chat_id for o in officers}
    calls = [c for c in bot.standin.calls if c.chat_id in chats]
    assert calls, "the officers received nothing at all"
    for call in calls:
        sent = json.dumps(call.params, ensure_ascii=False) + json.dumps(
            call.response, ensure_ascii=False
        )
        for someone in reporters:
            for identifier in (str(someone.id), REPORTER_USERNAME, REPORTER_NAME):
                assert identifier not in sent, (call.method, identifier)


async def write_report(
    citizen: User, text: str = TEXT, place: str | tuple[float, float] = "hac thanh"
) -> BotMessage:
    """Go through /report up to the summary: text, skip the photo, the place."""
    await citizen.send_text("/report")
    assert "Phản ánh vi phạm cách ly" in await next_text(citizen)
    await citizen.send_text(text)
    assert "Bỏ qua" in await next_text(citizen)
    await citizen.send_text("Bỏ qua")
    asked = await citizen.wait_for_message()
    assert asked.reply_markup is not None
    assert asked.reply_markup["keyboard"][0][0]["request_location"] is True
    if isinstance(place, tuple):
        await citizen.send_location(*place, horizontal_accuracy=12)
    else:
        await citizen.send_text("Bỏ qua")
        assert "xã/phường nào" in await next_text(citizen)
        await citizen.send_text(place)
        choices = await citizen.wait_for_message()
        await citizen.press(choices.buttons[0]["text"], choices)
    return await citizen.wait_for_message(lambda m: "Xem lại phản ánh" in (m.text or ""))


async def send_report(citizen: User, text: str = TEXT) -> str:
    """A whole report by name; returns the receipt's text."""
    summary = await write_report(citizen, text)
    await citizen.press("📨 Gửi", summary)
    return (await citizen.wait_for_message(lambda m: "Đã nhận" in (m.text or ""))).text or ""


async def next_text(user: User) -> str:
    """The text of the bot's next message to this user."""
    return (await user.wait_for_message()).text or ""


def card_in(officer: User) -> BotMessage:
    """The officer's latest report card (the message with the report's buttons)."""
    cards = [m for m in officer.messages if "Phản ánh của người dân" in (m.text or "")]
    assert cards, f"officer {officer.id} has no report card"
    return cards[-1]


async def test_report_located_in_a_boundary_reaches_that_communes_officers_only(
    bot: Harness, db: Database
) -> None:
    await load_boundaries(db)
    lan, hoa = await bot.officer(1001), await bot.officer(1002)
    minh = await bot.officer(1003, "ham rong")
    citizen = reporter(bot)

    summary = await write_report(citizen, place=INSIDE_HAC_THANH)
    assert "Phường Hạc Thành" in (summary.text or "")
    assert "Vị trí: có" in (summary.text or "")
    await citizen.press("📨 Gửi", summary)
    receipt = await citizen.wait_for_message()
    assert "Số phản ánh của bạn" in (receipt.text or "")
    reference = (receipt.text or "").split("Số phản ánh của bạn: ")[1][:7]

    for officer in (lan, hoa):
        card = await officer.wait_for_message(lambda m: reference in (m.text or ""))
        assert TEXT in (card.text or "")
        assert [b["text"] for b in card.buttons] == [
            "✋ Nhận xử lý",
            "✅ Ghi kết quả…",
            "🚫 Phản ánh sai",
        ]
        pins = [m.location for m in officer.messages if m.location is not None]
        assert pins == [
            {
                "latitude": INSIDE_HAC_THANH[0],
                "longitude": INSIDE_HAC_THANH[1],
            }
        ]
    assert not [m for m in minh.messages if reference in (m.text or "")]
    assert_anonymous(bot, [lan, hoa, minh], citizen)


async def test_report_without_location_finds_the_commune_from_its_plain_name(
    bot: Harness,
) -> None:
    lan = await bot.officer(1001)
    citizen = reporter(bot)
    await citizen.send_text("/start")
    welcome = await citizen.wait_for_message()
    await citizen.press("📣 Phản ánh vi phạm cách ly", welcome)
    assert "ai, ở đâu" in await next_text(citizen)
    await citizen.send_text(TEXT)
    await citizen.wait_for_message()
    await citizen.send_text("Bỏ qua")
    await citizen.wait_for_message()
    await citizen.send_text("Bỏ qua")
    await citizen.wait_for_message()
    await citizen.send_text("hac thanh")
    choices = await citizen.wait_for_message()
    assert choices.buttons[0]["text"] == "Phường Hạc Thành"
    await citizen.press("Phường Hạc Thành", choices)
    summary = await citizen.wait_for_message(lambda m: "Xem lại" in (m.text or ""))
    assert "Gửi đến trạm y tế: Phường Hạc Thành" in (summary.text or "")
    await citizen.press("📨 Gửi", summary)
    await citizen.wait_for_message(lambda m: "Đã nhận" in (m.text or ""))
    card = await lan.wait_for_message(lambda m: "Phản ánh của người dân" in (m.text or ""))
    assert "Không có vị trí" in (card.text or "")
    assert_anonymous(bot, [lan], citizen)


async def test_photos_only_and_not_too_big(bot: Harness) -> None:
    lan = await bot.officer(1001)
    citizen = reporter(bot)
    await citizen.send_text("/report")
    await citizen.wait_for_message()
    await citizen.send_text(TEXT)
    await citizen.wait_for_message()
    await citizen.send_document("danh-sach.pdf", b"%PDF-1.4", mime_type="application/pdf")
    assert "Chỉ nhận ảnh chụp" in await next_text(citizen)
    await citizen.send_photo(b"\xff\xd8" + b"0" * (10 * 1024 * 1024))
    assert "lớn quá" in await next_text(citizen)
    await citizen.send_photo(b"\xff\xd8small-jpeg")
    assert "Việc này ở đâu" in await next_text(citizen)
    await citizen.send_text("Bỏ qua")
    await citizen.wait_for_message()
    await citizen.send_text("hac thanh")
    await citizen.press("Phường Hạc Thành", await citizen.wait_for_message())
    summary = await citizen.wait_for_message(lambda m: "Xem lại" in (m.text or ""))
    assert "Ảnh: có" in (summary.text or "")
    await citizen.press("📨 Gửi", summary)
    await citizen.wait_for_message(lambda m: "Đã nhận" in (m.text or ""))

    photo = await lan.wait_for_message(lambda m: "photo" in m.message)
    assert photo.file is not None
    assert photo.file.content == b"\xff\xd8small-jpeg"
    await lan.wait_for_message(lambda m: "Có ảnh" in (m.text or ""))
    assert_anonymous(bot, [lan], citizen)


async def test_a_fourth_report_within_an_hour_is_refused_politely(bot: Harness) -> None:
    lan = await bot.officer(1001)
    citizen = reporter(bot)
    for n in range(3):
        await send_report(citizen, f"{TEXT} (lần {n + 1})")
    await citizen.send_text("/report")
    refusal = await citizen.wait_for_message()
    assert "3 phản ánh trong một giờ qua" in (refusal.text or "")
    assert "thử lại sau" in (refusal.text or "")

    bot.clock.advance(timedelta(minutes=61))
    await citizen.send_text("/report")
    assert "ai, ở đâu" in await next_text(citizen)
    assert_anonymous(bot, [lan], citizen)


async def test_officer_passes_a_report_on_and_the_new_commune_gets_it(bot: Harness) -> None:
    lan = await bot.officer(1001)
    minh = await bot.officer(1003, "ham rong")
    citizen = reporter(bot)
    await send_report(citizen)
    card = await lan.wait_for_message(lambda m: "Phản ánh của người dân" in (m.text or ""))

    await lan.press("✅ Ghi kết quả…", card)
    await lan.wait_for_answer()
    await lan.press("Không thuộc xã/phường mình…", card)
    assert "gõ tên xã/phường đúng" in await next_text(lan)
    await lan.send_text("ham rong")
    choices = await lan.wait_for_message()
    await lan.press("Phường Hàm Rồng", choices)
    await bot.standin.wait_for_call(
        "editMessageText", lambda c: "Đã chuyển phản ánh" in str(c.params.get("text"))
    )

    moved = await minh.wait_for_message(lambda m: "Phản ánh của người dân" in (m.text or ""))
    assert TEXT in (moved.text or "")
    assert "Phường Hàm Rồng" in (moved.text or "")
    await bot.standin.wait_for_call(
        "editMessageText",
        lambda c: c.chat_id == lan.chat_id and "đã được chuyển cho" in str(c.params.get("text")),
        since=0,
    )
    # The old commune's copy says where it went and can no longer be acted on.
    assert "đã được chuyển cho Phường Hàm Rồng" in (card.text or "")
    assert not card.buttons
    assert_anonymous(bot, [lan, minh], citizen)


async def test_the_reporter_hears_the_outcome_in_one_line(bot: Harness) -> None:
    lan, hoa = await bot.officer(1001), await bot.officer(1002)
    citizen = reporter(bot)
    receipt = await send_report(citizen)
    reference = receipt.split("Số phản ánh của bạn: ")[1][:7]

    card = await lan.wait_for_message(lambda m: reference in (m.text or ""))
    await lan.press("✋ Nhận xử lý", card)
    assert (await lan.wait_for_answer()).params["text"] == "Bạn đã nhận xử lý phản ánh này."
    # The other officer's copy says who took it.
    await bot.standin.wait_for_call(
        "editMessageText",
        lambda c: c.chat_id == hoa.chat_id and "Officer 1001" in str(c.params.get("text")),
        since=0,
    )
    await lan.press("✅ Ghi kết quả…", card_in(lan))
    await lan.wait_for_answer()
    await lan.press("Đã đến: có vi phạm", card_in(lan))
    await lan.wait_for_answer()

    notice = await citizen.wait_for_message(lambda m: reference in (m.text or ""))
    assert notice.text == (
        f"📣 Phản ánh {reference}: cán bộ y tế đã đến kiểm tra và xác nhận có vi phạm. Cảm ơn bạn!"
    )
    assert "đã đến, có vi phạm" in (card_in(lan).text or "")
    assert not card_in(lan).buttons

    await lan.send_text("/reports")
    assert "Không có phản ánh nào đang mở" in await next_text(lan)
    assert_anonymous(bot, [lan, hoa], citizen)


async def test_identical_reports_are_merged_and_listed_once(bot: Harness) -> None:
    lan = await bot.officer(1001)
    first, second = reporter(bot), reporter(bot, REPORTER_ID + 1)
    await send_report(first)
    merged = await send_report(second)
    assert "đã có người phản ánh" in merged
    await bot.standin.wait_for_call(
        "editMessageText", lambda c: "Đã có <b>2</b> người" in str(c.params.get("text")), since=0
    )

    await lan.send_text("/reports")
    listing = await lan.wait_for_message()
    assert "(1)" in (listing.text or "")
    assert "2 người" in (listing.text or "")
    await lan.press(listing.buttons[0]["text"], listing)
    shown = await lan.wait_for_message(lambda m: "Phản ánh của người dân" in (m.text or ""))
    assert "Đã có 2 người phản ánh" in (shown.text or "")
    assert_anonymous(bot, [lan], first, second)


async def test_citizens_cannot_use_officer_buttons_or_lists(bot: Harness) -> None:
    lan = await bot.officer(1001)
    citizen = reporter(bot)
    await send_report(citizen)
    card = await lan.wait_for_message(lambda m: "Phản ánh của người dân" in (m.text or ""))
    # A forged press from the citizen's chat, with the card's own callback data.
    await citizen.send_text("/reports")
    assert "không có quyền" in await next_text(citizen)
    receipt = citizen.messages[-1]
    forged = {**receipt.message, "reply_markup": card.message["reply_markup"]}
    citizen_card = BotMessage(citizen.chat_id, receipt.message_id, forged)
    await citizen.press("✋ Nhận xử lý", citizen_card)
    assert "không có quyền" in await next_text(citizen)
    assert "mới, chưa ai nhận" in (card_in(lan).text or "")


async def test_report_is_refused_clearly_when_not_switched_on(
    database_url: str, db: Database, clock: FakeClock
) -> None:
    async with running_bot(make_settings(database_url), db, clock) as plain:
        citizen = plain.user(REPORTER_ID)
        await citizen.send_text("/report")
        assert "chưa được bật" in await next_text(citizen)


async def test_reroute_target_must_differ_and_cancel_leaves_the_report_open(
    bot: Harness,
) -> None:
    lan = await bot.officer(1001)
    citizen = reporter(bot)
    await send_report(citizen)
    card = await lan.wait_for_message(lambda m: "Phản ánh của người dân" in (m.text or ""))
    await lan.press("✅ Ghi kết quả…", card)
    await lan.wait_for_answer()
    await lan.press("Không thuộc xã/phường mình…", card)
    await lan.wait_for_message()
    await lan.send_text("khong co xa nao ten nay")
    assert "Không tìm thấy" in await next_text(lan)
    await lan.send_text("/cancel")
    assert "Đã huỷ" in await next_text(lan)
    await lan.press("↩️ Quay lại", card)
    await lan.wait_for_answer()
    assert next(b["text"] for b in card_in(lan).buttons) == "✋ Nhận xử lý"
