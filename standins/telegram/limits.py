"""Telegram's flood limits as the stand-in enforces them, and faults a test injects."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

from standins.telegram.records import Chat
from standins.telegram.wire import too_many


@dataclass(slots=True)
class Limits:
    """Telegram's flood limits as the stand-in enforces them."""

    enabled: bool = True
    overall_per_second: int = 30  # sliding 1-second window over all new messages
    paid_per_second: int = 1000  # for messages sent with allow_paid_broadcast
    per_chat_per_second: float = 1.0
    # A token bucket rather than strict 1/s spacing: Telegram tolerates short bursts in a
    # private chat (an answer plus a follow-up or two) before it starts answering 429.
    per_chat_burst: int = 3

    @classmethod
    def off(cls) -> Limits:
        """No limits at all, for tests that don't care about pacing."""
        return cls(enabled=False)

    @classmethod
    def paid_broadcast(cls) -> Limits:
        """The overall rate a bot gets with paid broadcasts (1,000 a second)."""
        return cls(overall_per_second=1000)


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected answer to a message-sending call (queued once, or a phase's every call)."""

    kind: Literal["retry_after", "bad_gateway", "hang", "cut", "forbidden"]
    retry_after: int = 1
    seconds: float = 30.0  # how long a hang lasts at most (the client usually gives up first)
    deliver: bool = False  # hang (or cut) after delivering the message: only the answer is lost

    @classmethod
    def too_many(cls, retry_after: int = 1) -> Fault:
        """429 Too Many Requests with this retry_after."""
        return cls("retry_after", retry_after=retry_after)

    @classmethod
    def bad_gateway(cls) -> Fault:
        """502 Bad Gateway, as Telegram's front end answers when the backend is down."""
        return cls("bad_gateway")

    @classmethod
    def hang(cls, seconds: float = 30.0, *, deliver: bool = False) -> Fault:
        """No answer until the client gives up (or `seconds` pass, then 502)."""
        return cls("hang", seconds=seconds, deliver=deliver)

    @classmethod
    def late(cls, seconds: float) -> Fault:
        """Deliver the message, answer `seconds` later (after the client's timeout, if short)."""
        return cls("hang", seconds=seconds, deliver=True)

    @classmethod
    def cut(cls, *, deliver: bool = True) -> Fault:
        """Close the connection without answering, once the request was received."""
        return cls("cut", deliver=deliver)

    @classmethod
    def forbidden(cls) -> Fault:
        """403 Forbidden, as if the user had blocked the bot."""
        return cls("forbidden")


def check_flood(limits: Limits, recent: deque[float], chat: Chat, now: float, paid: bool) -> None:
    """Answer 429 if one more message now would exceed a flood limit.

    `recent` holds the monotonic times of the messages sent in the last second.
    """
    if not limits.enabled:
        return
    while recent and recent[0] <= now - 1.0:
        recent.popleft()
    cap = limits.paid_per_second if paid else limits.overall_per_second
    if len(recent) >= cap:
        # Wait until enough of the last second's sends have left the window.
        raise too_many(recent[len(recent) - cap] + 1.0 - now)
    rate = limits.per_chat_per_second
    chat.tokens = min(float(limits.per_chat_burst), chat.tokens + (now - chat.refilled) * rate)
    chat.refilled = now
    if chat.tokens < 1.0:
        raise too_many((1.0 - chat.tokens) / rate)


def count_send(limits: Limits, recent: deque[float], chat: Chat, now: float) -> None:
    """Count a message sent now against the limits that check_flood let pass."""
    if limits.enabled:
        recent.append(now)
        chat.tokens -= 1.0
