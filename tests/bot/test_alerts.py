"""Alert rules without Telegram: quiet hours, the daily digest, the worklist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot import alerts
from bot.clock import FakeClock
from bot.models import Checkin, OutboxMessage
from bot.services import Services
from tests.factories import HAC_THANH, make_case


def at_local(hour: int, minute: int = 0) -> datetime:
    """25 November 2026 at a Vietnamese local time, in UTC."""
    return datetime(2026, 11, 25, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def test_quiet_hours_hold_only_the_non_urgent_kinds() -> None:
    late = at_local(23, 5)
    six = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)  # 06:00 on the 26th, local
    assert alerts.hold_until(alerts.MISSED_CHECKIN, late) == six
    assert alerts.hold_until(alerts.HOME_NOT_SET, at_local(2)) == at_local(6)
    for kind in (alerts.SOS, alerts.DANGER_SIGNS, alerts.OUT_OF_ZONE):
        assert alerts.hold_until(kind, late) == late
    assert alerts.hold_until(alerts.MISSED_CHECKIN, at_local(21, 59)) == at_local(21, 59)
    assert alerts.hold_until(alerts.MISSED_CHECKIN, at_local(6)) == at_local(6)


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
    texts = {row.chat_id: row.params["text"] for row in rows if row.method == "sendMessage"}
    charts = {row.chat_id: row.params for row in rows if row.method == "sendPhoto"}
    assert set(texts) == set(charts) == {1001, 3001}
    assert "Đang cách ly: <b>3</b> (F0: 1, F1: 2, khác: 0)" in texts[1001]
    assert "đúng giờ 1, muộn 1, bỏ lỡ 1 (<b>33%</b> đúng giờ)" in texts[1001]
    assert "Cảnh báo đang mở: SOS 1" in texts[1001]
    assert "• Phường Hạc Thành: 3 người, bỏ lỡ 33%, 1 cảnh báo mở" in texts[3001]
    assert charts[1001]["photo"].startswith("b64:iVBOR")  # a PNG


async def test_worklist_orders_alerts_first(services: Services, clock: FakeClock) -> None:
    await officer(services, 1001, "hac thanh")
    sos = await make_case(services.db, clock.now(), full_name="Ca Khẩn")
    await make_case(services.db, clock.now(), status="pending", full_name="Chưa Vào")
    async with services.db.transaction() as session:
        await alerts.raise_alert(
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
