"""End to end through the Bot API stand-in: prompts, the questionnaire, locations, SOS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.models import Alert, LiveStream, OutboxMessage
from geofence import Circle
from standins.telegram import BotMessage, User
from tests.conftest import make_settings
from tests.factories import make_case
from tests.harness import Harness, running_bot

HOME = Circle(19.8076, 105.7764, 50.0)
NEAR_HOME = (19.8077, 105.7765)
EDGE = (19.8082, 105.7764)  # ~67 m north of the centre: neither clearly in nor out
FAR = (19.8176, 105.7764)  # ~1.1 km north


@pytest.fixture
def settings(database_url: str) -> Settings:
    """No spread (round due times) and no background tick: the test ticks by hand."""
    return make_settings(database_url, checkins={"spread_minutes": 0, "tick_seconds": 600})


def local(clock: FakeClock, hhmm: str, day: int = 25) -> None:
    """Set the clock to a local time in Vietnam (UTC+7)."""
    hour, minute = map(int, hhmm.split(":"))
    clock.set(datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=7))


async def tick_at(harness: Harness, hhmm: str, day: int = 25) -> None:
    """Move the clock and run the scheduler's tick."""
    local(harness.clock, hhmm, day)
    await harness.services.checkins.tick()


async def prompted(harness: Harness, user: User, hhmm: str) -> BotMessage:
    """Tick at a round's time and wait for the prompt; tick again so its window opens."""
    await tick_at(harness, hhmm)
    prompt = await user.wait_for_message(lambda m: "khai báo sức khoẻ" in (m.text or ""))
    await wait_sent(harness)
    await harness.services.checkins.tick()
    return prompt


async def wait_sent(harness: Harness) -> None:
    """Wait until the sender has written every outbox row down as sent (or failed)."""
    for _ in range(200):
        async with harness.services.db.transaction() as session:
            waiting = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.state.in_(("pending", "sending")))
            )
        if not waiting:
            return
        await harness.standin.wait_for_poll()
        await _yield()
    raise AssertionError("the outbox was not drained")


async def _yield() -> None:
    import asyncio

    await asyncio.sleep(0.05)  # real time for the sender's HTTP calls, not the FakeClock


async def alert_kinds(db: Database) -> list[str]:
    """Every alert's kind, oldest first."""
    async with db.transaction() as session:
        return list(await session.scalars(select(Alert.kind).order_by(Alert.id)))


async def answer_questionnaire(user: User, *, f0: bool) -> None:
    """Press and type through the questionnaire up to the location question."""
    await user.press("😊 Khoẻ, bình thường")
    assert "triệu chứng" in ((await user.wait_for_message()).text or "")
    await user.press("Không có triệu chứng nào")
    assert "Nhiệt độ" in ((await user.wait_for_message()).text or "")
    await user.send_text("37,5")
    if f0:
        assert "SpO2" in ((await user.wait_for_message()).text or "")
        await user.send_text("98")
        assert "thở" in ((await user.wait_for_message()).text or "")
        await user.send_text("16")
        assert "Mạch" in ((await user.wait_for_message()).text or "")
        await user.send_text("80")
    ask = await user.wait_for_message()
    assert "vị trí" in (ask.text or "")
    assert ask.reply_markup is not None
    assert ask.reply_markup["keyboard"][0][0]["request_location"] is True


async def test_a_full_day_of_an_f0_case(harness: Harness) -> None:
    clock, db = harness.clock, harness.services.db
    officer = await harness.officer(9001)
    local(clock, "07:00")
    case_id = await make_case(db, clock.now(), kind="f0", chat_id=3001, zone=HOME.to_dict())
    lan = harness.user(3001, first_name="Lan")
    await harness.services.checkins.tick()

    # 08:00: answered at once, location at home.
    prompt = await prompted(harness, lan, "08:00")
    assert "Nguyễn Văn An" in (prompt.text or "")
    await answer_questionnaire(lan, f0=True)
    await lan.send_location(*NEAR_HOME, horizontal_accuracy=12)
    done = await lan.wait_for_message()
    assert "đang ở nhà" in (done.text or "")
    assert "Cảm ơn" in (done.text or "")

    # 14:00: answered only after the reminder: late.
    await prompted(harness, lan, "14:00")
    await tick_at(harness, "15:00")
    reminder = await lan.wait_for_message()
    assert "Nhắc lại" in (reminder.text or "")
    await lan.press("😐 Hơi mệt", reminder)
    await lan.wait_for_message()

    # 20:00: nothing: missed at 22:00. That is quiet hours, so the officer is told at 06:00.
    await prompted(harness, lan, "20:00")
    await tick_at(harness, "21:00")
    await tick_at(harness, "22:00")
    outcomes = [c.outcome for c in await harness.services.checkins.checkins_of(case_id)][:3]
    assert outcomes == ["on_time", "late", "missed"]
    assert await alert_kinds(db) == ["missed_checkin"]
    local(clock, "06:00", day=26)
    alert = await officer.wait_for_message(lambda m: "Bỏ lỡ" in (m.text or ""))
    assert "Nguyễn Văn An" in (alert.text or "")


