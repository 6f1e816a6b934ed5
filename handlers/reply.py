"""The one way a handler says something: channel-free content, rendered for Telegram.

Handlers get content (`bot.messaging.message`) from services, or build a `Text` from the
catalogue, and hand it here. It goes through the same renderer as the outbox, so a reply
and a queued message look alike, and through the Application's Bot (its rate limiter).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from telegram import CallbackQuery, InputFile, Message, Update
from telegram.error import BadRequest
from telegram.warnings import PTBUserWarning

from bot.messaging.message import Content, Text
from bot.messaging.telegram.render import FILE_PARAMS, ApiCall, render
from handlers.context import CachlyContext

logger = logging.getLogger(__name__)

# Calls are made from rendered parameters on purpose, also for methods PTB wraps.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)


async def reply(update: Update, context: CachlyContext, content: Content | str) -> Message | None:
    """Say `content` in the chat the update came from (a plain string is catalogue text)."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await send(context, chat.id, content)


async def send(context: CachlyContext, chat_id: int, content: Content | str) -> Message | None:
    """Say `content` in `chat_id` now."""
    if isinstance(content, str):
        content = Text(content)
    return await _call(context, render(content, chat_id))


async def edit(query: CallbackQuery, context: CachlyContext, content: Text | str) -> None:
    """Change the message a button was pressed on (its text and choices)."""
    message = query.message
    if message is None:
        return
    if isinstance(content, str):
        content = Text(content)
    await _call(context, render(content, message.chat.id, edit_message_id=message.message_id))


async def drop_choices(query: CallbackQuery) -> None:
    """Take the buttons off the message a button was pressed on, if it still shows them."""
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest:
        # Already gone (a second quick tap) or no such message (forged): nothing to take off.
        logger.debug("buttons of message %s were already gone", message.message_id)


async def _call(context: CachlyContext, call: ApiCall) -> Message | None:
    params: dict[str, Any] = dict(call.params)
    for name in FILE_PARAMS:
        value = params.get(name)
        if isinstance(value, bytes):
            filename = str(params.pop("filename", "chart.png" if name == "photo" else "file"))
            params[name] = InputFile(value, filename=filename)
    result = await context.bot.do_api_request(call.method, api_kwargs=params, return_type=Message)
    return result if isinstance(result, Message) else None
