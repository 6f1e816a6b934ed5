"""Alert rules without Telegram: quiet hours, the daily digest, the worklist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from bot import alerts
from bot.clock import FakeClock
from bot.config import Settings
from bot.models import Alert, Checkin, OutboxMessage
from bot.services import Services
from tests.factories import HAC_THANH, make_case
from tests.outbox import wire

HOME = {"type": "circle", "lat": 19.8075, "lon": 105.7764, "radius_m": 50}


def at_local(hour: int, minute: int = 0) -> datetime:
    """25 November 2026 at a Vietnamese local time, in UTC."""
    return datetime(2026, 11, 25, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def test_quiet_hours_hold_only_the_non_urgent_kinds() -> None:
    config = alerts.AlertConfig.from_settings(Settings())
    late = at_local(23, 5)
    six = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)  # 06:00 on the 26th, local
    assert alerts.hold_until(config, alerts.MISSED_CHECKIN, late) == six
    assert alerts.hold_until(config, alerts.HOME_NOT_SET, at_local(2)) == at_local(6)
    for kind in (alerts.SOS, alerts.DANGER_SIGNS, alerts.OUT_OF_ZONE):
        assert alerts.hold_until(config, kind, late) == late
    assert alerts.hold_until(config, alerts.MISSED_CHECKIN, at_local(21, 59)) == at_local(21, 59)
    assert alerts.hold_until(config, alerts.MISSED_CHECKIN, at_local(6)) == at_local(6)


async def officer(services: Services, user_id: int, area: str, role: str = "officer") -> None:
    issued = await services.officers.invite(role, area, "cachly_test_bot")
    await services.officers.redeem(issued.link.split("start=")[1], user_id, f"Cán bộ {user_id}")


async def test_daily_digest_once_a_day_with_its_chart(services: Services, clock: FakeClock) -> None:
    await officer(services, 1001, "hac thanh")
    await officer(services, 3001, "Thanh Hóa", role="supervisor")
    clock.set(at_local(8))
    cases = [await make_case(services.db, clock.now(), kind=k) for k in ("f0", "f1", "f1")]
    async with services.db.transaction() as session:
        for case_id, outcome in zip(cases, ("on_time", "late", "missed"), strict=True):
            session.add(
                Checkin(
                    case_id=case_id,
                    kind="scheduled",
                    nominal_at=clock.now(),
                    due_at=clock.now(),
                    state="closed",
                    outcome=outcome,
                    created_at=clock.now(),
                )
            )
        await alerts.raise_alert(
            services.alerts.config,
            session,
            kind=alerts.SOS,
            commune_code=HAC_THANH,
            now=clock.now(),
            evidence={},
            case_id=cases[0],
        )

    clock.set(at_local(18, 59))
    assert await services.digests.tick() is False
    clock.set(at_local(19))
    assert await services.digests.tick() is True
    assert await services.digests.tick() is False  # once a day
    async with services.db.transaction() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.purpose.in_(("digest", "digest_chart")))
            )
        )
    calls = [(row.chat_id, wire(row)) for row in rows]
    texts = {chat: call.params["text"] for chat, call in calls if call.method == "sendMessage"}
    charts = {chat: call.params for chat, call in calls if call.method == "sendPhoto"}
    assert set(texts) == set(charts) == {1001, 3001}
    assert "Đang cách ly: <b>3</b> (F0: 1, F1: 2, khác: 0)" in texts[1001]
    assert "đúng giờ 1, muộn 1, bỏ lỡ 1 (<b>33%</b> đúng giờ)" in texts[1001]
    assert "Cảnh báo đang mở: SOS 1" in texts[1001]
    assert "• Phường Hạc Thành: 3 người, bỏ lỡ 33%, 1 cảnh báo mở" in texts[3001]
    assert charts[1001]["photo"].startswith(b"\x89PNG")


async def test_worklist_orders_alerts_first(services: Services, clock: FakeClock) -> None:
    await officer(services, 1001, "hac thanh")
    sos = await make_case(services.db, clock.now(), full_name="Ca Khẩn")
    await make_case(services.db, clock.now(), status="pending", full_name="Chưa Vào")
    async with services.db.transaction() as session:
        await alerts.raise_alert(
            services.alerts.config,
            session,
            kind=alerts.SOS,
            commune_code=HAC_THANH,
            now=clock.now(),
            evidence={},
            case_id=sos,
        )
    work = await services.digests.worklist(1001)
    assert list(work.sections) == ["alerts", "not_enrolled", "home_not_set"]
    assert work.sections["alerts"][0].name == "Ca Khẩn"
    assert work.sections["alerts"][0].kind == "sos"
    assert work.sections["not_enrolled"][0].name == "Chưa Vào"


def test_numbers_read_as_officers_write_them() -> None:
    assert alerts.number("vi", 37.2) == "37,2"
    assert alerts.number("en", 37.2) == "37.2"
    assert alerts.number("vi", 95.0) == "95"
    assert alerts.number("vi", 20) == "20"
    assert alerts.number("vi", 36.55) == "36,55"
    assert alerts.number("vi", "?") == "?"


async def test_quiet_hours_hold_escalation_of_non_urgent_kinds(
    services: Services, clock: FakeClock
) -> None:
    await officer(services, 3001, "Thanh Hóa", role="supervisor")
    # Raised before the quiet hours (so delivered at once); their deadlines fall in the night:
    # 240 minutes after 19:00, 60 minutes after 21:30.
    raised_at = {
        alerts.CONSENT_REFUSED: at_local(19),
        alerts.HOME_NOT_SET: at_local(19),
        alerts.CITIZEN_REPORT: at_local(19),
        alerts.MISSED_CHECKIN: at_local(21, 30),
        alerts.SOS: at_local(23),
    }
    ids = {}
    for kind, when in raised_at.items():
        clock.set(when)
        case_id = await make_case(services.db, when, zone=HOME)
        async with services.db.transaction() as session:
            raised = await alerts.raise_alert(
                services.alerts.config,
                session,
                kind=kind,
                commune_code=HAC_THANH,
                now=when,
                evidence={},
                case_id=case_id,
            )
            ids[kind] = raised.id

    async def levels() -> dict[str, int]:
        async with services.db.transaction() as session:
            rows = await session.execute(select(Alert.kind, Alert.escalation_level))
            return {kind: level for kind, level in rows.all()}

    clock.set(at_local(23, 5))
    await services.alerts.tick()
    assert (await levels())[alerts.SOS] == 1  # sos never waits
    clock.set(at_local(5, 59) + timedelta(days=1))
    await services.alerts.tick()
    assert await levels() == {**dict.fromkeys(ids, 0), alerts.SOS: 2}
    clock.advance(timedelta(minutes=1))  # 06:00: the quiet hours end
    await services.alerts.tick()
    assert await levels() == {**dict.fromkeys(ids, 1), alerts.SOS: 2}


async def test_english_card_wording_and_numbers(services: Services, clock: FakeClock) -> None:
    case_id = await make_case(services.db, clock.now(), kind="f0")
    async with services.db.transaction() as session:
        raised = await alerts.raise_alert(
            services.alerts.config,
            session,
            kind=alerts.DANGER_SIGNS,
            commune_code=HAC_THANH,
            now=clock.now(),
            evidence={
                "signs": ["spo2_low"],
                "vitals": {"temperature": 37.2, "spo2": 95.0, "spo2_again": 94.0, "breaths": 20.0},
            },
            case_id=case_id,
        )
        alert = await session.get(Alert, raised.id)
        assert alert is not None
        english = await alerts.render(
            session, alert, "en", None, clock.now(), services.alerts.config.tz
        )
        vietnamese = await alerts.render(
            session, alert, "vi", None, clock.now(), services.alerts.config.tz
        )
    assert (
        "low SpO2, temperature 37.2 °C, SpO2 95 → 94% (re-measured), 20 breaths/min" in english.text
    )
    assert (
        "SpO2 thấp, nhiệt độ 37,2 °C, SpO2 95 → 94 % (đo lại), thở 20 lần/phút" in vietnamese.text
    )
    assert "+84912345678" in english.text

    outside = await make_case(services.db, clock.now(), zone=HOME)
    async with services.db.transaction() as session:
        raised = await alerts.raise_alert(
            services.alerts.config,
            session,
            kind=alerts.OUT_OF_ZONE,
            commune_code=HAC_THANH,
            now=clock.now(),
            evidence={"distance_m": 249, "accuracy_m": 10, "weak": False},
            case_id=outside,
        )
        alert = await session.get(Alert, raised.id)
        assert alert is not None
        card = await alerts.render(
            session, alert, "en", None, clock.now(), services.alerts.config.tz
        )
    assert "249 m outside the isolation zone (accuracy ±10 m)" in card.text


async def test_a_copy_queued_before_channel_free_content_is_edited_only_when_it_changes(
    services: Services, clock: FakeClock
) -> None:
    await officer(services, 1001, "hac thanh")
    config = services.alerts.config
    case_id = await make_case(services.db, clock.now())
    async with services.db.transaction() as session:
        raised = await alerts.raise_alert(
            config,
            session,
            kind=alerts.SOS,
            commune_code=HAC_THANH,
            now=clock.now(),
            evidence={},
            case_id=case_id,
        )
        (copy,) = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.purpose == "alert")
        )
        # The copy as an older release queued it: the Bot API call itself.
        call = wire(copy)
        copy.kind, copy.body = "telegram_call", {"method": call.method, "params": call.params}

    async def edits() -> int:
        async with services.db.transaction() as session:
            alert = await session.get(Alert, raised.id)
            assert alert is not None
            await alerts.refresh_copies(config, session, alert, clock.now())
            rows = await session.scalars(
                select(OutboxMessage).where(OutboxMessage.edit_of_id == copy.id)
            )
            return len(list(rows))

    assert await edits() == 0  # the same text and buttons: no edit Telegram would refuse
    async with services.db.transaction() as session:
        alert = await session.get(Alert, raised.id)
        assert alert is not None
        alert.state = alerts.RESOLVED
    assert await edits() == 1
    async with services.db.transaction() as session:
        await session.execute(delete(OutboxMessage).where(OutboxMessage.edit_of_id == copy.id))
        stored = await session.get(OutboxMessage, copy.id)
        assert stored is not None
        stored.body = {}  # purged by retention: what it shows is unknown
    assert await edits() == 1