async def test_danger_sign_alerts_before_the_questionnaire_ends(harness: Harness) -> None:
    clock, db = harness.clock, harness.services.db
    officer = await harness.officer(9002)
    local(clock, "07:00")
    await make_case(db, clock.now(), kind="f0", chat_id=3002, zone=HOME.to_dict())
    user = harness.user(3002)
    await user.send_text("/checkin")
    await user.wait_for_message()
    await user.press("😣 Mệt nhiều")
    await user.wait_for_message()
    await user.press("Đau tức ngực")
    warning = await user.wait_for_message()
    assert "115" in (warning.text or "")
    assert "đau tức ngực" in (warning.text or "")
    urgent = await officer.wait_for_message(lambda m: "Dấu hiệu nguy hiểm" in (m.text or ""))
    assert urgent is not None
    assert await alert_kinds(db) == ["danger_signs"]
    # The questionnaire goes on where it was.
    await user.press("Xong ✅")
    assert "Nhiệt độ" in ((await user.wait_for_message()).text or "")


async def test_a_symptom_is_ticked_on_its_own_message(harness: Harness) -> None:
    local(harness.clock, "07:00")
    await make_case(harness.services.db, harness.clock.now(), kind="f1", chat_id=3009)
    user = harness.user(3009)
    await user.send_text("/checkin")
    await user.wait_for_message()
    await user.press("😊 Khoẻ, bình thường")
    question = await user.wait_for_message()
    asked = question.text
    await user.press("Ho", question)
    await harness.standin.wait_for_call("editMessageText")
    assert question.text == asked
    assert "✅ Ho" in [b["text"] for b in question.buttons]
    # Pressed again, the tick goes; the question stays the same message.
    await user.press("✅ Ho", question)
    await harness.standin.wait_for_call(
        "editMessageText", lambda c: "✅ Ho" not in str(c.params.get("reply_markup"))
    )
    assert question.text == asked
    assert "Ho" in [b["text"] for b in question.buttons]


async def _to_spo2(user: User) -> None:
    """From /checkin up to the SpO2 question of an F0 case."""
    await user.send_text("/checkin")
    await user.wait_for_message()
    await user.press("😊 Khoẻ, bình thường")
    await user.wait_for_message()
    await user.press("Không có triệu chứng nào")
    await user.wait_for_message()
    await user.send_text("abc")
    assert "Xin chỉ gõ con số" in ((await user.wait_for_message()).text or "")
    await user.send_text("37.2")
    await user.wait_for_message()


@pytest.mark.parametrize(("second", "alerted"), [("94", True), ("97", False)])
async def test_low_spo2_is_measured_again_after_a_rest(
    harness: Harness, second: str, alerted: bool
) -> None:
    clock, db = harness.clock, harness.services.db
    local(clock, "07:00")
    case_id = await make_case(db, clock.now(), kind="f0", chat_id=3003)
    user = harness.user(3003)
    await _to_spo2(user)
    await user.send_text("95")
    rest = (await user.wait_for_message()).text or ""
    assert "nghỉ 60 giây" in rest
    assert await alert_kinds(db) == []

    # Typed in the same breath, and again 45 s on: not a second reading.
    await user.send_text(second)
    assert "thêm 60 giây" in ((await user.wait_for_message()).text or "")
    clock.advance(timedelta(seconds=45))
    await harness.services.checkins.tick()
    await user.send_text(second)
    soon = (await user.wait_for_message()).text or ""
    assert "thêm 15 giây" in soon
    assert "(95)" in soon
    (row,) = [c for c in await harness.services.checkins.checkins_of(case_id) if c.answered_at]
    assert (row.step, row.vitals["spo2"], "spo2_again" in row.vitals) == ("spo2_again", 95, False)
    assert await alert_kinds(db) == []

    # At 60 s the tick asks for the new number, once.
    clock.advance(timedelta(seconds=15))
    await harness.services.checkins.tick()
    asked = await user.wait_for_message(lambda m: "đo lại" in (m.text or ""))
    assert "Bây giờ" in (asked.text or "")
    await wait_sent(harness)
    await harness.services.checkins.tick()
    await user.send_text(second)
    reply = await user.wait_for_message()
    if alerted:
        assert "115" in (reply.text or "")
        assert "ô-xy trong máu (SpO2) thấp" in (reply.text or "")
        assert await alert_kinds(db) == ["danger_signs"]
    else:
        assert "thở" in (reply.text or "")
        assert await alert_kinds(db) == []
    (row,) = [c for c in await harness.services.checkins.checkins_of(case_id) if c.answered_at]
    assert (row.vitals["spo2"], row.vitals["spo2_again"]) == (95, float(second))
    asks = [m for m in user.messages if "Bây giờ" in (m.text or "")]
    assert len(asks) == 1


