"""End to end: what an officer's /case shows of a case's check-ins, and its history file."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from bot.models import AuditEntry, Case
from standins.telegram import User
from tests.factories import make_case
from tests.handlers.test_checkins import (
    HOME,
    NEAR_HOME,
    alert_kinds,
    local,
    settings,  # noqa: F401 (the fixture: no spread, ticks by hand)
)
from tests.harness import Harness


async def _check_in(
    harness: Harness,
    user: User,
    *,
    feeling: str,
    symptoms: tuple[str, ...],
    readings: tuple[str, ...],
) -> None:
    """One /checkin through the stand-in, from the first question to the location."""
    await user.send_text("/checkin")
    await user.wait_for_message()
    await user.press(feeling)
    question = await user.wait_for_message()
    for symptom in symptoms:
        await user.press(symptom, question)
        await harness.standin.wait_for_call("editMessageText")
    await user.press("Xong ✅" if symptoms else "Không có triệu chứng nào", question)
    await user.wait_for_message(lambda m: "Nhiệt độ" in (m.text or ""))
    for reading in readings:
        await user.send_text(reading)
        await user.wait_for_message()
    await user.send_location(*NEAR_HOME, horizontal_accuracy=9)
    await user.wait_for_message(lambda m: "đang ở nhà" in (m.text or ""))


async def test_case_shows_the_latest_answers_trend_location_and_alerts(
    harness: Harness,
) -> None:
    clock, db = harness.clock, harness.services.db
    officer = await harness.officer(9201)
    local(clock, "09:00", day=23)
    case_id = await make_case(db, clock.now(), kind="f0", chat_id=3201, zone=HOME.to_dict())
    async with db.transaction() as session:
        code = await session.scalar(select(Case.code).where(Case.id == case_id))
    assert code is not None
    user = harness.user(3201)
    await _check_in(
        harness,
        user,
        feeling="😊 Khoẻ, bình thường",
        symptoms=(),
        readings=("37,2", "98", "16", "80"),
    )
    local(clock, "09:00", day=24)
    await _check_in(
        harness,
        user,
        feeling="😊 Khoẻ, bình thường",
        symptoms=("Ho",),
        readings=("37,5", "97", "18", "82"),
    )

    # Day 25: tired, short of breath, a low SpO2 measured again after the rest.
    local(clock, "17:00", day=25)
    await user.send_text("/checkin")
    await user.wait_for_message()
    await user.press("😐 Hơi mệt")
    question = await user.wait_for_message()
    await user.press("Ho", question)
    await harness.standin.wait_for_call("editMessageText")
    await user.press("Khó thở", question)
    await user.wait_for_message(lambda m: "115" in (m.text or ""))
    await user.press("Xong ✅", question)
    await user.wait_for_message(lambda m: "Nhiệt độ" in (m.text or ""))
    await user.send_text("37,8")
    await user.wait_for_message()
    await user.send_text("95")
    await user.wait_for_message(lambda m: "giây" in (m.text or ""))
    clock.advance(timedelta(seconds=60))
    await harness.services.checkins.tick()
    await user.wait_for_message(lambda m: "Bây giờ" in (m.text or ""))
    for reading in ("94", "16", "80"):
        await user.send_text(reading)
        await user.wait_for_message()
    await user.send_location(*NEAR_HOME, horizontal_accuracy=9)
    await user.wait_for_message(lambda m: "đang ở nhà" in (m.text or ""))
    assert await alert_kinds(db) == ["danger_signs"]

    await officer.send_text(f"/case {code}")
    card = (await officer.wait_for_message(lambda m: f"mã {code}" in (m.text or ""))).text or ""
    assert "Khai báo gần nhất: 17:00 25/11" in card
    assert "😐 Hơi mệt · Triệu chứng: Ho, ⚠️ Khó thở" in card
    assert "nhiệt độ 37,8 °C · SpO2 95 → 94 % (đo lại) ⚠️ · thở 16 lần/phút · mạch 80/phút" in card
    assert "📈 SpO2: 98 → 97 → 94" in card
    assert "📈 Nhiệt độ: 37,2 → 37,5 → 37,8" in card
    assert "Vị trí gần nhất: Ở nhà, cách nhà" in card
    assert "(sai số ±9 m), 17:" in card
    assert "Cảnh báo đang mở: 1\n• 🚨 Dấu hiệu nguy hiểm – chưa ai nhận, 17:00 25/11" in card
    # One phone screen: the card is short.
    assert len(card.splitlines()) <= 20

    await officer.send_text(f"/case {code.lower()} khaibao")
    history = await officer.wait_for_message(lambda m: m.file is not None)
    assert history.file is not None
    assert (history.file.filename or "") == f"cachly-khai-bao-{code}-2026-11-25.xlsx"
    assert "Các lần khai báo của Nguyễn Văn An" in (history.text or "")
    sheet = load_workbook(io.BytesIO(history.file.content)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0][:3] == ["Mã ca", "Họ và tên", "Giờ khai báo"]
    spo2 = cells[0].index("SpO2 (%)")
    answered = [row for row in cells[1:] if row[3] is not None]
    assert [(row[0], row[spo2], row[spo2 + 1]) for row in answered] == [
        (code, "98", None),
        (code, "97", None),
        (code, "95", "94"),
    ]
    # The rounds of the day the tick planned are there as they went; none from the future.
    due = [datetime.strptime(str(row[2]), "%d/%m/%Y %H:%M") for row in cells[1:]]
    assert max(due) <= datetime(2026, 11, 25, 17, 0)
    async with db.transaction() as session:
        audited = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action == "case.checkins_export")
            )
        )
    assert audited == ["case.checkins_export"]

    # Another commune's officer learns nothing, not even that the case exists.
    outsider = await harness.officer(9202, area="dong son")
    await outsider.send_text(f"/case {code} khaibao")
    refused = await outsider.wait_for_message()
    assert refused.file is None
    assert f"Không tìm thấy ca {code}" in (refused.text or "")


async def test_case_of_someone_who_never_checked_in(harness: Harness) -> None:
    officer = await harness.officer(9203)
    local(harness.clock, "09:00")
    case_id = await make_case(harness.services.db, harness.clock.now(), chat_id=3203)
    async with harness.services.db.transaction() as session:
        code = await session.scalar(select(Case.code).where(Case.id == case_id))
    await officer.send_text(f"/case {code}")
    card = (await officer.wait_for_message()).text or ""
    assert "Khai báo gần nhất: chưa có\n" in card
    assert "Vị trí gần nhất: chưa có" in card
    assert "Cảnh báo đang mở: không có" in card
    assert "📈" not in card
    await officer.send_text(f"/case {code} khai bao")
    empty = await officer.wait_for_message()
    assert empty.file is None
    assert "chưa có lần khai báo nào" in (empty.text or "")
