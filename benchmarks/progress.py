"""Progress lines for the benchmarks' long phases, on stderr (stdout keeps the figures).

    progress = Progress("planning", total=20_000)
    for ...:
        progress.update(done)            # a loop the script runs: prints when a line is due
    progress.finish(done)

    async with Progress("sending", total=n, read=lambda: sender.stats.sent):
        await ...                        # work the script cannot count: a task polls `read`

A line such as ``  planning: 12,000 / 20,000 (60%), 3,100/s, about 3 s left`` is printed at
most every `every` seconds, and (while the event loop runs, or `update` is called) at least
that often. A phase over before its first line was due prints nothing, so short runs stay
quiet; one that printed a line ends with a last one.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TextIO

# A reader is a plain function or a coroutine function (a COUNT on a table, say).
Reader = Callable[[], int] | Callable[[], Awaitable[int]]


class Progress:
    """One phase's progress: `update(done)` from a loop, or `read` polled by a task."""

    def __init__(
        self,
        phase: str,
        total: int | None = None,
        *,
        read: Reader | None = None,
        every: float = 5.0,
        stream: TextIO | None = None,
    ) -> None:
        self.phase = phase
        self.total = total
        self.every = every
        self.done = 0
        self.lines = 0
        self._read = read
        self._stream = stream
        self._started = time.monotonic()
        self._last = self._started
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    def update(self, done: int) -> None:
        """Record `done` items; print a line if the last one is `every` seconds old."""
        self.done = done
        if time.monotonic() - self._last >= self.every:
            self._print()

    def finish(self, done: int | None = None) -> None:
        """The phase is over: a last line, if any was printed before."""
        if done is not None:
            self.done = done
        if self.lines:
            self._print(final=True)

    def line(self, final: bool = False) -> str:
        """The progress line as it stands."""
        elapsed = max(time.monotonic() - self._started, 1e-9)
        rate = self.done / elapsed
        text = f"  {self.phase}: {self.done:,}"
        if self.total:
            text += f" / {self.total:,} ({self.done / self.total:.0%})"
        text += f", {rate:,.0f}/s"
        if final:
            text += f", done in {elapsed:,.1f} s"
        elif self.total and rate > 0 and self.done < self.total:
            text += f", about {(self.total - self.done) / rate:,.0f} s left"
        else:
            text += f", {elapsed:,.0f} s so far"
        return text

    def _print(self, final: bool = False) -> None:
        self._last = time.monotonic()
        self.lines += 1
        print(self.line(final), file=self._stream or sys.stderr, flush=True)

    async def _value(self) -> int:
        assert self._read is not None
        value = self._read()
        return value if isinstance(value, int) else await value

    async def _poll(self) -> None:
        # Stopped by an event, not cancelled: a read (a query) is never cut in the middle.
        while True:
            wait = max(0.0, self._last + self.every - time.monotonic())
            try:
                await asyncio.wait_for(self._stop.wait(), wait)
                return
            except TimeoutError:
                pass
            if self._read is not None:
                self.done = await self._value()
            if time.monotonic() - self._last >= self.every:
                self._print()

    async def __aenter__(self) -> Progress:
        """Start polling: `read` if given, else the last `update`, printed when due."""
        self._started = self._last = time.monotonic()
        self._task = asyncio.create_task(self._poll())
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop polling; on success, read once more and print the last line."""
        if self._task is not None:
            self._stop.set()
            await self._task
            self._task = None
        if kind is None:
            if self._read is not None and self.lines:
                self.done = await self._value()
            self.finish()
