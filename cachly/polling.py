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

from telegram import Update

from bot.messaging.poller import PollerLock
from cachly.lifecycle import started
from handlers.context import CachlyApplication

logger = logging.getLogger(__name__)

# How often a standing-by process tries the lock, and the poller checks it still holds it.
POLLER_RETRY_SECONDS = 2.0


async def poll(application: CachlyApplication, lock: PollerLock) -> None:
    """Run the Application until SIGINT or SIGTERM, polling while this process holds `lock`."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with started(application):
            seat = asyncio.create_task(_hold(application, lock))
            await stop.wait()
            seat.cancel()
            await asyncio.gather(seat, return_exceptions=True)
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            await lock.release()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _hold(application: CachlyApplication, lock: PollerLock) -> None:
    updater = application.updater
    assert updater is not None
    told = False
    while True:
        if not updater.running:
            if await lock.acquire():
                await updater.start_polling(allowed_updates=Update.ALL_TYPES)
                logger.info("polling: this process polls the bot's updates")
                told = False
            elif not told:
                logger.warning("polling: another process polls this bot; standing by")
                told = True
        elif not await lock.alive():
            logger.warning("polling: lost the poller's lock; stopped polling, standing by")
            await updater.stop()
        await asyncio.sleep(POLLER_RETRY_SECONDS)
