"""What the sender needs of a channel's transport: one call, and errors that say what to do.

Each channel's transport (bot/messaging/telegram/transport.py for the Bot API) maps its
service's answers onto these, so the sender paces, retries and gives up the same way
whatever carries the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One call of a channel's API and its parameters (a file as bytes, uploaded by the
    transport).

    A file's name goes in `filename` (the transport takes it out of the form fields).
    """

    method: str
    params: dict[str, Any]


class Renderer(Protocol):
    """Turns an outbox row's stored content into its channel's call (one per channel)."""

    def __call__(
        self,
        kind: str,
        body: dict[str, Any],
        chat_id: int,
        *,
        edit_message_id: int | None = None,
        purpose: str = "",
    ) -> ApiCall:
        """The call that says the row's content to `chat_id` (or edits that message).

        `purpose` is the row's (a check-in prompt, a reminder, ...): a channel that must
        choose a registered template outside a free window (Zalo's ZNS) chooses by it.
        """
        ...


class TransportError(Exception):
    """A call that did not succeed; the subclass says what to do about it."""


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
    """Makes one call of its channel's API and returns its result, raising a TransportError
    otherwise."""

    async def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Call `method` with `params`; the result object (the sent message for sends)."""
        ...
