"""Long polling with one poller per bot: this process polls while it holds the bot's lock.

The Application starts (handlers, ticks, the outbox sender) whether or not it polls; the
updater polls only while this process holds the bot's poller lock (bot/messaging/poller.py).
A second `cachly run` therefore stands by instead of fighting the first with 409 Conflicts,
and takes over within POLLER_RETRY_SECONDS of the first one's session ending.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence

from telegram import Update

from bot.messaging.poller import PollerLock
from cachly.lifecycle import all_started
from handlers.context import CachlyApplication

logger = logging.getLogger(__name__)

# How often a standing-by process tries the lock, and the poller checks it still holds it.
POLLER_RETRY_SECONDS = 2.0


async def poll(
    bots: Sequence[tuple[CachlyApplication, PollerLock]],
    stopping: asyncio.Event | None = None,
    *,
    poll_timeout: int = 10,
) -> None:
    """Run every bot's Application until `stopping` is set (by default: SIGINT or SIGTERM),
    each polling while this process holds its lock."""
    loop = asyncio.get_running_loop()
    signals = stopping is None
    stop = stopping or asyncio.Event()
    if signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    try:
        async with all_started([application for application, _ in bots]):
            seats = [asyncio.create_task(_hold(a, lock, poll_timeout)) for a, lock in bots]
            await stop.wait()
            for seat in seats:
                seat.cancel()
            await asyncio.gather(*seats, return_exceptions=True)
            # All at once: one by one, each bot would wait out its long poll in turn.
            await asyncio.gather(*(_stop_polling(a) for a, _ in bots))
            await asyncio.gather(*(lock.release() for _, lock in bots))
    finally:
        if signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


async def _stop_polling(application: CachlyApplication) -> None:
    if application.updater is not None and application.updater.running:
        await application.updater.stop()


async def _hold(application: CachlyApplication, lock: PollerLock, poll_timeout: int) -> None:
    updater = application.updater
    assert updater is not None
    told = False
    while True:
        if not updater.running:
            if await lock.acquire():
                await updater.start_polling(timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)
                logger.info("polling: this process polls the bot's updates")
                told = False
            elif not told:
                logger.warning("polling: another process polls this bot; standing by")
                told = True
        elif not await lock.alive():
            logger.warning("polling: lost the poller's lock; stopped polling, standing by")
            await updater.stop()
        await asyncio.sleep(POLLER_RETRY_SECONDS)
