"""End to end: register, enrol, anchor the home, list, change, import, export, release."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from bot.models import Case, OutboxMessage
from handlers.jobs import cases_tick
from standins.telegram import BotMessage, User
from tests.factories import make_case
from tests.harness import Harness, start_code

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


IMPORT_CSV = (
    "Họ và tên,Số điện thoại,Năm sinh,Địa chỉ,Loại,Ngày bắt đầu,Ngày kết thúc\n"
    "Lê Văn Một,0912 000 001,1980,1 Lê Lợi,F1,25/11/2026,02/12/2026\n"
    "Lê Văn Hai,0912000002,1981,2 Lê Lợi,F0,,\n"
    "Nguyễn Văn An,+84912345678,1980,12 Lê Lợi,F1,,\n"
    "Lê Văn Ba,0123,1982,3 Lê Lợi,F1,,\n"
    "Lê Văn Bốn,0912000004,1983,4 Lê Lợi,F7,,\n"
    "<b>Trần</b> & Co,84912000005,1984,5 Lê Lợi,F1,,\n"
)


async def _cases_in_db(harness: Harness) -> list[Case]:
    async with harness.services.db.transaction() as session:
        return list(await session.scalars(select(Case).order_by(Case.id)))


async def test_import_reports_every_problem_and_imports_only_when_confirmed(
    harness: Harness,
) -> None:
    officer = await harness.officer(1001)
    # Already followed: same name and phone as row 4 of the file.
    await make_case(harness.services.db, harness.clock.now(), full_name="Nguyễn Văn An")
    (existing,) = await _cases_in_db(harness)

    await officer.send_document("danh-sach.csv", IMPORT_CSV.encode("utf-8"), "text/csv")
    report = _text(await officer.wait_for_message())
    assert "Tệp có 6 dòng, 3 dòng lỗi:" in report
    problems = [line for line in report.splitlines() if line.startswith("•")]
    assert problems == [
        f"• Dòng 4: trùng người đang theo dõi (mã {existing.code}).",
        "• Dòng 5: Số điện thoại '0123' không đúng (ví dụ: 0912 345 678).",
        "• Dòng 6: Loại 'F7' không đúng: F0, F1 hoặc Khác.",
    ]
    question = await officer.wait_for_message()
    assert "Chưa nhập gì" in _text(question)
    assert len(await _cases_in_db(harness)) == 1

    await officer.press("Nhập 3 dòng đúng", question)
    done = await officer.wait_for_message(lambda m: "Đã nhập" in _text(m))
    assert "Đã nhập 3 ca vào Phường Hạc Thành" in _text(done)
    links = await officer.wait_for_message(lambda m: m.file is not None)
    assert links.file is not None
    rows = list(csv.reader(io.StringIO(links.file.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Mã ca", "Họ và tên", "Số điện thoại", "Đường dẫn"]
    assert [r[1] for r in rows[1:]] == ["Lê Văn Một", "Lê Văn Hai", "<b>Trần</b> & Co"]
    assert all(r[3].startswith("https://t.me/cachly_test_bot?start=p_") for r in rows[1:])
    cases = await _cases_in_db(harness)
    assert [c.phone for c in cases[1:]] == ["+84912000001", "+84912000002", "+84912000005"]

    # The name with markup is shown literally, never as formatting.
    await officer.send_text("/cases")
    listing = await officer.wait_for_message()
    assert "<b>Trần</b> & Co" in _text(listing)
    bold = [e for e in listing.message.get("entities", []) if e["type"] == "bold"]
    assert all("Trần" not in _text(listing)[e["offset"] : e["offset"] + e["length"]] for e in bold)


async def test_a_file_with_only_bad_rows_imports_nothing(harness: Harness) -> None:
    officer = await harness.officer(1001)
    bad = "Họ và tên,Số điện thoại\nAn,12\n"
    await officer.send_document("ds.csv", bad.encode(), "text/csv")
    report = _text(await officer.wait_for_message())
    assert "• Dòng 2:" in report
    assert "Sửa tệp rồi gửi lại" in _text(await officer.wait_for_message())
    assert await _cases_in_db(harness) == []
    await officer.send_document("ds.pdf", b"%PDF-1.4", "application/pdf")
    assert "Chỉ nhận tệp CSV hoặc Excel" in _text(await officer.wait_for_message())


async def test_officer_of_another_commune_cannot_see_or_change_the_case(
    harness: Harness,
) -> None:
    await harness.officer(1001)
    outsider = await harness.officer(2002, area="dong son")
    case_id = await make_case(harness.services.db, harness.clock.now(), chat_id=5001)
    (case,) = await _cases_in_db(harness)

    for command in (
        f"/case {case.code}",
        f"/extend {case.code} 3",
        f"/release {case.code}",
        f"/hospitalized {case.code}",
        f"/transfer {case.code} sam son",
        f"/newlink {case.code}",
        f"/channel {case.code} sms",
    ):
        await outsider.send_text(command)
        answer = _text(await outsider.wait_for_message())
        assert answer == f"Không tìm thấy ca {case.code} trong xã/phường của bạn."
    await outsider.send_text("/cases")
    assert "Chưa có ca nào" in _text(await outsider.wait_for_message())

    # A forged button naming the case changes nothing either.
    await outsider.send_text("/extend")
    usage = await outsider.wait_for_message()
    assert "/extend K7M3QX 3" in _text(usage)
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": f"cs:rel:{case_id}"}]]}
    forged = BotMessage(
        outsider.chat_id, usage.message_id, {**usage.message, "reply_markup": markup}
    )
    await outsider.press("x", forged)
    assert "không có quyền" in _text(await outsider.wait_for_message())
    (after,) = await _cases_in_db(harness)
    assert (after.status, after.end_date) == (case.status, case.end_date)


async def test_lifecycle_commands_ask_to_confirm(harness: Harness) -> None:
    officer = await harness.officer(1001)
    await make_case(harness.services.db, harness.clock.now(), chat_id=5001)
    (case,) = await _cases_in_db(harness)
    person = harness.user(5001)

    await officer.send_text(f"/extend {case.code.lower()} 3")
    question = await officer.wait_for_message()
    new_end = (case.end_date + timedelta(days=3)).strftime("%d/%m/%Y")
    assert f"thêm 3 ngày, đến {new_end}" in _text(question)
    await officer.press("Huỷ", question)
    await harness.standin.wait_for_call(
        "editMessageText", lambda call: "không thay đổi" in str(call.params.get("text"))
    )
    assert (await _cases_in_db(harness))[0].end_date == case.end_date

    await officer.send_text(f"/extend {case.code} 3")
    question = await officer.wait_for_message()
    await officer.press("✅ Đồng ý", question)
    await harness.standin.wait_for_call(
        "editMessageText", lambda call: "Đã kéo dài" in str(call.params.get("text"))
    )
    assert new_end in _text(await person.wait_for_message())

    await officer.send_text(f"/case {case.code}")
    detail = _text(await officer.wait_for_message())
    assert f"mã {case.code}" in detail
    assert "Đang cách ly" in detail
    assert "Khai báo gần nhất: chưa có" in detail

    await officer.send_text("/export")
    xlsx = await officer.wait_for_message(lambda m: m.file is not None)
    assert xlsx.file is not None
    assert (xlsx.file.filename or "").endswith(".xlsx")
    assert "/export khaibao" in (xlsx.text or "")
    workbook = load_workbook(io.BytesIO(xlsx.file.content))
    assert workbook.sheetnames == ["Danh sách ca"]
    header = [c.value for c in next(workbook.active.iter_rows())]
    assert header[:5] == ["Họ và tên", "Số điện thoại", "Năm sinh", "Địa chỉ", "Loại"]
    csv_file = await officer.wait_for_message(lambda m: m.file is not None)
    assert csv_file.file is not None
    assert (csv_file.file.filename or "").endswith(".csv")

    await officer.send_text("/export khaibao")
    files = [await officer.wait_for_message(lambda m: m.file is not None) for _ in range(2)]
    names = [(m.file.filename or "") if m.file else "" for m in files]
    assert names[0].endswith(".xlsx")
    assert names[1].endswith("-csv.zip")
    assert files[1].file is not None
    with zipfile.ZipFile(io.BytesIO(files[1].file.content)) as zipped:
        inside = zipped.namelist()
    assert inside[1].startswith("cachly-khai-bao-")
    assert len(inside) == 2


async def test_a_case_whose_end_date_passes_is_released_and_told(harness: Harness) -> None:
    officer = await harness.officer(1001)
    end = date(2026, 11, 27)
    await make_case(harness.services.db, harness.clock.now(), chat_id=5001, end_date=end)
    person = harness.user(5001, first_name="An")
    await person.send_text("/status")
    status = _text(await person.wait_for_message())
    assert "ngày 6/7" in status
    assert "27/11/2026" in status

    # 07:01 in Hanoi on the end date; run the periodic tick as the job queue would.
    harness.clock.set(datetime(2026, 11, 27, 0, 1, tzinfo=UTC))
    job_queue = harness.application.job_queue
    assert job_queue is not None
    await job_queue.run_once(cases_tick, 0).run(harness.application)
    told = await person.wait_for_message(lambda m: "hoàn thành" in _text(m))
    assert "Nguyễn Văn An" in _text(told)
    (case,) = await _cases_in_db(harness)
    assert case.status == "released"
    await officer.send_text("/cases")
    assert "Chưa có ca nào" in _text(await officer.wait_for_message())
    await person.send_text("/status")
    assert "chưa tham gia" in _text(await person.wait_for_message())


async def test_english_officer_registers_with_coordinates(harness: Harness) -> None:
    officer = await harness.officer(1001)
    await officer.send_text("/language")
    await officer.press("English", await officer.wait_for_message())
    await harness.standin.wait_for_call("editMessageText")
    await officer.send_text("/register")
    assert "Full name" in _text(await officer.wait_for_message())
    await officer.send_text("x")
    assert "at least 2 letters" in _text(await officer.wait_for_message())
    assert "Full name" in _text(await officer.wait_for_message())
    await officer.send_text("Pham Thi Lan")
    await officer.wait_for_message()
    await officer.send_text("12345")
    assert "is not valid" in _text(await officer.wait_for_message())
    await officer.wait_for_message()
    await officer.send_text("+84 912 345 678")
    await officer.wait_for_message(lambda m: "Year of birth" in _text(m))
    await officer.send_text("1990")
    await officer.wait_for_message(lambda m: "Address" in _text(m))
    await officer.send_text("7 Tran Phu")
    await officer.wait_for_message(lambda m: "Kind" in _text(m))
    await officer.send_text("F9")
    assert "Kind 'F9' is not valid" in _text(await officer.wait_for_message())
    await officer.wait_for_message(lambda m: "Kind" in _text(m))
    await officer.send_text("Other")  # the button's label, typed

    await officer.wait_for_message(lambda m: "Start date" in _text(m))
    await officer.press("rg:start:other")
    await officer.wait_for_message(lambda m: "Type the start date" in _text(m))
    await officer.send_text("26/11/2026")
    await officer.wait_for_message(lambda m: "End date" in _text(m))
    await officer.send_text("10")
    await officer.wait_for_message(lambda m: "Home location" in _text(m))
    await officer.send_text("https://www.google.com/maps/@19.8067,105.7852,17z")
    summary = _text(await officer.wait_for_message(lambda m: "Please check" in _text(m)))
    assert "From 26/11/2026 to 06/12/2026 (10 days)" in summary
    assert "Home: 19.8067, 105.7852 (see the map pin above)" in summary
    await officer.press("rg:ok")
    await officer.wait_for_message(lambda m: "Registered" in _text(m))
    (case,) = await _cases_in_db(harness)
    assert (case.home_status, case.kind, case.phone) == ("set", "other", "+84912345678")


async def test_registration_survives_a_restart(harness: Harness) -> None:
    officer = await harness.officer(1001)
    await officer.send_text("/register")
    await officer.wait_for_message()
    await officer.send_text("Đỗ Văn Tư")
    await officer.wait_for_message()
    # Another bot process over the same database takes the next step.
    updater = harness.application.updater
    assert updater is not None
    await updater.stop()
    await harness.application.stop()
    await harness.application.start()
    await updater.start_polling(poll_interval=0.0, timeout=1)
    await officer.send_text("0987 654 321")
    assert "Năm sinh" in _text(await officer.wait_for_message())
    await officer.send_text("/cancel")
    assert "Đã huỷ" in _text(await officer.wait_for_message())


async def test_only_an_officer_of_a_commune_may_register(harness: Harness) -> None:
    stranger = harness.user(1501)
    await stranger.send_text("/register")
    refusal = "Chỉ cán bộ y tế xã/phường mới làm được việc này."
    assert _text(await stranger.wait_for_message()) == refusal
    supervisor = await harness.officer(1502, area="thanh hoa", role="supervisor")
    await supervisor.send_text("/register")
    assert _text(await supervisor.wait_for_message()) == refusal
    # Neither was left in a conversation: a stray text is simply not understood.
    await stranger.send_text("Nguyễn Văn Bình")
    assert "Họ và tên" not in _text(await stranger.wait_for_message())


async def test_a_big_file_shows_how_far_its_check_has_come(harness: Harness) -> None:
    officer = await harness.officer(1001)
    rows = "".join(f"Lê Văn {i},0912{i:06d},1980,{i} Lê Lợi,F1,,\n" for i in range(1, 600))
    big = IMPORT_CSV.splitlines()[0] + "\n" + rows + "Lê Văn Sai,0123,1980,Lê Lợi,F1,,\n"
    await officer.send_document("lon.csv", big.encode("utf-8"), "text/csv")
    progress = await officer.wait_for_message()
    assert _text(progress).startswith("⏳ Đang kiểm tra dòng ")
    assert _text(progress).endswith(" / 600…")
    report = await officer.wait_for_message(lambda m: "Tệp có" in _text(m))
    assert "Tệp có 600 dòng, 1 dòng lỗi:" in _text(report)
    # The progress line was edited to its end before the report came, not sent again.
    assert _text(progress) == "✅ Đã kiểm tra 600 dòng."
    assert [m for m in officer.messages if "Đang kiểm tra" in _text(m)] == []


async def test_an_officer_moves_a_case_to_sms_and_the_phone_is_invited(harness: Harness) -> None:
    officer = await harness.officer(1001)
    await make_case(harness.services.db, harness.clock.now(), status="pending")
    (case,) = await _cases_in_db(harness)

    await officer.send_text(f"/channel {case.code} viber")
    assert "Kênh 'viber' không đúng" in _text(await officer.wait_for_message())
    await officer.send_text(f"/channel {case.code} tin nhắn")
    told = _text(await officer.wait_for_message())
    assert "nhận tin qua SMS" in told
    assert "0912 345 678" in told  # where the invitation went
    (moved,) = await _cases_in_db(harness)
    assert moved.channel == "sms"
    async with harness.services.db.transaction() as session:
        invitation = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.bot == "sms"))
        ).one()
    assert invitation.purpose == "invitation"
    await officer.send_text(f"/channel {case.code} sms")
    assert "đã nhận tin qua SMS" in _text(await officer.wait_for_message())
