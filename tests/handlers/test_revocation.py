"""End to end: once an officer's access ends (revoked, or moved to another commune), nothing
more about the old commune's cases reaches them, whatever happens next; colleagues get
everything as before. And the export: one two-sheet workbook, paced, never a 429."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot import alerts
from bot.access import ACCESS_ENDED, WITHHELD
from bot.clock import FakeClock
from bot.db import Database
from bot.models import AuditEntry, Case, OutboxMessage, WebSignin
from standins.telegram import Call, Limits, User
from tests.bot.test_reports import SECRET
from tests.conftest import make_settings
from tests.factories import make_case
from tests.handlers.test_alerts import HOME, alert_row, edited, raise_, sender, with_button
from tests.handlers.test_reports import card_in, reporter, send_report
from tests.harness import Harness, running_bot

NAME, PHONE = "Trần Thị Bình", "912345678"
NEUTRAL = "Bạn không còn quyền xem nội dung này"
NIGHT = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # 23:00 in Vietnam


@pytest.fixture
async def bot(database_url: str, db: Database, clock: FakeClock) -> AsyncIterator[Harness]:
    """The bot with citizen reports on and a brisk outbox."""
    settings = make_settings(
        database_url,
        reports={"secret": SECRET},
        outbox={"per_chat_interval_seconds": 0.05, "idle_poll_seconds": 0.05},
    )
    async with running_bot(settings, db, clock) as running:
        yield running


async def officer_id(bot: Harness, user: User) -> int:
    found = await bot.services.officers.whoami(user.id)
    assert found is not None
    return found.id


def calls_to(bot: Harness, user: User, since: int) -> list[Call]:
    return [c for c in bot.standin.calls[since:] if c.chat_id == user.chat_id]


def about_the_case(call: Call) -> bool:
    """Whether a call says anything about the old commune's case or report."""
    said = json.dumps(call.params, ensure_ascii=False, default=str)
    return call.method == "sendLocation" or any(
        word in said for word in (NAME, PHONE, "Hạc Thành", "Phản ánh", "al:")
    )


async def rows_to(bot: Harness, user: User, after: int) -> list[OutboxMessage]:
    async with bot.services.db.transaction() as session:
        return list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == user.chat_id, OutboxMessage.id > after)
                .order_by(OutboxMessage.id)
            )
        )


async def last_row_id(bot: Harness) -> int:
    async with bot.services.db.transaction() as session:
        rows = await session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id))
        return max(rows, default=0)


