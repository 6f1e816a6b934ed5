"""Live-location streams: hysteresis, ordering, and state that survives a round trip."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from geofence import (
    DEFAULT_SETTINGS,
    Circle,
    Fix,
    GeofenceSettings,
    StreamEvent,
    StreamUpdate,
    TrackerState,
    advance,
    judge,
)
from tests.geofence.support import THANH_HOA, fix_near

ZONE = Circle(*THANH_HOA, 50.0)


def feed(
    fixes: list[Fix], config: GeofenceSettings = DEFAULT_SETTINGS
) -> tuple[list[StreamEvent], TrackerState]:
    """Feed fixes one by one, storing the state as JSON in between like the caller does."""
    stored = json.dumps(TrackerState().to_dict())
    events = []
    for fix in fixes:
        update = advance(
            TrackerState.from_dict(json.loads(stored)), fix, judge(ZONE, fix, config), config
        )
        events.append(update.event)
        stored = json.dumps(update.state.to_dict())
    return events, TrackerState.from_dict(json.loads(stored))


def home(seconds: float) -> Fix:
    return fix_near(THANH_HOA, 10.0, 15.0, seconds=seconds)


def away(seconds: float, metres: float = 300.0) -> Fix:
    return fix_near(THANH_HOA, metres, 15.0, seconds=seconds)


def vague(seconds: float) -> Fix:
    return fix_near(THANH_HOA, 120.0, 60.0, seconds=seconds)  # uncertain


def test_one_drifting_fix_raises_no_breach() -> None:
    events, state = feed([home(0), away(60), home(120), home(400), home(700)])
    assert StreamEvent.BREACH not in events
    assert not state.breached
    assert state.outside_fixes == 0


def test_drift_out_then_uncertain_then_home_raises_no_breach() -> None:
    events, _ = feed([home(0), away(60), vague(300), vague(600), home(900)])
    assert set(events) == {StreamEvent.NONE}


def test_staying_300_m_away_for_five_minutes_breaches_once() -> None:
    fixes = [home(0)] + [away(60 + 60 * i) for i in range(6)]  # outside from 60 s to 360 s
    events, state = feed(fixes)
    # The run starts at 60 s; 3 minutes later, at 240 s (the 4th outside fix), it is a breach.
    assert events == [StreamEvent.NONE] * 4 + [StreamEvent.BREACH] + [StreamEvent.NONE] * 2
    assert state.breached
    assert state.breached_at == fixes[4].taken_at
    assert state.outside_fixes == 6


def test_first_inside_after_breach_is_returned_and_clears() -> None:
    fixes = [away(0), away(200), away(260), home(400), home(460)]
    events, state = feed(fixes)
    assert events == [
        StreamEvent.NONE,
        StreamEvent.BREACH,
        StreamEvent.NONE,
        StreamEvent.RETURNED,
        StreamEvent.NONE,
    ]
    assert state == TrackerState(last_taken_at=fixes[-1].taken_at)


def test_a_new_breach_can_follow_a_return() -> None:
    events, _ = feed([away(0), away(200), home(300), away(400), away(500), away(600)])
    assert events.count(StreamEvent.BREACH) == 2
    assert events.count(StreamEvent.RETURNED) == 1


def test_time_alone_is_not_enough() -> None:
    # One outside fix, then only uncertain ones for ten minutes: a single fix never breaches.
    events, state = feed([away(0), vague(300), vague(600)])
    assert StreamEvent.BREACH not in events
    assert state.outside_fixes == 1


def test_fix_count_alone_is_not_enough() -> None:
    events, _ = feed([away(0), away(30), away(60), away(90), away(120), away(150)])
    assert StreamEvent.BREACH not in events


def test_uncertain_neither_starts_nor_clears() -> None:
    events, state = feed([away(0), vague(100), away(200)])
    assert events[-1] is StreamEvent.BREACH
    events, state = feed([away(0), away(200), vague(300), vague(400)])
    assert events == [StreamEvent.NONE, StreamEvent.BREACH, StreamEvent.NONE, StreamEvent.NONE]
    assert state.breached
    events, _ = feed([vague(0), vague(300), vague(600)])
    assert set(events) == {StreamEvent.NONE}


def test_out_of_order_and_repeated_fixes_are_ignored() -> None:
    state = TrackerState()
    first = away(100)
    state = advance(state, first, judge(ZONE, first)).state
    for late in (away(100), away(50), home(99)):
        update = advance(state, late, judge(ZONE, late))
        assert update == StreamUpdate(StreamEvent.NONE, state, ignored=True)
    # The stale inside fix did not reset the run, so this completes the breach.
    last = away(300)
    assert advance(state, last, judge(ZONE, last)).event is StreamEvent.BREACH


def test_thresholds_are_configurable() -> None:
    quick = GeofenceSettings(breach_min_seconds=0.0, breach_min_fixes=1)
    events, _ = feed([away(0)], quick)
    assert events == [StreamEvent.BREACH]
    slow = GeofenceSettings(breach_min_seconds=600.0, breach_min_fixes=2)
    events, _ = feed([away(0), away(300), away(599), away(600)], slow)
    assert events == [StreamEvent.NONE] * 3 + [StreamEvent.BREACH]


def test_state_round_trips_through_json() -> None:
    _, state = feed([away(0), away(200)])
    assert TrackerState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    assert TrackerState.from_dict(None) == TrackerState()
    assert TrackerState.from_dict({}) == TrackerState()


@settings(deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.floats(0.0, 600.0),  # seconds since the previous fix (0: a repeat)
            st.floats(0.0, 50.0),  # metres from the centre of the 50 m zone
            st.none() | st.floats(0.0, 1500.0),
            st.floats(0.0, 360.0),
        ),
        max_size=30,
    )
)
def test_a_stream_of_inside_fixes_never_breaches(
    steps: list[tuple[float, float, float | None, float]],
) -> None:
    fixes, clock = [], 0.0
    for gap, metres, accuracy, bearing in steps:
        clock += gap
        fixes.append(
            fix_near(THANH_HOA, metres * 0.99, accuracy, seconds=clock, bearing_deg=bearing)
        )
    events, state = feed(fixes)
    assert set(events) <= {StreamEvent.NONE}
    assert not state.breached
