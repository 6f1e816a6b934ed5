"""One Bot API call on its way through the stand-in: its parameters and its connection."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import tornado.httputil

from standins.telegram.records import BotMessage
from standins.telegram.wire import JSON


class Connection:
    """One HTTP request's view of its connection, for waits that end when the client leaves."""

    __slots__ = ("_event", "gone")

    def __init__(self) -> None:
        self.gone = False
        self._event: asyncio.Event | None = None

    def close(self) -> None:
        """The client closed the connection."""
        self.gone = True
        if self._event is not None:
            self._event.set()

    async def wait(self, waiters: set[asyncio.Event], seconds: float) -> None:
        """Sleep until woken through `waiters`, the client leaves, or `seconds` pass."""
        if self.gone or seconds <= 0:
            return
        event = self._event = self._event or asyncio.Event()
        event.clear()
        waiters.add(event)
        try:
            async with asyncio.timeout(seconds):
                await event.wait()
        except TimeoutError:
            pass
        finally:
            waiters.discard(event)


@dataclass(slots=True)
class Request:
    """What a method implementation gets: decoded parameters and uploaded files."""

    params: JSON
    uploads: dict[str, tornado.httputil.HTTPFile]
    conn: Connection
    chat_id: int | None = None
    message: BotMessage | None = None
    cut: bool = False  # close the connection without an answer (an injected fault)


def wake(waiters: set[asyncio.Event]) -> None:
    """Wake every waiter parked on these events."""
    for event in waiters:
        event.set()
