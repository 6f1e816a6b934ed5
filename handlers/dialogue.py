"""Routing a user's messages to the conversation they are in, and /cancel.

Each flow (registration, check-in questionnaire, citizen report, ...) registers one step
handler under its name; the router looks the user's conversation up in the database, so a
restart or another worker continues where the user left off.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.catalogue import t
from bot.dialogues import DialogueState
from bot.messaging.message import Text
from handlers.context import CachlyContext
from handlers.reply import reply

FlowStep = Callable[[Update, CachlyContext, DialogueState], Awaitable[None]]
FLOWS: dict[str, FlowStep] = {}
Unsolicited = Callable[[Update, CachlyContext], Awaitable[None]]
# Text from a user in no conversation: the check-in handlers take a prompt's button label
# typed instead of pressed. Only one such taker; without it the text is not understood.
_unsolicited: list[Unsolicited] = []


def flow(name: str) -> Callable[[FlowStep], FlowStep]:
    """Register the step handler of a flow."""

    def register(step: FlowStep) -> FlowStep:
        FLOWS[name] = step
        return step

    return register


def unsolicited(handler: Unsolicited) -> Unsolicited:
    """Register the taker of text sent outside any conversation."""
    _unsolicited[:] = [handler]
    return handler


async def route(update: Update, context: CachlyContext) -> None:
    """A private message outside any command: hand it to the user's conversation, if any."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    state = await context.services.dialogues.current(user.id)
    step = FLOWS.get(state.flow) if state is not None else None
    message = update.effective_message
    if state is None and _unsolicited and message is not None and message.text:
        await _unsolicited[0](update, context)
        return
    if state is None or step is None:
        language = await context.language(update)
        await reply(update, context, t(language, "error.not_understood"))
        return
    await step(update, context, state)


async def cancel(update: Update, context: CachlyContext) -> None:
    """/cancel: leave whatever conversation the user is in."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    state = await context.services.dialogues.cancel(user.id)
    language = await context.language(update)
    key = "dialogue.cancelled" if state is not None else "dialogue.nothing_to_cancel"
    # Whatever it was, a one-tap location request it left open goes away.
    await reply(update, context, Text(t(language, key), close_request=True))