async def test_a_revoked_or_moved_officer_gets_nothing_more_while_colleagues_get_all(
    bot: Harness,
) -> None:
    bot.clock.set(NIGHT)
    lan, binh, chi = await bot.officer(1001), await bot.officer(1002), await bot.officer(1003)
    boss = await bot.officer(3001, area="Thanh Hóa", role="supervisor")
    old_boss = await bot.officer(3002, area="Thanh Hóa", role="supervisor")
    case_id = await make_case(bot.services.db, bot.clock.now(), zone=HOME, full_name=NAME)
    outside = {"lat": 19.8120, "lon": 105.7764, "distance_m": 450, "accuracy_m": 12, "weak": False}
    sos = await raise_(bot, alerts.SOS, case_id)
    out = await raise_(bot, alerts.OUT_OF_ZONE, case_id, **outside)
    # Held by the quiet hours until 06:00: queued to everyone, not sent yet.
    await raise_(bot, alerts.MISSED_CHECKIN, case_id, round="20:00", label="round")
    citizen = reporter(bot)
    reference = (await send_report(citizen)).split("Số phản ánh của bạn: ")[1][:7]
    for officer in (lan, binh, chi):
        await officer.wait_for_message(lambda m: "SOS" in (m.text or ""))
        await officer.wait_for_message(lambda m: "Ra khỏi nơi cách ly" in (m.text or ""))
        await officer.wait_for_message(lambda m: m.location is not None)
        await officer.wait_for_message(lambda m: reference in (m.text or ""))

    # Binh and the old supervisor are revoked; Chi moves to another commune.
    before_rows = await last_row_id(bot)
    await bot.services.officers.revoke_officer(await officer_id(bot, binh))
    await bot.services.officers.revoke_officer(await officer_id(bot, old_boss))
    mark = len(bot.standin.calls)
    await bot.officer(1003, area="quang phu")
    moved_at = await last_row_id(bot)

    # Their copies are made neutral once: no name, no phone, no buttons.
    for officer in (binh, chi):
        for _ in range(3):
            await bot.standin.wait_for_call(
                "editMessageText",
                lambda c, o=officer: (
                    c.chat_id == o.chat_id  # type: ignore[misc]
                    and NEUTRAL in str(c.params.get("text"))
                    and len([m for m in o.messages if NEUTRAL in (m.text or "")]) >= 3
                ),
                since=mark,
            )
        neutral = [m for m in officer.messages if NEUTRAL in (m.text or "")]
        assert len(neutral) == 3
        assert all(not m.buttons for m in neutral)

    # Whatever happens next: a colleague takes the SOS, new evidence, a new alert,
    # escalations, the digest, the held alert at 06:00, a new report and its handling.
    sos_copy = next(m for m in lan.messages if "SOS" in (m.text or "") and m.buttons)
    await lan.press("🙋 Tôi nhận", sos_copy)
    await lan.wait_for_answer()
    await edited(bot, lan, "Officer 1001 đã nhận xử lý")
    farther = {**outside, "lat": 19.8250, "distance_m": 2000}
    bot.clock.advance(timedelta(minutes=2))
    assert await raise_(bot, alerts.OUT_OF_ZONE, case_id, **farther) == out
    await lan.wait_for_message(lambda m: (m.location or {}).get("latitude") == 19.825)
    await raise_(bot, alerts.DANGER_SIGNS, case_id, signs=["spo2_low"], vitals={"spo2": 93})
    await lan.wait_for_message(lambda m: "Dấu hiệu nguy hiểm" in (m.text or ""))
    bot.clock.advance(timedelta(minutes=40))  # 23:42
    assert await bot.services.alerts.tick() >= 2
    await boss.wait_for_message(lambda m: "Chuyển lên tuyến tỉnh" in (m.text or ""))
    await edited(bot, lan, "Đã chuyển lên tuyến tỉnh")
    assert await bot.services.digests.tick() is True
    await lan.wait_for_message(lambda m: m.file is not None or "Tóm tắt" in (m.text or ""))
    await boss.wait_for_message(lambda m: "Hạc Thành" in (m.text or "") and not m.buttons)
    bot.clock.advance(timedelta(hours=6, minutes=20))  # 06:02
    sender(bot).wake()
    await lan.wait_for_message(lambda m: "Bỏ lỡ khai báo" in (m.text or ""))
    second = (await send_report(reporter(bot, 770_002), "Nhà số 3 có người ra ngoài")).split(
        "Số phản ánh của bạn: "
    )[1][:7]
    await lan.wait_for_message(lambda m: second in (m.text or ""))
    first_card = next(m for m in lan.messages if reference in (m.text or "") and m.buttons)
    await lan.press("✋ Nhận xử lý", first_card)
    await lan.wait_for_answer()
    assert "Officer 1001" in (card_in(lan).text or "") or card_in(lan).buttons

    # Nothing of any kind reached Binh or the old supervisor but the neutral edits; Chi got
    # only her new commune's digest besides hers.
    for officer in (binh, old_boss):
        for call in calls_to(bot, officer, mark):
            assert call.method == "editMessageText", call.method
            assert NEUTRAL in str(call.params.get("text"))
            assert "reply_markup" not in call.params or not call.params["reply_markup"]
        for row in await rows_to(bot, officer, before_rows):
            assert row.purpose == ACCESS_ENDED, row.purpose
    assert not [c for c in calls_to(bot, chi, mark) if about_the_case(c)]
    for row in await rows_to(bot, chi, moved_at):
        assert row.purpose in (ACCESS_ENDED, "digest", "digest_chart"), row.purpose

    async with bot.services.db.transaction() as session:
        held = list(
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id.in_((binh.chat_id, chi.chat_id)),
                    OutboxMessage.id <= before_rows,
                    OutboxMessage.state == "pending",
                )
            )
        )
        withheld_rows = list(
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id == binh.chat_id, OutboxMessage.last_error == WITHHELD
                )
            )
        )
        entries = list(
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action.in_(("officer.access_end", "officer.withheld")))
                .order_by(AuditEntry.id)
            )
        )
    assert held == []
    # The held missed-check-in copy queued before the revocation never went out.
    assert [r.purpose for r in withheld_rows] == ["alert"]
    ends = [e for e in entries if e.action == "officer.access_end"]
    assert [e.details["reason"] for e in ends] == ["revoked", "revoked", "moved"]
    assert ends[0].details == {
        "reason": "revoked",
        "cancelled": 1,
        "neutralised": 3,
        "web_sessions": 0,
    }
    withheld = [e for e in entries if e.action == "officer.withheld"]
    binh_id, chi_id = await officer_id_any(bot, binh), await officer_id_any(bot, chi)
    assert any(binh_id in e.details["officers"] for e in withheld)
    assert any(e.subject_id == str(sos) and chi_id in e.details["officers"] for e in withheld)
    assert all(NAME not in str(e.details) for e in entries)

    # The colleague got everything as before.
    assert len([m for m in lan.messages if m.location is not None]) >= 2


