"""The officer's card of one case: what is marked, what is left out (pure rendering)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.cases.card import case_card
from bot.cases.values import CaseStatus, CaseView, CheckinAnswers, HomeStatus, OpenAlert

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam


def _case(**changes: object) -> CaseView:
    values: dict[str, object] = {
        "id": 1,
        "code": "K7M3QX",
        "full_name": "Lê Thị <Mai>",
        "phone": "+84912345678",
        "birth_year": 1950,
        "address": "3 Lê Lai",
        "commune_code": 1,
        "commune_name": "Phường Hạc Thành",
        "kind": "f1",
        "source_code": None,
        "start_date": date(2026, 11, 20),
        "end_date": date(2026, 11, 27),
        "status": CaseStatus.ACTIVE,
        "home_status": HomeStatus.SET,
        "zone": None,
        "enrolled": True,
        "enrol_overdue": False,
        "consent_refused": False,
        "day": 6,
        "total_days": 7,
        "last_checkin_at": AT,
        "last_location_at": AT,
        "last_verdict": "outside",
        "last_distance_m": 812.4,
        **changes,
    }
    return CaseView(**values)  # type: ignore[arg-type]


def _answers(vitals: dict[str, float | None], signs: tuple[str, ...] = ()) -> CheckinAnswers:
    return CheckinAnswers(AT, "bad", (), vitals, signs)


def test_a_slow_pulse_is_marked_and_skipped_readings_are_left_out() -> None:
    latest = _answers({"temperature": None, "pulse": 45.0}, ("pulse_low",))
    card = case_card("vi", _case(recent=(latest,)), TZ).text
    assert "😣 Mệt nhiều · Triệu chứng: không có\nmạch 45/phút ⚠️\n" in card
    assert "nhiệt độ" not in card
    assert "📈" not in card  # one check-in is no trend
    assert "Lê Thị &lt;Mai&gt;" in card  # names are escaped


def test_a_location_without_accuracy_and_the_alerts_in_english() -> None:
    older = _answers({"temperature": 38.9})
    latest = _answers({"temperature": 39.4}, ("fever_high",))
    alerts = (
        OpenAlert("out_of_zone", "acknowledged", AT),
        OpenAlert("missed_checkin", "open", AT - timedelta(days=1)),
    )
    case = _case(recent=(older, latest), open_alerts=alerts, last_accuracy_m=None)
    card = case_card("en", case, TZ).text
    assert "temperature 39.4 °C ⚠️" in card
    assert "📈 Temperature: 38.9 → 39.4" in card
    assert "📍 Last location: Outside (812 m), 08:00 25/11" in card
    assert "🔔 Open alerts: 2\n• 📍 <b>Left the isolation place</b> – taken, 08:00 25/11" in card
    assert "• ⏰ <b>Missed check-in</b> – nobody has taken it, 08:00 24/11" in card
