"""Due times: local check-in times to UTC occurrences, with a stable spread per case."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.schedule import (
    RoundCalendar,
    next_round,
    occurrences,
    round_times,
    spot_check_times,
    spread_offset,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_local_times_become_utc() -> None:
    after = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # 07:00 in Vietnam
    found = round_times(("08:00", "14:00", "20:00"), VN, after, after + timedelta(days=1))
    assert [f.astimezone(VN).strftime("%d %H:%M") for f in found] == [
        "25 08:00",
        "25 14:00",
        "25 20:00",
    ]
    assert found[0] == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def test_window_is_half_open() -> None:
    at = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 08:00 local
    assert round_times(("08:00",), VN, at, at + timedelta(hours=1)) == []
    assert round_times(("08:00",), VN, at - timedelta(seconds=1), at) == [at]


def test_spread_is_stable_and_within_the_spread() -> None:
    for case_id in range(1, 200):
        offset = spread_offset(case_id, 30)
        assert timedelta(0) <= offset < timedelta(minutes=30)
        assert offset == spread_offset(case_id, 30)
    assert spread_offset(7, 0) == timedelta(0)


def test_a_round_is_flat_not_a_spike() -> None:
    # 10,000 cases numbered one after another: every minute of the spread gets its share.
    minutes = Counter(int(spread_offset(i, 30).total_seconds() // 60) for i in range(1, 10_001))
    assert set(minutes) == set(range(30))
    assert max(minutes.values()) - min(minutes.values()) <= 10  # about 333 a minute each


def test_occurrences_carry_nominal_and_due_time() -> None:
    after = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    found = occurrences(5, ("08:00", "17:00"), VN, after, after + timedelta(hours=12), 30)
    assert [o.kind for o in found] == ["scheduled", "scheduled"]
    for occ in found:
        assert occ.due_at - occ.nominal_at == spread_offset(5, 30)


def test_spot_checks_fall_in_waking_hours_and_repeat_identically() -> None:
    day = date(2026, 11, 25)
    first = spot_check_times(9, day, 3, "07:00", "21:00", VN)
    assert first == spot_check_times(9, day, 3, "07:00", "21:00", VN)
    assert first != spot_check_times(10, day, 3, "07:00", "21:00", VN)
    for at in first:
        local = at.astimezone(VN)
        assert 7 <= local.hour < 21
        assert local.date() == day


def test_spot_checks_are_planned_only_when_asked() -> None:
    after = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # midnight local
    plain = occurrences(3, ("08:00",), VN, after, after + timedelta(days=1), 30)
    spots = occurrences(3, ("08:00",), VN, after, after + timedelta(days=1), 30, spot_checks=2)
    assert [o.kind for o in plain] == ["scheduled"]
    assert Counter(o.kind for o in spots) == {"scheduled": 1, "spot": 2}


def test_next_round_includes_the_offset() -> None:
    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 local
    due = next_round(("08:00", "17:00"), VN, now, 4, 30)
    assert due == datetime(2026, 11, 25, 10, 0, tzinfo=UTC) + spread_offset(4, 30)


def test_a_calendar_gives_each_case_the_rounds_it_would_work_out_itself() -> None:
    times = ("08:00", "14:00", "20:00")
    now = datetime(2026, 11, 25, 3, 17, tzinfo=UTC)
    calendar = RoundCalendar.build(times, VN, now - timedelta(days=1), now + timedelta(days=2))
    windows = [
        (now - timedelta(hours=5), now + timedelta(hours=30)),  # inside the calendar
        (now, now + timedelta(hours=24, minutes=7)),
        # A plan that ended long before (a downtime): outside the calendar, worked out anew.
        (now - timedelta(days=4), now + timedelta(hours=24)),
    ]
    for case_id in (1, 2, 977, 31_415):
        for after, until in windows:
            assert occurrences(case_id, times, VN, after, until, 30, calendar=calendar) == (
                occurrences(case_id, times, VN, after, until, 30)
            )
    assert calendar.between(now - timedelta(days=4), now) is None
