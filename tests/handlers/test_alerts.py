"""End to end: alerts reach the commune's officers, are taken and closed from their buttons,
escalate to supervisors, and wait out quiet hours only when they may."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import alerts
from bot.clock import FakeClock
from bot.db import Database
from bot.messaging.sender import OutboxSender
from bot.models import Alert, AuditEntry, OutboxMessage
from standins.telegram import BotMessage, Fault, User
from tests.conftest import make_settings
from tests.factories import make_case
from tests.harness import Harness, running_bot
from tests.outbox import wire

HOME = {"type": "circle", "lat": 19.8075, "lon": 105.7764, "radius_m": 50}
OTHER_COMMUNE = 16522  # Phường Quảng Phú, another commune of Thanh Hóa


@pytest.fixture
async def bot(database_url: str, db: Database, clock: FakeClock) -> AsyncIterator[Harness]:
    """The bot with an outbox that retries at once and gives up on a hang quickly."""
    settings = make_settings(
        database_url, outbox={"retry_base_seconds": 0.0, "request_timeout_seconds": 0.5}
    )
    async with running_bot(settings, db, clock) as running:
        yield running


def sender(harness: Harness) -> OutboxSender:
    found: OutboxSender = harness.application.bot_data["outbox_sender"]
    return found


async def raise_(harness: Harness, kind: str, case_id: int, **evidence: Any) -> int:
    """What the check-ins service does when it sees something (same service call)."""
    async with harness.services.db.transaction() as session:
        raised = await alerts.raise_alert(
            harness.services.alerts.config,
            session,
            kind=kind,
            commune_code=14797,
            now=harness.clock.now(),
            evidence=evidence,
            case_id=case_id,
        )
        return raised.id


async def alert_row(harness: Harness, alert_id: int) -> Alert:
    async with harness.services.db.transaction() as session:
        alert = await session.get(Alert, alert_id)
        assert alert is not None
        return alert


async def edited(harness: Harness, user: User, contains: str) -> BotMessage:
    """Until the user's copy of the alert shows `contains` (edits go through the outbox)."""
    await harness.standin.wait_for_call(
        "editMessageText",
        lambda c: c.chat_id == user.chat_id and contains in str(c.message and c.message.text),
        since=0,
    )
    return next(m for m in user.messages if contains in (m.text or ""))


async def test_out_of_zone_reaches_both_officers_and_one_takes_it(bot: Harness) -> None:
    lan, minh = await bot.officer(1001), await bot.officer(1002)
    case_id = await make_case(
        bot.services.db, bot.clock.now(), zone=HOME, full_name="Trần Thị Bình"
    )
    outside = {"lat": 19.8120, "lon": 105.7764, "distance_m": 450, "accuracy_m": 12, "weak": False}
    alert_id = await raise_(bot, alerts.OUT_OF_ZONE, case_id, **outside)

    copies = {}
    for officer in (lan, minh):
        copy = await officer.wait_for_message(lambda m: m.text is not None)
        assert "Ra khỏi nơi cách ly" in (copy.text or "")
        assert "Trần Thị Bình" in (copy.text or "")
        assert "ngày cách ly thứ 6" in (copy.text or "")
        # The distance is to the zone's edge (50 m around the home), not to the home.
        assert "ngoài vùng cách ly 450 m (sai số ±12 m)" in (copy.text or "")
        assert "☎️ +84912345678" in (copy.text or "")  # the form Telegram makes tappable
        pin = await officer.wait_for_message(lambda m: m.location is not None)
        assert pin.location is not None
        assert pin.location["latitude"] == 19.8120
        copies[officer.id] = copy

    await lan.press("🙋 Tôi nhận", copies[lan.id])
    assert (await lan.wait_for_answer()).params.get("text") == "Đã ghi nhận: bạn nhận xử lý."
    for officer in (lan, minh):
        copy = await edited(bot, officer, "Officer 1001 đã nhận xử lý")
        assert [b["text"] for b in copy.buttons] == ["✅ Đã giải quyết", "☑️ Báo nhầm"]
    assert (await alert_row(bot, alert_id)).state == "acknowledged"

    # A second outside fix is added to the same alert: the copies are edited, not repeated.
    bot.clock.advance(timedelta(minutes=3))
    again = await raise_(bot, alerts.OUT_OF_ZONE, case_id, **{**outside, "distance_m": 620})
    assert again == alert_id
    for officer in (lan, minh):
        await edited(bot, officer, "ngoài vùng cách ly 620 m")
    sent_texts = [
        c for c in bot.standin.calls if c.method == "sendMessage" and c.chat_id == minh.chat_id
    ]
    assert len([c for c in sent_texts if "Ra khỏi" in (c.params.get("text") or "")]) == 1

    # Back home: the open alert says so.
    bot.clock.advance(timedelta(minutes=9))
    async with bot.services.db.transaction() as session:
        await alerts.note_back_home(bot.services.alerts.config, session, case_id, bot.clock.now())
    home_at = bot.clock.now().astimezone(bot.services.settings.schedule.tz).strftime("%H:%M")
    for officer in (lan, minh):
        await edited(bot, officer, f"Đã về nhà lúc {home_at}")

    # Resolved by Minh: both copies lose their buttons; Lan's late press is told so.
    await minh.press("✅ Đã giải quyết", next(m for m in minh.messages if m.buttons))
    await minh.wait_for_answer()
    for officer in (lan, minh):
        copy = await edited(bot, officer, "Đã giải quyết bởi Officer 1002")
        assert copy.buttons == []
    await lan.press("al:r:" + str(alert_id), with_button(copies[lan.id], f"al:r:{alert_id}"))
    answer = await lan.wait_for_answer()
    assert answer.params.get("text") == "Cảnh báo này đã được Officer 1002 giải quyết rồi."
    row = await alert_row(bot, alert_id)
    assert row.state == "resolved"
    assert row.open_key is None
    async with bot.services.db.transaction() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.subject_type == "alert", AuditEntry.subject_id == str(alert_id))
                .order_by(AuditEntry.id)
            )
        )
    assert actions == ["alert.open", "alert.acknowledge", "alert.resolved"]


