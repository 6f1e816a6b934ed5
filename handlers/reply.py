"""The one way a handler says something: channel-free content, rendered for Telegram.

Handlers get content (`bot.messaging.message`) from services, or build a `Text` from the
catalogue, and hand it here. It goes through the same renderer as the outbox, so a reply
and a queued message look alike, and through the Application's Bot (its rate limiter).

Two promises are kept here, for every handler at once:

- new messages to one chat are paced (bot/messaging/pacing.py): a short burst goes out at
  once, later ones each in their turn, sent from a task of their own so that no other chat's
  updates wait for them;
- a reply Telegram did not take (flood control, a 5xx, a timeout, a network error) is
  handed to the outbox at reply priority, which sends it once the fault has passed. A
  reply whose answer was lost may then arrive twice: for what a person must see (the
  station knows of the SOS), twice is better than never.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Any

from telegram import CallbackQuery, InputFile, Message, Update
from telegram import error as tg
from telegram.warnings import PTBUserWarning

from bot.messaging.message import Content, Text
from bot.messaging.pacing import ChatPacer
from bot.messaging.telegram.render import FILE_PARAMS, render
from bot.messaging.transport import ApiCall
from handlers.context import CachlyContext

logger = logging.getLogger(__name__)

# Calls are made from rendered parameters on purpose, also for methods PTB wraps.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)

logger = logging.getLogger(__name__)

# bot_data key of the Application's ChatPacer (set by cachly/root.py).
PACER_KEY = "reply_pacer"
# Added to a paced reply's wait: Telegram counts from when a message arrives, a little
# after it was sent.
PACE_MARGIN_SECONDS = 0.05


async def reply(update: Update, context: CachlyContext, content: Content | str) -> Message | None:
    """Say `content` in the chat the update came from (a plain string is catalogue text)."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await send(context, chat.id, content)


async def send(context: CachlyContext, chat_id: int, content: Content | str) -> Message | None:
    """Say `content` in `chat_id` now (None if it was paced or handed to the outbox)."""
    if isinstance(content, str):
        content = Text(content)
    return await _paced(context, chat_id, render(content, chat_id), content)


async def edit(query: CallbackQuery, context: CachlyContext, content: Text | str) -> None:
    """Change the message a button was pressed on (its text and choices)."""
    message = query.message
    if message is None:
        return
    if isinstance(content, str):
        content = Text(content)
    call = render(content, message.chat.id, edit_message_id=message.message_id)
    # Not paced: Telegram's one-a-second is for new messages, and an edit is the answer
    # to a press the person is looking at.
    await _call(context, message.chat.id, call, content)


async def edit_message(context: CachlyContext, message: Message, content: Text | str) -> None:
    """Change a message the bot sent earlier in this conversation (a progress line)."""
    if isinstance(content, str):
        content = Text(content)
    call = render(content, message.chat.id, edit_message_id=message.message_id)
    await _call(context, message.chat.id, call, content)


async def drop_choices(query: CallbackQuery) -> None:
    """Take the buttons off the message a button was pressed on, if it still shows them."""
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    try:
        await query.edit_message_reply_markup(None)
    except tg.BadRequest:
        # Already gone (a second quick tap) or no such message (forged): nothing to take off.
        logger.debug("buttons of message %s were already gone", message.message_id)


async def _paced(
    context: CachlyContext, chat_id: int, call: ApiCall, content: Content
) -> Message | None:
    pacer = context.bot_data.get(PACER_KEY)
    wait = pacer.reserve(chat_id) if isinstance(pacer, ChatPacer) else 0.0
    if wait <= 0:
        return await _call(context, chat_id, call, content)
    context.application.create_task(
        _later(context, chat_id, call, content, wait + PACE_MARGIN_SECONDS), name="paced-reply"
    )
    return None


async def _later(
    context: CachlyContext, chat_id: int, call: ApiCall, content: Content, wait: float
) -> None:
    await asyncio.sleep(wait)
    try:
        await _call(context, chat_id, call, content)
    except Exception:
        # Out of the handler: nobody else would hear of it. Never the text (it may hold names).
        logger.exception("a paced reply failed")


async def _call(
    context: CachlyContext, chat_id: int, call: ApiCall, content: Content
) -> Message | None:
    params: dict[str, Any] = dict(call.params)
    for name in FILE_PARAMS:
        value = params.get(name)
        if isinstance(value, bytes):
            filename = str(params.pop("filename", "chart.png" if name == "photo" else "file"))
            params[name] = InputFile(value, filename=filename)
    try:
        result = await context.bot.do_api_request(
            call.method, api_kwargs=params, return_type=Message
        )
    except tg.BadRequest:
        raise  # a NetworkError in PTB's hierarchy, but trying again will not fix it
    except (tg.RetryAfter, tg.TimedOut, tg.NetworkError) as error:
        # An edit that did not happen is sent as a new message: the person sees it either way.
        await context.services.outbox.later(chat_id, content)
        logger.warning("a direct reply went to the outbox: %s", type(error).__name__)
        return None
    return result if isinstance(result, Message) else None
