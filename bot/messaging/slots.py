"""The overall pace of one bot's sends: evenly spaced slots, never a second over its limit.

The slots sit a hair under the rate, so that in the steady state they set the pace and the
one-second count is only the safety net it is meant to be: were it the pace, every hold-up
would come back a second later, again and again. The server counts a call when it handles
it, which is after we sent it (by however long either side was held up) and before we have
its answer; so calls answered within the last second, and calls not answered yet, are at
least what the server counts in its last second. Keeping them under the limit (the
service's own when the caller knows it, Telegram's 30 a bot; else the rate) keeps the
server's count under it too, however late requests arrive. `RetryAfter` pauses every slot.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable

# Send slots missed by up to this much are still used. A worker sending for many bots has
# an event loop that is now and then 100-500 ms late (a tick queueing a batch of prompts):
# slots lost to that would cost each bot about 5 % of its rate (0.93 of 25/s measured with
# 10 ms). Catching them up is safe: the one-second net still bounds what goes out.
CATCH_UP_SECONDS = 0.5
# The send slots' share of the configured rate.
SLOT_SHARE = 0.99


class SendSlots:
    """When the next call may go out, for a rate in calls per second."""

    def __init__(
        self,
        rate_per_second: float,
        monotonic: Callable[[], float],
        *,
        limit_per_second: float | None = None,
    ) -> None:
        self._monotonic = monotonic
        self._interval = 1.0 / (rate_per_second * SLOT_SHARE)
        self._catch_up = max(self._interval, CATCH_UP_SECONDS)
        # Calls not answered yet, the answer times of the last second's calls, and how many
        # one second may hold: the service's own limit when known (above the rate, so that
        # the slots set the pace however long the answers take), else the rate.
        self._unanswered = 0
        self._answered: deque[float] = deque()
        limit = max(rate_per_second, limit_per_second or rate_per_second)
        self._per_second = max(1, math.floor(limit))
        self._next_slot = 0.0
        self.paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Flood control: nothing goes out for `seconds` (Telegram's is per bot)."""
        self.paused_until = max(self.paused_until, self._monotonic() + seconds)

    def called(self) -> None:
        """A call went out; it counts until its answer comes."""
        self._unanswered += 1

    def answered(self, at: float) -> None:
        """A call's answer came (at monotonic time `at`)."""
        self._unanswered -= 1
        self._answered.append(at)

    def take(self) -> float | None:
        """Take the slot if one is free now (None), else the monotonic time to look again."""
        now = self._monotonic()
        answered = self._answered
        while answered and answered[0] <= now - 1.0:
            answered.popleft()
        ready = max(self._next_slot, self.paused_until)
        if self._unanswered + len(answered) >= self._per_second:
            ready = max(ready, answered[0] + 1.0 if answered else now + self._interval)
        if ready > now:
            return ready
        # Slots stay on their grid, so that the event loop's lateness (its timers fire up
        # to a millisecond late, later when busy) does not lower the rate: slots missed by
        # less than CATCH_UP_SECONDS are used now. After a real stall the grid restarts
        # from now, so nothing is sent in a long burst.
        if now - self._next_slot > self._catch_up:
            self._next_slot = now
        self._next_slot += self._interval
        return None

    async def wait(self, stopping: Callable[[], bool]) -> bool:
        """Wait for the next slot (and out any pause); False when stopping."""
        while not stopping():
            again = self.take()
            if again is None:
                return True
            await asyncio.sleep(again - self._monotonic())
        return False
