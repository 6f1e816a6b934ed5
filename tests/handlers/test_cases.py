"""End to end: register, enrol, anchor the home, list, change, import, export, release."""

from __future__ import annotations

from tests.harness import Harness, start_code
from tests.standin import BotMessage, User

HOME = (19.8067, 105.7852)  # Phường Hạc Thành, Thanh Hóa


def _text(message: BotMessage) -> str:
    return message.text or ""


async def _register(officer: User, name: str = "Nguyễn Thị Hoa", home: str | None = None) -> str:
    """Walk /register to the end; return the enrolment link sent to the officer."""
    await officer.send_text("/register")
    assert "Họ và tên" in _text(await officer.wait_for_message())
    await officer.send_text(name)
    assert "Số điện thoại" in _text(await officer.wait_for_message())
    await officer.send_text("0912 345 678")
    await officer.wait_for_message()
    await officer.press("Bỏ qua")
    await officer.wait_for_message(lambda m: "Địa chỉ" in _text(m))
    await officer.send_text("12 Lê Lợi, tổ 3")
    await officer.wait_for_message(lambda m: "Loại" in _text(m))
    await officer.press("rg:kind:f0")
    await officer.wait_for_message(lambda m: "Ngày bắt đầu" in _text(m))
    await officer.press("Hôm nay")
    await officer.wait_for_message(lambda m: "Ngày kết thúc" in _text(m))
    await officer.press("rg:end:default")
    await officer.wait_for_message(lambda m: "Vị trí nhà" in _text(m))
    if home is None:
        await officer.press("rg:home:later")
    else:
        await officer.send_text(home)
    summary = await officer.wait_for_message(lambda m: "Kiểm tra lại" in _text(m))
    assert "0912 345 678" in _text(summary)
    await officer.press("rg:ok", summary)
    done = await officer.wait_for_message(lambda m: "Đã đăng ký" in _text(m))
    link = next(line for line in _text(done).splitlines() if line.startswith("https://t.me/"))
    photo = await officer.wait_for_message(lambda m: "photo" in m.message)
    assert "Mã QR" in _text(photo)
    return link


async def test_register_enrol_anchor_and_list(harness: Harness) -> None:
    officer = await harness.officer(1001)
    link = await _register(officer)

    person = harness.user(5001, first_name="Hoa")
    await person.send_text(f"/start {start_code(link)}")
    notice = await person.wait_for_message()
    assert "Nguyễn Thị Hoa" in _text(notice)
    assert "Ai được xem" in _text(notice)
    await person.press("✅ Tôi đồng ý", notice)
    assert "đã tham gia" in _text(await person.wait_for_message())
    ask = await person.wait_for_message()
    assert "Gửi vị trí nhà" in _text(ask)
    assert ask.reply_markup is not None
    assert ask.reply_markup["keyboard"][0][0]["request_location"] is True
    joined = await officer.wait_for_message(lambda m: "đã tham gia" in _text(m))
    assert "Nguyễn Thị Hoa" in _text(joined)

    await person.send_location(*HOME, horizontal_accuracy=12)
    assert "Đã gửi vị trí nhà" in _text(await person.wait_for_message())
    pin = await officer.wait_for_message(lambda m: m.location is not None)
    assert pin.location is not None
    assert pin.location["latitude"] == HOME[0]
    question = await officer.wait_for_message(lambda m: "Đúng là nhà" in _text(m))

    await officer.send_text("/cases")
    pending = await officer.wait_for_message()
    assert "chờ xác nhận nhà" in _text(pending)

    await officer.press("✅ Đúng nhà", question)
    await harness.standin.wait_for_call(
        "editMessageText", lambda call: "Đã xác nhận nhà" in str(call.params.get("text"))
    )
    assert "đã xác nhận nơi cách ly" in _text(await person.wait_for_message())

    await officer.send_text("/cases")
    listing = _text(await officer.wait_for_message())
    assert "Đang cách ly (1)" in listing
    assert "Nguyễn Thị Hoa – ngày 1/7" in listing
    assert "chưa xác định nhà" not in listing
    assert "chờ xác nhận" not in listing
