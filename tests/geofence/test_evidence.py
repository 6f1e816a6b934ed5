"""Evidence rules: what is rejected, why, and which catalogue key explains it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from geofence import (
    REJECTION_MESSAGE_KEYS,
    Fix,
    FixKind,
    GeofenceSettings,
    Rejection,
    RejectionReason,
    check_evidence,
)
from tests.geofence.support import HANOI, T0, THANH_HOA, at, fix_near


def check(
    fix: Fix,
    *,
    forwarded: bool = False,
    is_venue: bool = False,
    message_date: datetime | None = None,
    now: datetime | None = None,
    previous: Fix | None = None,
    config: GeofenceSettings | None = None,
) -> Rejection | None:
    return check_evidence(
        fix,
        forwarded=forwarded,
        is_venue=is_venue,
        message_date=fix.taken_at if message_date is None else message_date,
        now=fix.taken_at if now is None else now,
        previous=previous,
        settings=config or GeofenceSettings(),
    )


FIX = Fix(*THANH_HOA, 12.0, T0, FixKind.CURRENT)


def reason(rejection: Rejection | None) -> RejectionReason | None:
    return None if rejection is None else rejection.reason


def test_a_fresh_fix_at_home_is_accepted() -> None:
    assert check(FIX) is None


def test_a_fix_without_accuracy_is_accepted() -> None:
    assert check(Fix(*THANH_HOA, None, T0)) is None


@pytest.mark.parametrize(
    ("kwargs", "expected", "key"),
    [
        ({"forwarded": True}, RejectionReason.FORWARDED, "location.rejected.forwarded"),
        ({"is_venue": True}, RejectionReason.VENUE, "location.rejected.venue"),
        ({"now": at(301)}, RejectionReason.STALE, "location.rejected.stale"),
    ],
)
def test_message_facts_reject_with_their_key(
    kwargs: dict[str, Any], expected: RejectionReason, key: str
) -> None:
    rejection = check(FIX, **kwargs)
    assert rejection is not None
    assert rejection.reason is expected
    assert rejection.message_key == key
    assert key in REJECTION_MESSAGE_KEYS


def test_forwarded_wins_over_other_problems() -> None:
    assert (
        reason(check(FIX, forwarded=True, is_venue=True, now=at(3600))) is RejectionReason.FORWARDED
    )


def test_age_is_counted_from_the_message_date() -> None:
    assert check(FIX, message_date=at(0), now=at(299)) is None
    assert check(FIX, message_date=at(0), now=at(300)) is None
    stale = check(FIX, message_date=at(0), now=at(301))
    assert stale is not None
    assert stale.params == {"age_s": 301.0, "max_age_s": 300.0}
    # An edit of a live location is dated by its edit date, which the caller passes here.
    assert check(FIX, message_date=at(600), now=at(700)) is None


def test_clock_skew_into_the_future_is_not_stale() -> None:
    assert check(FIX, message_date=at(30), now=at(0)) is None


def test_max_age_is_configurable() -> None:
    config = GeofenceSettings(max_fix_age_s=60.0)
    assert reason(check(FIX, now=at(61), config=config)) is RejectionReason.STALE


@pytest.mark.parametrize(
    "place",
    [
        (23.3639, 105.3159),  # Lũng Cú, the northernmost point
        (8.4167, 104.8333),  # Hòn Khoai, off Cà Mau
        (22.40, 102.14),  # A Pa Chải, the westernmost point
        (12.6442, 109.4636),  # Mũi Đôi, the easternmost point of the mainland
        (10.2200, 103.9600),  # Phú Quốc
        (8.6833, 106.6000),  # Côn Đảo
        (20.1320, 107.7270),  # Bạch Long Vĩ
        (8.6450, 111.9200),  # Trường Sa island
        (10.3800, 114.4800),  # Sơn Ca island, Trường Sa
    ],
)
def test_places_in_vietnam_pass_the_country_check(place: tuple[float, float]) -> None:
    assert check(Fix(*place, 10.0, T0)) is None


@pytest.mark.parametrize(
    "place",
    [
        (0.0, 0.0),  # a phone with no fix reporting the null island
        (13.7563, 100.5018),  # Bangkok
        (37.4220, -122.0841),  # an emulator's default location
        (1.3521, 103.8198),  # Singapore
        (25.0330, 121.5654),  # Taipei
    ],
)
def test_places_abroad_are_rejected(place: tuple[float, float]) -> None:
    rejection = check(Fix(*place, 10.0, T0))
    assert rejection is not None
    assert rejection.message_key == "location.rejected.outside_country"


def test_country_box_is_configurable() -> None:
    narrow = GeofenceSettings(min_lat=19.0, max_lat=20.5, min_lon=104.0, max_lon=106.5)
    assert check(FIX, config=narrow) is None
    assert reason(check(Fix(*HANOI, 10.0, T0), config=narrow)) is RejectionReason.OUTSIDE_COUNTRY


def test_hanoi_to_thanh_hoa_in_ten_minutes_is_impossible() -> None:
    previous = Fix(*HANOI, 10.0, at(0), FixKind.LIVE)
    rejection = check(Fix(*THANH_HOA, 10.0, at(600)), previous=previous)
    assert rejection is not None
    assert rejection.reason is RejectionReason.IMPOSSIBLE_JUMP
    assert rejection.message_key == "location.rejected.impossible_jump"
    assert rejection.params["speed_kmh"] == pytest.approx(820, rel=0.05)  # ~137 km in 10 min
    assert rejection.params["max_speed_kmh"] == 200.0


def test_hanoi_to_thanh_hoa_in_two_hours_is_plausible() -> None:
    previous = Fix(*HANOI, 10.0, at(0))
    assert check(Fix(*THANH_HOA, 10.0, at(7200)), previous=previous) is None


def test_jumps_explained_by_accuracy_are_not_impossible() -> None:
    # 1.5 km apart in 10 s, but both fixes only claim to be within 1 km.
    previous = fix_near(THANH_HOA, 0.0, 1000.0, seconds=0)
    current = fix_near(THANH_HOA, 1500.0, 1000.0, seconds=10)
    assert check(current, previous=previous) is None
    sharp_previous = fix_near(THANH_HOA, 0.0, 5.0, seconds=0)
    sharp_current = fix_near(THANH_HOA, 1500.0, 5.0, seconds=10)
    assert reason(check(sharp_current, previous=sharp_previous)) is RejectionReason.IMPOSSIBLE_JUMP


def test_same_second_fixes_and_out_of_order_previous_are_handled() -> None:
    previous = fix_near(THANH_HOA, 0.0, 10.0, seconds=0)
    assert check(fix_near(THANH_HOA, 20.0, 10.0, seconds=0), previous=previous) is None
    later_previous = fix_near(THANH_HOA, 0.0, 10.0, seconds=100)
    far_earlier = fix_near(THANH_HOA, 50_000.0, 10.0, seconds=90)
    assert reason(check(far_earlier, previous=later_previous)) is RejectionReason.IMPOSSIBLE_JUMP


@pytest.mark.parametrize("seconds", [0, 1])
def test_a_better_fix_within_a_second_of_a_vague_one_is_not_a_jump(seconds: int) -> None:
    # The case: 105 m off at +-40 m, then home at +-9 m, stamped 0 or 1 s later;
    # 56 m that no accuracy explains, over a whole-second stamp, would read as 201 km/h.
    vague = fix_near(THANH_HOA, 105.0, 40.0, seconds=0, kind=FixKind.CURRENT)
    better = fix_near(THANH_HOA, 0.0, 9.0, seconds=seconds, kind=FixKind.CURRENT)
    assert check(better, previous=vague) is None


def test_fixes_two_seconds_apart_are_judged_for_speed() -> None:
    previous = fix_near(THANH_HOA, 0.0, 10.0, seconds=0)
    assert reason(check(fix_near(THANH_HOA, 500.0, 10.0, seconds=2), previous=previous)) is (
        RejectionReason.IMPOSSIBLE_JUMP
    )
    patient = GeofenceSettings(min_jump_interval_s=5.0)
    assert check(
        fix_near(THANH_HOA, 500.0, 10.0, seconds=2), previous=previous, config=patient
    ) is (None)


def test_overlapping_accuracy_circles_are_no_movement_however_quick() -> None:
    previous = fix_near(THANH_HOA, 0.0, 60.0, seconds=0)
    overlapping = fix_near(THANH_HOA, 100.0, 50.0, seconds=2)  # 100 m < 60 + 50 m
    assert check(overlapping, previous=previous) is None
    apart = fix_near(THANH_HOA, 400.0, 50.0, seconds=2)  # 290 m unexplained in 2 s
    assert reason(check(apart, previous=previous)) is RejectionReason.IMPOSSIBLE_JUMP


def test_a_non_positive_jump_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="min_jump_interval_s"):
        GeofenceSettings(min_jump_interval_s=0.0)


def test_speed_limit_is_configurable() -> None:
    previous = fix_near(THANH_HOA, 0.0, 10.0, seconds=0)
    bike = fix_near(THANH_HOA, 5_000.0, 10.0, seconds=600)  # ~30 km/h
    assert check(bike, previous=previous) is None
    slow = GeofenceSettings(max_speed_kmh=20.0)
    assert reason(check(bike, previous=previous, config=slow)) is RejectionReason.IMPOSSIBLE_JUMP


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check(FIX, message_date=T0.replace(tzinfo=None))


def test_catalogue_keys_cover_every_reason() -> None:
    assert set(REJECTION_MESSAGE_KEYS) == {
        "location.rejected.forwarded",
        "location.rejected.venue",
        "location.rejected.stale",
        "location.rejected.outside_country",
        "location.rejected.impossible_jump",
    }
    assert {r.message_key for r in RejectionReason} == set(REJECTION_MESSAGE_KEYS)
    assert timedelta(seconds=GeofenceSettings().max_fix_age_s) == timedelta(minutes=5)