def with_button(message: BotMessage, data: str) -> BotMessage:
    """The message as it was when it still had this button (a replayed or forged press)."""
    markup = {"inline_keyboard": [[{"text": data, "callback_data": data}]]}
    return BotMessage(
        message.chat_id, message.message_id, {**message.message, "reply_markup": markup}
    )


async def test_a_forged_callback_for_another_communes_alert_changes_nothing(bot: Harness) -> None:
    lan = await bot.officer(1001)
    far = await make_case(bot.services.db, bot.clock.now(), commune_code=OTHER_COMMUNE)
    async with bot.services.db.transaction() as session:
        raised = await alerts.raise_alert(
            bot.services.alerts.config,
            session,
            kind=alerts.SOS,
            commune_code=OTHER_COMMUNE,
            now=bot.clock.now(),
            evidence={},
            case_id=far,
        )
    mine = await make_case(bot.services.db, bot.clock.now())
    await raise_(bot, alerts.SOS, mine)
    copy = await lan.wait_for_message()
    for data in (f"al:a:{raised.id}", f"al:r:{raised.id}", "al:a:99999", "al:x:1", "al:a:1:2"):
        await lan.press(data, with_button(copy, data))
        answer = await lan.wait_for_answer()
        assert answer.params.get("text") == "Nút này không dùng được."
    row = await alert_row(bot, raised.id)
    assert row.state == "open"
    assert row.acknowledged_by is None


