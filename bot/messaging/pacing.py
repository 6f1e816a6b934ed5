"""Per-chat pacing of direct replies: a short burst, then one per interval.

Telegram tolerates a few messages at once in a private chat, then answers 429 to more than
about one a second. A reply within the burst goes out at once (the first reply is never
delayed); a later one is given the moment its turn comes, so a chat's replies keep their
order and arrive paced, and no other chat waits for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# A chat not heard from for this many intervals has its full burst back: forgotten.
_FORGET_AFTER = 64
_PRUNE_ABOVE = 10_000


class ChatPacer:
    """A token bucket per chat: `burst` replies at once, then one per `interval` seconds."""

    def __init__(
        self, burst: int, interval: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._burst = float(max(1, burst))
        self._interval = interval
        self._monotonic = monotonic
        # Chat id -> (tokens left, monotonic time they were counted); tokens go below zero
        # for replies given a later turn.
        self._chats: dict[int, tuple[float, float]] = {}

    def reserve(self, chat_id: int) -> float:
        """Take a turn for one reply to `chat_id`; the seconds to wait before sending it."""
        if self._interval <= 0:
            return 0.0
        now = self._monotonic()
        tokens, at = self._chats.get(chat_id, (self._burst, now))
        tokens = min(self._burst, tokens + (now - at) / self._interval) - 1.0
        if len(self._chats) > _PRUNE_ABOVE:
            self._prune(now)
        self._chats[chat_id] = (tokens, now)
        return 0.0 if tokens >= 0 else -tokens * self._interval

    def _prune(self, now: float) -> None:
        horizon = now - _FORGET_AFTER * self._interval
        self._chats = {c: v for c, v in self._chats.items() if v[1] > horizon}
