"""The send slots: the configured pace, and the one-second safety net at the service's limit."""

from __future__ import annotations

from bot.messaging.slots import SendSlots


class Calls:
    """Drives the slots through simulated time: calls answered after `latency` seconds."""

    def __init__(self, slots: SendSlots, latency: float, now: list[float]) -> None:
        self.slots, self.latency, self.now = slots, latency, now
        self.sent: list[float] = []
        self.answers: list[float] = []  # pending answers' times

    def run(self, seconds: float) -> None:
        """Send whenever a slot is free, for `seconds` of simulated time."""
        end = self.now[0] + seconds
        while self.now[0] < end:
            for at in [a for a in self.answers if a <= self.now[0]]:
                self.answers.remove(at)
                self.slots.answered(at)
            again = self.slots.take()
            if again is None:
                self.sent.append(self.now[0])
                self.slots.called()
                self.answers.append(self.now[0] + self.latency)
                continue
            # Time moves to the slot's time or the next answer, whichever comes first.
            self.now[0] = min([again, *self.answers])

    def most_in_a_second(self) -> int:
        """The most calls any one-second window saw (as the service counts them)."""
        return max(sum(1 for t in self.sent if start <= t < start + 1.0) for start in self.sent)


def slots_at(rate: float, limit: float | None) -> tuple[SendSlots, list[float]]:
    now = [100.0]
    return SendSlots(rate, lambda: now[0], limit_per_second=limit), now


def test_slow_answers_do_not_slow_the_pace_under_the_services_limit() -> None:
    slots, now = slots_at(25.0, 30.0)
    calls = Calls(slots, latency=0.15, now=now)
    calls.run(20.0)
    rate = len(calls.sent) / 20.0
    assert rate >= 0.98 * 25.0
    assert calls.most_in_a_second() <= 25


def test_without_a_known_limit_in_flight_calls_count_against_the_rate() -> None:
    # Calls in flight count: at 150 ms a call, the rate itself is the net, and it binds.
    slots, now = slots_at(25.0, None)
    calls = Calls(slots, latency=0.15, now=now)
    calls.run(20.0)
    assert len(calls.sent) / 20.0 < 0.9 * 25.0


def test_when_answers_stall_no_more_than_the_limit_go_out() -> None:
    slots, now = slots_at(25.0, 30.0)
    calls = Calls(slots, latency=5.0, now=now)
    calls.run(3.0)
    # 30 calls unanswered: the next waits for an answer, however free the slots are.
    assert len(calls.sent) == 30


def test_slots_a_late_event_loop_missed_are_caught_up_within_the_limit() -> None:
    slots, now = slots_at(25.0, 30.0)
    calls = Calls(slots, latency=0.05, now=now)
    calls.run(2.0)
    before = len(calls.sent)
    now[0] += 0.2  # the event loop was busy elsewhere for 200 ms
    calls.run(2.0)
    # Over the 4.2 s, the pace as if nothing had happened, and never over 30 in a second.
    assert len(calls.sent) >= before + int(2.2 * 25.0 * 0.99) - 1
    assert calls.most_in_a_second() <= 30


def test_after_a_real_stall_the_pace_starts_again_without_a_burst() -> None:
    slots, now = slots_at(25.0, 30.0)
    calls = Calls(slots, latency=0.05, now=now)
    calls.run(1.0)
    now[0] += 5.0  # a stall: five seconds of slots are not sent all at once
    stalled = len(calls.sent)
    calls.run(1.0)
    assert len(calls.sent) - stalled <= 25 + 1