async def officer_id_any(bot: Harness, user: User) -> int:
    """The officer row of a user, revoked or not."""
    listed = await bot.services.officers.officers()
    return next(o.id for o in listed if o.telegram_user_id == user.id)


async def test_export_is_one_two_sheet_workbook_and_a_zip_with_no_429(
    database_url: str, db: Database, clock: FakeClock
) -> None:
    settings = make_settings(database_url)
    async with running_bot(settings, db, clock, limits=Limits()) as bot:
        lan = await bot.officer(1001)
        await make_case(bot.services.db, bot.clock.now(), zone=HOME, full_name=NAME)
        await lan.send_text("/export")
        await lan.send_text("/export khaibao")
        files = [await lan.wait_for_message(lambda m: m.file is not None) for _ in range(4)]
        names = [(m.file.filename or "") if m.file else "" for m in files]
        assert [n.rsplit(".", 1)[-1] for n in names] == ["xlsx", "csv", "xlsx", "zip"]
        workbook = files[2].file
        assert workbook is not None
        sheets = load_workbook(io.BytesIO(workbook.content)).sheetnames
        assert sheets == ["Danh sách ca", "Khai báo"]
        assert "Khai báo" in (files[2].text or "")
        archive = files[3].file
        assert archive is not None
        with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
            assert len(zipped.namelist()) == 2
        assert bot.standin.count_429 == 0


REFUSED = "Bạn không có quyền làm việc này."


async def test_a_revoked_officer_is_refused_every_command_and_old_button(bot: Harness) -> None:
    await bot.officer(1001)
    binh = await bot.officer(1002)
    case_id = await make_case(bot.services.db, bot.clock.now(), zone=HOME, full_name=NAME)
    async with bot.services.db.transaction() as session:
        code = await session.scalar(select(Case.code).where(Case.id == case_id))
    sos = await raise_(bot, alerts.SOS, case_id)
    copy = await binh.wait_for_message(lambda m: "SOS" in (m.text or "") and bool(m.buttons))
    await bot.services.officers.revoke_officer(await officer_id(bot, binh))
    await edited(bot, binh, NEUTRAL)
    mark = len(bot.standin.calls)
    commands = ("/cases", f"/case {code}", f"/case {code} khaibao", "/export", "/export khaibao")
    for command in (*commands, "/worklist", "/alerts", "/web"):
        await binh.send_text(command)
        assert (await binh.wait_for_message()).text == REFUSED, command
    await binh.send_text("/whoami")
    assert "chưa được đăng ký là cán bộ" in ((await binh.wait_for_message()).text or "")
    await binh.press(f"al:a:{sos}", with_button(copy, f"al:a:{sos}"))
    assert (await binh.wait_for_answer()).params.get("text") == REFUSED
    assert not [c for c in calls_to(bot, binh, mark) if about_the_case(c)]
    assert not [c for c in calls_to(bot, binh, mark) if c.method == "sendDocument"]
    alert = await alert_row(bot, sos)
    assert (alert.state, alert.acknowledged_by) == ("open", None)
    async with bot.services.db.transaction() as session:
        links = await session.scalar(select(func.count()).select_from(WebSignin))
    assert links == 0  # /web issued no sign-in link