async def test_sos_nobody_takes_reaches_the_supervisor_after_5_minutes(bot: Harness) -> None:
    lan = await bot.officer(1001)
    boss = await bot.officer(3001, area="Thanh Hóa", role="supervisor")
    case_id = await make_case(bot.services.db, bot.clock.now())
    alert_id = await raise_(bot, alerts.SOS, case_id)
    await lan.wait_for_message()

    bot.clock.advance(timedelta(minutes=4, seconds=59))
    assert await bot.services.alerts.tick() == 0
    bot.clock.advance(timedelta(seconds=1))
    assert await bot.services.alerts.tick() == 1
    escalated = await boss.wait_for_message()
    assert "Chuyển lên tuyến tỉnh (lần 1): chưa ai nhận xử lý" in (escalated.text or "")
    assert "Phường Hạc Thành" in (escalated.text or "")
    await edited(bot, lan, "Đã chuyển lên tuyến tỉnh")

    # The second deadline (3 x 5 minutes) escalates again on the same card; then nothing more.
    bot.clock.advance(timedelta(minutes=10))
    assert await bot.services.alerts.tick() == 1
    again = await edited(bot, boss, "lần 2")
    assert again.message_id == escalated.message_id
    assert again.buttons
    bot.clock.advance(timedelta(hours=1))
    assert await bot.services.alerts.tick() == 0
    # The supervisor can take it from the escalated card, which then says so at the top.
    await boss.press("🙋 Tôi nhận", again)
    await boss.wait_for_answer()
    assert (await alert_row(bot, alert_id)).acknowledged_by is not None
    taken = await edited(bot, boss, "đã có người nhận xử lý")
    assert "chưa ai nhận" not in (taken.text or "")
    await lan.press("✅ Đã giải quyết", next(m for m in lan.messages if m.buttons))
    await lan.wait_for_answer()
    closed = await edited(bot, boss, "(lần 2): đã giải quyết")
    assert closed.buttons == []
    await edited(bot, lan, "Đã giải quyết bởi Officer 1001")

    # One card for the supervisor, one for the officer; no edit repeats what a card shows.
    cards = [
        c
        for c in bot.standin.calls_of("sendMessage")
        if "SOS" in str(c.params.get("text")) and c.chat_id in (lan.chat_id, boss.chat_id)
    ]
    assert len(cards) == 2
    assert {c.chat_id for c in cards} == {lan.chat_id, boss.chat_id}
    assert await repeated_edits(bot, alert_id) == []
    assert not [c for c in bot.standin.calls if "not modified" in (c.description or "")]


async def repeated_edits(harness: Harness, alert_id: int) -> list[int]:
    """Outbox edits of an alert's copies whose text and buttons equal the copy's last ones."""
    async with harness.services.db.transaction() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.ref_id == alert_id, OutboxMessage.purpose.like("alert%"))
                .order_by(OutboxMessage.id)
            )
        )
    shown: dict[int, tuple[Any, Any]] = {}
    repeated = []
    for row in rows:
        content = (wire(row).params.get("text"), wire(row).params.get("reply_markup"))
        if wire(row).method == "sendMessage":
            shown[row.id] = content
        elif wire(row).method == "editMessageText" and row.edit_of_id is not None:
            if shown.get(row.edit_of_id) == content:
                repeated.append(row.id)
            shown[row.edit_of_id] = content
    return repeated


async def test_quiet_hours_hold_a_missed_check_in_but_never_an_sos(bot: Harness) -> None:
    lan = await bot.officer(1001)
    bot.clock.set(datetime(2026, 11, 25, 16, 0, tzinfo=UTC))  # 23:00 in Vietnam
    case_id = await make_case(bot.services.db, bot.clock.now())
    await raise_(bot, alerts.MISSED_CHECKIN, case_id, round="20:00", label="round")
    await raise_(bot, alerts.SOS, case_id)
    first = await lan.wait_for_message()
    assert "SOS" in (first.text or "")
    sender(bot).wake()
    assert not [m for m in lan.messages if "Bỏ lỡ khai báo" in (m.text or "")]
    # Not escalated in the night either: its deadline counts from 06:00.
    bot.clock.advance(timedelta(hours=6, minutes=59))  # 05:59
    await bot.services.alerts.tick()
    sender(bot).wake()
    bot.clock.advance(timedelta(minutes=1))  # 06:00
    sender(bot).wake()
    held = await lan.wait_for_message(lambda m: "Bỏ lỡ khai báo" in (m.text or ""))
    assert "lượt khai báo 20:00" in (held.text or "")


async def test_flood_wait_gateway_error_and_timeout_still_deliver_every_alert_once(
    bot: Harness,
) -> None:
    officers = [await bot.officer(1001 + i) for i in range(3)]
    bot.standin.inject_faults([Fault.too_many(1), Fault.bad_gateway(), Fault.hang(seconds=5)])
    case_id = await make_case(bot.services.db, bot.clock.now())
    await raise_(bot, alerts.DANGER_SIGNS, case_id, signs=["spo2_low"], vitals={"spo2": 93})
    for officer in officers:
        copy = await officer.wait_for_message(timeout=10)
        assert "SpO2 thấp, SpO2 93 %" in (copy.text or "")
    assert bot.standin.count_429 == 1
    for officer in officers:
        got = [
            c
            for c in bot.standin.calls
            if c.method == "sendMessage" and c.chat_id == officer.chat_id and c.ok
        ]
        assert len([c for c in got if "Dấu hiệu nguy hiểm" in (c.params.get("text") or "")]) == 1


