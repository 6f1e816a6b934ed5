"""An Application started and stopped by hand, as run_polling and run_webhook would.

Webhook mode (cachly/webhooks.py) and the polling standby (cachly/polling.py) run their own
loops, so they call what PTB's run_* helpers call, in the same order: initialize,
post_init, start; then stop, shutdown, post_shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from handlers.context import CachlyApplication


@asynccontextmanager
async def started(application: CachlyApplication) -> AsyncIterator[None]:
    """The Application initialised and started (its hooks run), stopped after."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        try:
            yield
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


@asynccontextmanager
async def all_started(applications: Sequence[CachlyApplication]) -> AsyncIterator[None]:
    """Every Application started, stopped in reverse order after."""
    async with AsyncExitStack() as stack:
        for application in applications:
            await stack.enter_async_context(started(application))
        yield
