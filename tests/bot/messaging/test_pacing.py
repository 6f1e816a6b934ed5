"""Per-chat pacing of direct replies on a moved clock: a burst at once, then one a turn."""

from __future__ import annotations

import pytest

from bot.messaging.pacing import ChatPacer


class Monotonic:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_goes_at_once_then_each_reply_waits_its_turn() -> None:
    clock = Monotonic()
    pacer = ChatPacer(3, 1.0, clock)
    waits = [pacer.reserve(7) for _ in range(5)]
    # The first reply is never delayed; the burst neither; then one a second, in order.
    assert waits == [0.0, 0.0, 0.0, pytest.approx(1.0), pytest.approx(2.0)]
    # Another chat does not wait for this one.
    assert pacer.reserve(8) == 0.0


def test_a_quiet_chat_gets_its_burst_back() -> None:
    clock = Monotonic()
    pacer = ChatPacer(3, 1.0, clock)
    for _ in range(3):
        pacer.reserve(7)
    clock.now += 1.0
    assert pacer.reserve(7) == 0.0  # one turn came back in a second
    assert pacer.reserve(7) == pytest.approx(1.0)
    clock.now += 10.0
    assert [pacer.reserve(7) for _ in range(3)] == [0.0, 0.0, 0.0]


def test_no_interval_means_no_pacing() -> None:
    pacer = ChatPacer(1, 0.0, Monotonic())
    assert [pacer.reserve(7) for _ in range(5)] == [0.0] * 5
