"""End to end: what the user-acceptance run found, as officers and people see it."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from bot.models import Case, Checkin, LocationFix
from standins.telegram import BotMessage, User
from tests.factories import make_case
from tests.harness import Harness, start_code

HOME = (19.8067, 105.7852)  # Phường Hạc Thành, Thanh Hóa


def _text(message: BotMessage) -> str:
    return message.text or ""


async def _cases_in_db(harness: Harness) -> list[Case]:
    async with harness.services.db.transaction() as session:
        return list(await session.scalars(select(Case).order_by(Case.id)))


async def _export_checkins(officer: User) -> tuple[list[list[str]], list[list[object]]]:
    """/export khaibao: the check-ins' CSV rows (from the zip) and the workbook's second sheet."""
    await officer.send_text("/export khaibao")
    files = [await officer.wait_for_message(lambda m: m.file is not None) for _ in range(2)]
    xlsx, archive = files[0].file, files[1].file
    assert xlsx is not None
    assert archive is not None
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        (name,) = [n for n in zipped.namelist() if n.startswith("cachly-khai-bao-")]
        content = zipped.read(name)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["Danh sách ca", "Khai báo"]
    cells = [[cell.value for cell in row] for row in workbook["Khai báo"].iter_rows()]
    return rows, cells


async def test_check_in_export_is_readable_vietnamese(harness: Harness) -> None:
    officer = await harness.officer(1001)
    now = harness.clock.now()
    zone = {"type": "circle", "lat": HOME[0], "lon": HOME[1], "radius_m": 50}
    case_id = await make_case(harness.services.db, now, chat_id=5001, zone=zone)
    async with harness.services.db.transaction() as session:
        answered = Checkin(
            case_id=case_id,
            kind="scheduled",
            nominal_at=now - timedelta(hours=3),
            due_at=now - timedelta(hours=3),
            state="done",
            answered_at=now - timedelta(hours=2),
            outcome="on_time",
            answers={"feeling": "bad", "symptoms": ["fever", "short_breath"]},
            vitals={"temperature": 38.5, "spo2": 93.0, "breaths": 20.0, "pulse": None},
            danger_signs=["short_breath", "spo2_low", "breaths_high"],
            created_at=now,
        )
        skipped = Checkin(
            case_id=case_id,
            kind="scheduled",
            nominal_at=now - timedelta(hours=1),
            due_at=now - timedelta(hours=1),
            state="done",
            answered_at=now - timedelta(minutes=50),
            outcome="late",
            answers={"feeling": "good", "symptoms": [], "location": "skipped"},
            vitals={"temperature": None},
            created_at=now,
        )
        session.add_all([answered, skipped])
        await session.flush()
        session.add(
            LocationFix(
                case_id=case_id,
                checkin_id=answered.id,
                lat=19.81,
                lon=105.79,
                taken_at=now - timedelta(hours=2),
                fix_kind="current",
                verdict="outside",
                distance_m=412.4,
                received_at=now,
            )
        )

    rows, cells = await _export_checkins(officer)
    header = rows[0]
    assert header[5:] == [
        "Cảm thấy",
        "Triệu chứng",
        "Dấu hiệu nguy hiểm",
        "Nhiệt độ (°C)",
        "SpO2 (%)",
        "SpO2 đo lại (%)",
        "Nhịp thở (lần/phút)",
        "Mạch (lần/phút)",
        "Vị trí",
        "Cách nhà (m)",
    ]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Kết quả"] == "Đúng giờ"
    assert first["Cảm thấy"] == "Mệt nhiều"
    assert first["Triệu chứng"] == "Sốt, Khó thở"
    assert first["Dấu hiệu nguy hiểm"] == "khó thở, SpO2 thấp, thở nhanh"
    assert (first["Nhiệt độ (°C)"], first["SpO2 (%)"], first["Nhịp thở (lần/phút)"]) == (
        "38,5",
        "93",
        "20",
    )
    assert (first["Mạch (lần/phút)"], first["SpO2 đo lại (%)"]) == ("", "")
    assert (first["Vị trí"], first["Cách nhà (m)"]) == ("Ra ngoài", "412")
    second = dict(zip(header, rows[2], strict=True))
    assert (second["Cảm thấy"], second["Triệu chứng"], second["Nhiệt độ (°C)"]) == (
        "Khoẻ, bình thường",
        "",
        "",
    )
    assert second["Vị trí"] == "Không gửi được vị trí"
    # No raw codes or Python values anywhere.
    everything = " ".join(" ".join(row) for row in rows)
    for raw in ("short_breath", "spo2_low", "None", "=", ".0", "fever", "bad"):
        assert raw not in everything
    # The XLSX holds the same.
    assert cells[0] == header
    assert cells[1][5] == "Mệt nhiều"


def _labels(message: BotMessage) -> list[str]:
    return [button["text"] for button in message.buttons]


async def test_registration_takes_typed_choices_shows_the_home_and_can_be_corrected(
    harness: Harness,
) -> None:
    officer = await harness.officer(1001)
    await officer.send_text("/register")
    await officer.wait_for_message(lambda m: "Họ và tên" in _text(m))
    await officer.send_text("  nguyễn   thị  hoà ")
    await officer.wait_for_message(lambda m: "Số điện thoại" in _text(m))
    await officer.send_text("+84912345678")
    await officer.wait_for_message(lambda m: "Năm sinh" in _text(m))
    await officer.send_text("bỏ qua")  # the Skip button's label, typed
    await officer.wait_for_message(lambda m: "Địa chỉ" in _text(m))
    await officer.send_text("12 Lê Lợi")
    await officer.wait_for_message(lambda m: "Loại" in _text(m))
    await officer.send_text("F7")
    assert "Loại 'F7' không đúng" in _text(await officer.wait_for_message())
    await officer.wait_for_message(lambda m: "Loại" in _text(m))
    await officer.send_text("F0")
    await officer.wait_for_message(lambda m: "Ngày bắt đầu" in _text(m))
    await officer.send_text("hôm nay")
    await officer.wait_for_message(lambda m: "Ngày kết thúc" in _text(m))
    await officer.send_text("7 ngày")
    await officer.wait_for_message(lambda m: "Vị trí nhà" in _text(m))
    await officer.send_text("https://www.google.com/maps/place/x/@19.8067,105.7852,17z")

    pin = await officer.wait_for_message(lambda m: m.location is not None)
    assert pin.location is not None
    assert (pin.location["latitude"], pin.location["longitude"]) == HOME
    summary = await officer.wait_for_message(lambda m: "Kiểm tra lại" in _text(m))
    text = _text(summary)
    assert "Họ tên: Nguyễn Thị Hoà" in text
    assert "Điện thoại: 0912 345 678" in text
    assert "Loại: F0 (điều trị tại nhà)" in text
    assert "(7 ngày)" in text
    assert "Nhà: 19.8067, 105.7852 (xem ghim bản đồ ở trên)" in text
    assert _labels(summary) == ["✅ Đăng ký", "✏️ Sửa", "❌ Huỷ"]

    # Correct one field: only that question comes, then the summary again.
    await officer.press("✏️ Sửa", summary)
    which = await officer.wait_for_message(lambda m: "Sửa mục nào" in _text(m))
    await officer.press("Địa chỉ", which)
    await officer.wait_for_message(lambda m: "Địa chỉ" in _text(m) and "nơi cách ly" in _text(m))
    await officer.send_text("14 Lê Lợi")
    summary = await officer.wait_for_message(lambda m: "Kiểm tra lại" in _text(m))
    assert "Địa chỉ: 14 Lê Lợi" in _text(summary)
    assert "Họ tên: Nguyễn Thị Hoà" in _text(summary)
    await officer.send_text("đăng ký")  # the button's label, typed
    await officer.wait_for_message(lambda m: "Đã đăng ký" in _text(m))
    (case,) = await _cases_in_db(harness)
    assert (case.full_name, case.address, case.kind, case.home_status) == (
        "Nguyễn Thị Hoà",
        "14 Lê Lợi",
        "f0",
        "set",
    )
    assert (case.end_date - case.start_date).days == 7

    await officer.wait_for_message(lambda m: "Mã QR" in _text(m))
    await officer.send_text(f"/case {case.code}")
    detail = _text(await officer.wait_for_message())
    assert "Nguyễn Thị Hoà" in detail
    assert "Điện thoại: 0912 345 678" in detail
    assert "+84" not in detail


async def test_registration_can_be_cancelled_from_the_summary(harness: Harness) -> None:
    officer = await harness.officer(1001)
    await officer.send_text("/register")
    for answer in ("Đỗ Văn Tư", "0987 654 321", "1970", "3 Lê Lai", "khác", "ngày mai"):
        await officer.wait_for_message()
        await officer.send_text(answer)
    await officer.wait_for_message(lambda m: "Ngày kết thúc" in _text(m))
    await officer.send_text("7 ngày (mặc định)")
    await officer.wait_for_message(lambda m: "Vị trí nhà" in _text(m))
    await officer.send_text("người cách ly tự gửi")
    summary = await officer.wait_for_message(lambda m: "Kiểm tra lại" in _text(m))
    assert "Loại: Khác" in _text(summary)
    assert "Nhà: người cách ly tự gửi" in _text(summary)
    await officer.press("❌ Huỷ", summary)
    assert "Đã huỷ" in _text(await officer.wait_for_message())
    assert await _cases_in_db(harness) == []
    await officer.send_text("hello")
    assert "Đã đăng ký" not in _text(await officer.wait_for_message())


async def test_imported_names_are_title_cased(harness: Harness) -> None:
    officer = await harness.officer(1001)
    content = "Họ và tên,Số điện thoại\nnguyễn  thị hoà,0912000001\nLê Văn McLean,0912000002\n"
    await officer.send_document("ds.csv", content.encode(), "text/csv")
    done = await officer.wait_for_message(lambda m: "Đã nhập" in _text(m))
    assert "Đã nhập 2 ca" in _text(done)
    links = await officer.wait_for_message(lambda m: m.file is not None)
    assert links.file is not None
    rows = list(csv.reader(io.StringIO(links.file.content.decode("utf-8-sig"))))
    assert [(r[1], r[2]) for r in rows[1:]] == [
        ("Nguyễn Thị Hoà", "0912 000 001"),
        ("Lê Văn McLean", "0912 000 002"),
    ]


async def _link(harness: Harness, officer: User) -> str:
    await officer.send_text("/register")
    for answer in ("Phạm Văn Nam", "0912 345 678", "1970", "3 Lê Lai", "F1", "bỏ qua"):
        await officer.wait_for_message()
        await officer.send_text(answer)
    for answer in ("hôm nay", "10", "người cách ly tự gửi"):
        await officer.wait_for_message()
        await officer.send_text(answer)
    await officer.wait_for_message(lambda m: "Kiểm tra lại" in _text(m))
    await officer.send_text("Đăng ký")
    done = await officer.wait_for_message(lambda m: "Đã đăng ký" in _text(m))
    return next(line for line in _text(done).splitlines() if line.startswith("https://t.me/"))


async def test_consent_hint_quotes_the_buttons_and_follows_a_language_change(
    harness: Harness,
) -> None:
    officer = await harness.officer(1001)
    link = await _link(harness, officer)
    person = harness.user(5001)
    await person.send_text(f"/start {start_code(link)}")
    notice = await person.wait_for_message()
    assert _labels(notice) == ["✅ Tôi đồng ý", "Không đồng ý"]

    await person.send_text("ok")
    hint = await person.wait_for_message()
    assert _text(hint) == "Hãy bấm nút «✅ Tôi đồng ý» hoặc «Không đồng ý» ngay dưới đây."
    assert _labels(hint) == ["✅ Tôi đồng ý", "Không đồng ý"]

    await person.send_text("/language")
    await person.press("English", await person.wait_for_message())
    await harness.standin.wait_for_call("editMessageText")
    await person.send_text("what?")
    again = await person.wait_for_message()
    assert "Who sees it" in _text(again)
    assert _labels(again) == ["✅ I agree", "I do not agree"]
    await person.send_text("hm")
    assert _text(await person.wait_for_message()) == (
        "Please press «✅ I agree» or «I do not agree» just below."
    )
    await person.press("✅ I agree", again)
    assert "has joined" in _text(await person.wait_for_message())


async def test_a_person_who_refused_is_shown_how_to_agree(harness: Harness) -> None:
    officer = await harness.officer(1001)
    link = await _link(harness, officer)
    person = harness.user(5001)
    await person.send_text(f"/start {start_code(link)}")
    await person.press("Không đồng ý", await person.wait_for_message())
    assert "Bạn đã không đồng ý" in _text(await person.wait_for_message())

    # /status tells them the truth and asks again, with working buttons.
    await person.send_text("/status")
    answer = await person.wait_for_message()
    assert "Phạm Văn Nam chưa đồng ý tham gia" in _text(answer)
    assert "Ai được xem" in _text(answer)
    assert _labels(answer) == ["✅ Tôi đồng ý", "Không đồng ý"]
    # /checkin does not claim they are unknown: it asks the same question.
    await person.send_text("/checkin")
    again = await person.wait_for_message()
    assert "Phạm Văn Nam chưa đồng ý tham gia" in _text(again)
    assert "chưa được đăng ký" not in _text(again)
    # Reopening the link offers consent again too.
    await person.send_text(f"/start {start_code(link)}")
    notice = await person.wait_for_message()
    assert "Bạn có đồng ý tham gia không?" in _text(notice)
    await person.press("✅ Tôi đồng ý", answer)
    assert "đã tham gia" in _text(await person.wait_for_message())
    (case,) = await _cases_in_db(harness)
    assert (case.status, case.chat_id) == ("active", person.chat_id)


async def test_a_person_who_refused_with_an_expired_link_is_told_to_ask_again(
    harness: Harness,
) -> None:
    officer = await harness.officer(1001)
    link = await _link(harness, officer)
    person = harness.user(5001)
    await person.send_text(f"/start {start_code(link)}")
    await person.press("Không đồng ý", await person.wait_for_message())
    await person.wait_for_message()
    harness.clock.advance(timedelta(hours=73))
    await person.send_text("/status")
    answer = await person.wait_for_message()
    assert "Phạm Văn Nam chưa đồng ý" in _text(answer)
    assert "xin đường dẫn mới" in _text(answer)
    assert answer.buttons == []
