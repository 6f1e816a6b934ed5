"""Button presses: taken only from private chats, and always answered, exactly once.

Telegram keeps a pressed button spinning until the bot answers the callback query, and
refuses a second answer. Handlers answer as they see fit (a toast, an alert, nothing);
`answered` wraps each of them and answers whatever they left unanswered, also when they
raise. Every call of the Application passes through its rate limiter, so the limiter is
the one place that knows whether a press has been answered already.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, CallbackQueryHandler

from bot.catalogue import plain
from handlers.context import CachlyContext

logger = logging.getLogger(__name__)

Callback = Callable[[Update, CachlyContext], Coroutine[Any, Any, None]]

# Presses whose handler is still running are few; the bound only stops a slow leak.
_REMEMBERED = 10_000


class NotingRateLimiter(AIORateLimiter):
    """PTB's rate limiter for direct replies, also noting which presses were answered."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._answered: OrderedDict[str, None] = OrderedDict()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Make the call within the limits; remember an answered callback query."""
        result = await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
        if endpoint == "answerCallbackQuery":
            self._answered[str(data.get("callback_query_id"))] = None
            while len(self._answered) > _REMEMBERED:
                self._answered.popitem(last=False)
        return result

    def settle(self, query_id: str) -> bool:
        """Whether this press was answered; forgets it either way."""
        return self._answered.pop(query_id, False) is None


def is_private(update: Update) -> bool:
    """Whether the update comes from a private chat (the only place the bot speaks)."""
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


class PrivateButton(CallbackQueryHandler[CachlyContext, None]):
    """A CallbackQueryHandler for presses in private chats only; the rest go to `unknown`."""

    def check_update(self, update: object) -> bool | object | None:
        """Match as CallbackQueryHandler does, but only presses in a private chat."""
        if not isinstance(update, Update) or not is_private(update):
            return None
        return super().check_update(update)


def answered(callback: Callback) -> Callback:
    """`callback`, followed by an empty answer if it left the press unanswered."""

    async def run(update: Update, context: CachlyContext) -> None:
        try:
            await callback(update, context)
        finally:
            await _settle(update, context)

    run.__name__ = run.__qualname__ = getattr(callback, "__name__", "button")
    return run


async def _settle(update: Update, context: CachlyContext) -> None:
    query = update.callback_query
    limiter = context.bot.rate_limiter
    if query is None or not isinstance(limiter, NotingRateLimiter) or limiter.settle(query.id):
        return
    try:
        await query.answer()
        limiter.settle(query.id)
    except TelegramError as error:
        # The press is lost either way; the handler's own failure is reported separately.
        logger.warning("update %s: press not answered (%s)", update.update_id, type(error).__name__)


async def unknown(update: Update, context: CachlyContext) -> None:
    """A press no handler took: stale, forged or from a group; answered, nothing changed."""
    query = update.callback_query
    if query is None:
        return
    logger.debug("update %s: press with unknown data ignored", update.update_id)
    if not is_private(update):
        await query.answer()  # silent: in a group the bot says nothing, not even a toast
        return
    await query.answer(plain(await context.language(update), "error.stale_button"))