async def test_alerts_and_worklist_commands(bot: Harness) -> None:
    lan = await bot.officer(1001)
    quiet = await make_case(bot.services.db, bot.clock.now(), full_name="Lê Văn Cường")
    loud = await make_case(bot.services.db, bot.clock.now(), full_name="Phạm Thị Dung")
    await raise_(bot, alerts.MISSED_CHECKIN, quiet, round="08:00")
    await raise_(bot, alerts.SOS, loud)
    await lan.wait_for_message()
    await lan.wait_for_message()

    await lan.send_text("/alerts")
    assert "Cảnh báo đang mở" in ((await lan.wait_for_message()).text or "")
    first, second = await lan.wait_for_message(), await lan.wait_for_message()
    assert "SOS" in (first.text or "")
    assert "Phạm Thị Dung" in (first.text or "")
    assert "Lê Văn Cường" in (second.text or "")
    assert first.buttons

    await make_case(
        bot.services.db,
        bot.clock.now(),
        status="pending",
        full_name="Đỗ Văn Khước",
        consent_refused_at=bot.clock.now(),
    )
    await make_case(bot.services.db, bot.clock.now(), status="pending", full_name="Vũ Chưa Mở")
    await lan.send_text("/worklist")
    work = await lan.wait_for_message()
    text = work.text or ""
    assert "Việc cần làm hôm nay" in text
    assert text.index("Phạm Thị Dung") < text.index("Lê Văn Cường")
    assert "Chưa xác định nơi cách ly" in text
    # Opened the link and said no: not among those who never opened it.
    refused, unopened = text.index("Từ chối tham gia"), text.index("Chưa tham gia")
    assert refused < text.index("Đỗ Văn Khước") < unopened < text.index("Vũ Chưa Mở")
    assert "☎️ +84912345678" in text


async def test_an_officer_who_blocked_the_bot_is_an_alert_to_supervisors(bot: Harness) -> None:
    lan = await bot.officer(1001)
    boss = await bot.officer(3001, area="Thanh Hóa", role="supervisor")
    lan.block()
    case_id = await make_case(bot.services.db, bot.clock.now())
    await raise_(bot, alerts.SOS, case_id)
    flagged = await boss.wait_for_message()
    assert "Officer 1001" in (flagged.text or "")
    assert "đã chặn bot" in (flagged.text or "")


async def test_low_spo2_alert_shows_the_reading_measured_again(bot: Harness) -> None:
    lan = await bot.officer(1001)
    await make_case(bot.services.db, bot.clock.now(), kind="f0", chat_id=5001)
    person = bot.user(5001)
    await person.send_text("/checkin")
    await person.wait_for_message()
    await person.press("😊 Khoẻ, bình thường")
    await person.wait_for_message()
    await person.press("Không có triệu chứng nào")
    await person.wait_for_message()
    await person.send_text("37,2")
    await person.wait_for_message()
    await person.send_text("95")
    assert "đo lại" in ((await person.wait_for_message()).text or "")
    bot.clock.advance(timedelta(seconds=60))  # the rest after a low first reading
    await person.send_text("94")
    assert "115" in ((await person.wait_for_message()).text or "")

    card = await lan.wait_for_message(lambda m: "Dấu hiệu nguy hiểm" in (m.text or ""))
    # The reading that raised it, after the first; Vietnamese numbers: no "95.0", "37.2".
    assert "SpO2 thấp, nhiệt độ 37,2 °C, SpO2 95 → 94 % (đo lại)" in (card.text or "")


async def test_a_refusal_offers_no_false_alarm(bot: Harness) -> None:
    lan = await bot.officer(1001)
    case_id = await make_case(bot.services.db, bot.clock.now(), status="pending")
    alert_id = await raise_(bot, alerts.CONSENT_REFUSED, case_id)
    card = await lan.wait_for_message()
    assert "Từ chối tham gia" in (card.text or "")
    assert [b["text"] for b in card.buttons] == ["🙋 Tôi nhận", "✅ Đã giải quyết"]
    # A forged false-alarm press is refused and changes nothing.
    forged = f"al:f:{alert_id}"
    await lan.press(forged, with_button(card, forged))
    assert (await lan.wait_for_answer()).params.get("text") == "Nút này không dùng được."
    assert (await alert_row(bot, alert_id)).state == "open"
    await lan.press("🙋 Tôi nhận", card)
    await lan.wait_for_answer()
    taken = await edited(bot, lan, "Officer 1001 đã nhận xử lý")
    assert [b["text"] for b in taken.buttons] == ["✅ Đã giải quyết"]
