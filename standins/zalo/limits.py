"""Zalo's limits as the stand-in enforces them: the OA's request rate and the free window."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

from standins.zalo.records import Person
from standins.zalo.wire import WINDOW, WINDOW_MESSAGES


@dataclass(slots=True)
class Limits:
    """What is enforced; `off()` for tests that do not care about pacing."""

    enabled: bool = True
    # Requests a second from the OA (Zalo publishes no figure; the channel paces below it).
    per_second: int = 20
    # Whether following the OA opens the free window (as a message does).
    follow_opens_window: bool = True

    @classmethod
    def off(cls) -> Limits:
        """No rate limit (the window and the rules still hold)."""
        return cls(enabled=False)


def too_fast(limits: Limits, recent: deque[float], now: float) -> bool:
    """Whether one more request now exceeds the rate (it is counted if not)."""
    if not limits.enabled:
        return False
    while recent and recent[0] <= now - 1.0:
        recent.popleft()
    if len(recent) >= limits.per_second:
        return True
    recent.append(now)
    return False


def window_refusal(person: Person, now: datetime) -> str | None:
    """Why a free message cannot go to `person` now, or None if it can."""
    if person.last_interaction is None:
        return "user has not interacted with the OA"
    if now >= person.last_interaction + WINDOW:
        return "the interaction expired (48 hours)"
    if person.window_count >= WINDOW_MESSAGES:
        return "the free messages of this interaction are used up"
    return None