async def test_the_spo2_rest_survives_a_restart(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    local(clock, "07:00")
    await make_case(db, clock.now(), kind="f0", chat_id=3010)
    async with running_bot(settings, db, clock) as first:
        user = first.user(3010)
        await _to_spo2(user)
        await user.send_text("94")
        assert "giây" in ((await user.wait_for_message()).text or "")
    clock.advance(timedelta(seconds=61))
    async with running_bot(settings, db, clock) as second:
        user = second.user(3010)
        await second.services.checkins.tick()
        asked = await user.wait_for_message(lambda m: "đo lại" in (m.text or ""))
        assert "94" in (asked.text or "")
        await user.send_text("93")
        assert "115" in ((await user.wait_for_message()).text or "")
        assert await alert_kinds(db) == ["danger_signs"]


async def test_outside_fix_alerts_and_uncertain_asks_again(harness: Harness) -> None:
    clock, db = harness.clock, harness.services.db
    local(clock, "07:00")
    await make_case(db, clock.now(), kind="f1", chat_id=3004, zone=HOME.to_dict())
    user = harness.user(3004)
    await user.send_text("/checkin")
    await user.wait_for_message()
    await answer_questionnaire(user, f0=False)
    await user.send_location(*EDGE, horizontal_accuracy=5)
    again = await user.wait_for_message()
    assert "chưa đủ rõ" in (again.text or "")
    assert await alert_kinds(db) == []
    clock.advance(timedelta(minutes=20))
    await user.send_location(*FAR, horizontal_accuracy=10)
    outside = await user.wait_for_message()
    assert "ngoài nơi cách ly" in (outside.text or "")
    assert await alert_kinds(db) == ["out_of_zone"]


async def test_forwarded_location_is_refused_with_a_reason(harness: Harness) -> None:
    local(harness.clock, "07:00")
    await make_case(harness.services.db, harness.clock.now(), chat_id=3005, zone=HOME.to_dict())
    user = harness.user(3005)
    await user.send_location(*NEAR_HOME, horizontal_accuracy=10, forward=True)
    assert "chuyển tiếp" in ((await user.wait_for_message()).text or "")
    await user.send_venue(*NEAR_HOME, title="Chợ", address="Lê Lợi")
    assert "địa điểm" in ((await user.wait_for_message()).text or "")


async def test_live_location_drift_for_one_fix_raises_nothing(harness: Harness) -> None:
    clock, db = harness.clock, harness.services.db
    local(clock, "07:00")
    await make_case(db, clock.now(), kind="f1", chat_id=3006, zone=HOME.to_dict())
    user = harness.user(3006)
    start = clock.now()
    message_id = await user.send_location(*NEAR_HOME, horizontal_accuracy=10, live_period=900)
    assert "đang ở nhà" in ((await user.wait_for_message()).text or "")
    for seconds, point in ((30, FAR), (60, NEAR_HOME), (90, NEAR_HOME)):
        clock.set(start + timedelta(seconds=seconds))
        await user.edit_live_location(message_id, *point, horizontal_accuracy=10)
    await stream_reached(db, start + timedelta(seconds=90))
    assert await alert_kinds(db) == []
    # Staying out past the hysteresis does raise it.
    for seconds in (120, 250, 400):
        clock.set(start + timedelta(seconds=seconds))
        await user.edit_live_location(message_id, *FAR, horizontal_accuracy=10)
    await stream_reached(db, start + timedelta(seconds=400))
    assert await alert_kinds(db) == ["out_of_zone"]


async def stream_reached(db: Database, taken_at: datetime) -> None:
    """Wait until the bot has handled the live-location edit taken at `taken_at`."""
    for _ in range(100):
        async with db.transaction() as session:
            last = await session.scalar(select(func.max(LiveStream.last_fix_at)))
        if last is not None and last >= taken_at:
            return
        await _yield()
    raise AssertionError("the live-location edits were not handled")


async def test_old_button_after_close_is_answered_kindly(harness: Harness) -> None:
    clock, db = harness.clock, harness.services.db
    local(clock, "07:00")
    case_id = await make_case(db, clock.now(), kind="f1", chat_id=3007)
    user = harness.user(3007)
    await harness.services.checkins.tick()
    prompt = await prompted(harness, user, "08:00")
    await tick_at(harness, "09:00")
    await tick_at(harness, "10:01")
    await user.press("😊 Khoẻ, bình thường", prompt)
    answer = await user.wait_for_answer()
    assert "đã kết thúc" in str(answer.params.get("text"))
    rows = await harness.services.checkins.checkins_of(case_id)
    assert rows[0].outcome == "missed"
    assert rows[0].answers == {}


async def test_sos_alerts_and_says_call_115(harness: Harness) -> None:
    officer = await harness.officer(9003)
    local(harness.clock, "07:00")
    await make_case(harness.services.db, harness.clock.now(), chat_id=3008, full_name="Bà Hoa")
    user = harness.user(3008)
    await user.send_text("/sos")
    answer = await user.wait_for_message()
    assert "115" in (answer.text or "")
    assert "Bà Hoa" in (answer.text or "")
    sos = await officer.wait_for_message(lambda m: "SOS" in (m.text or ""))
    assert "Bà Hoa" in (sos.text or "")
    stranger = harness.user(3999)
    await stranger.send_text("/sos")
    assert "chưa được đăng ký" in ((await stranger.wait_for_message()).text or "")


async def test_a_feeling_typed_before_any_press_answers_the_prompt(harness: Harness) -> None:
    local(harness.clock, "07:00")
    db = harness.services.db
    await make_case(db, harness.clock.now(), kind="f1", chat_id=3012, zone=HOME.to_dict())
    user = harness.user(3012)
    await harness.services.checkins.tick()
    await prompted(harness, user, "08:00")
    # Not a button's label: not taken as an answer.
    await user.send_text("xin chào")
    assert "chưa hiểu" in ((await user.wait_for_message()).text or "")
    # Typed on a cheap phone without accents: taken as the press, and the questionnaire goes on.
    await user.send_text("hoi met")
    question = await user.wait_for_message()
    assert "triệu chứng" in (question.text or "")
    await user.press("Không có triệu chứng nào", question)
    assert "Nhiệt độ" in ((await user.wait_for_message()).text or "")


async def test_a_feeling_typed_in_a_household_chat_is_not_guessed(harness: Harness) -> None:
    local(harness.clock, "07:00")
    db = harness.services.db
    await make_case(db, harness.clock.now(), kind="f1", chat_id=3013, full_name="Bà Hoa")
    await make_case(db, harness.clock.now(), kind="f1", chat_id=3013, full_name="Ông Tư")
    user = harness.user(3013)
    await harness.services.checkins.tick()
    await tick_at(harness, "08:00")
    for _ in range(2):
        await user.wait_for_message(lambda m: "khai báo sức khoẻ" in (m.text or ""))
    await wait_sent(harness)
    await harness.services.checkins.tick()
    await user.send_text("Khoẻ, bình thường")
    assert "chưa hiểu" in ((await user.wait_for_message()).text or "")
    assert await harness.services.dialogues.current(3013) is None


async def test_two_people_on_one_phone_are_named(harness: Harness) -> None:
    local(harness.clock, "07:00")
    db = harness.services.db
    await make_case(db, harness.clock.now(), chat_id=3009, full_name="Bà Hoa")
    await make_case(db, harness.clock.now(), chat_id=3009, full_name="Ông Tư")
    user = harness.user(3009)
    await user.send_text("/checkin")
    pick = await user.wait_for_message()
    assert [b["text"] for b in pick.buttons] == ["Bà Hoa", "Ông Tư"]
    await user.press("Ông Tư")
    question = await user.wait_for_message()
    assert "Ông Tư" in (question.text or "")


async def test_a_restart_during_a_round_sends_every_prompt_once(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    local(clock, "07:00")
    chats = list(range(4000, 4040))
    for chat in chats:
        await make_case(db, clock.now(), kind="f1", chat_id=chat)
    received: dict[int, int] = {}
    async with running_bot(settings, db, clock) as first:
        for chat in chats:
            first.user(chat)
        await first.services.checkins.tick()
        local(clock, "08:00")
        await first.services.checkins.tick()
        # Stopped while the round is going out.
        await first.standin.wait_for_call("sendMessage", lambda c: c.chat_id in chats)
    # Counted once stopped: calls open at the stop finish (and are recorded) first.
    for call in first.standin.calls_of("sendMessage"):
        if call.ok and call.chat_id in chats:
            received[call.chat_id] = received.get(call.chat_id, 0) + 1
    async with running_bot(settings, db, clock) as second:
        for chat in chats:
            second.user(chat)
        await second.services.checkins.tick()
        await wait_sent(second)
        await second.services.checkins.tick()
        for call in second.standin.calls_of("sendMessage"):
            if call.ok and call.chat_id in chats:
                received[call.chat_id] = received.get(call.chat_id, 0) + 1
    assert received == dict.fromkeys(chats, 1)
