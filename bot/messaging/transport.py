"""What the sender needs of a channel's transport: one call, and errors that say what to do.

Each channel's transport (bot/messaging/telegram/transport.py for the Bot API) maps its
service's answers onto these, so the sender paces, retries and gives up the same way
whatever carries the message.
"""

from __future__ import annotations

from typing import Any, Protocol


class TransportError(Exception):
    """A Bot API call that did not succeed; the subclass says what to do about it."""


class RetryAfter(TransportError):
    """Flood control: nothing may be sent for `seconds`."""

    def __init__(self, seconds: float, description: str = "") -> None:
        super().__init__(description or f"retry after {seconds}")
        self.seconds = seconds


class Forbidden(TransportError):
    """The recipient blocked the bot (or never started it)."""


class OutsideWindow(Forbidden):
    """This channel cannot reach the person now (Zalo's free window is closed and no
    template fits, or they have no Zalo): the caller tries the next channel (SMS)."""


class TransientError(TransportError):
    """A network error, a timeout or a 5xx: worth trying again later."""


class UnknownOutcome(TransientError):
    """The request went out but no answer came (a timeout, a cut connection): it may have
    been delivered. Trying again may send it twice, so the sender decides by kind."""


class PermanentError(TransportError):
    """A 4xx that trying again will not fix (bad request, chat not found, ...)."""


class Transport(Protocol):
    """Makes one Bot API call and returns its result, raising a TransportError otherwise."""

    async def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Call `method` with `params`; the result object (the sent message for sends)."""
        ...
