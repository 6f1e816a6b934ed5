"""Each update handled once, whatever delivered it: the first and last handler groups.

The first group takes the update (bot/messaging/updates.py) or stops it there, if another worker
or an earlier delivery has it; the last group marks it handled. Both are TypeHandlers on
every Update, so long polling, the webhook server (cachly/webhooks.py) and any other way of
feeding the Application go through them.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.messaging.updates import HandledUpdates
from handlers.context import CachlyApplication, CachlyContext

UPDATES_KEY = "handled_updates"
# Groups of their own, before and after any other: in a group only the first handler
# that matches runs, and these match every update.
FIRST_GROUP = -1_000
LAST_GROUP = 1_000


async def take(update: Update, context: CachlyContext) -> None:
    """Let the update through only if this worker takes it."""
    handled: HandledUpdates = context.bot_data[UPDATES_KEY]
    if not await handled.take(update.update_id):
        raise ApplicationHandlerStop


async def mark_done(update: Update, context: CachlyContext) -> None:
    """The update went through every group: handled."""
    handled: HandledUpdates = context.bot_data[UPDATES_KEY]
    await handled.done(update.update_id)


def register_dedupe(application: CachlyApplication, handled: HandledUpdates) -> None:
    """Install the two handlers around every other group."""
    application.bot_data[UPDATES_KEY] = handled
    application.add_handler(TypeHandler(Update, take), group=FIRST_GROUP)
    application.add_handler(TypeHandler(Update, mark_done), group=LAST_GROUP)
