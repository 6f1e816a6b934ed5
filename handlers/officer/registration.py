"""/register: an officer registers one case, step by step; the state lives in the database.

The conversation's rules (what each answer stores, which step follows) are the case
service's (`bot/cases/conversation.py`); this module reads what the officer sent and says
what the service returns.
"""

from __future__ import annotations

from telegram import Update

from bot.actions import Action
from bot.cases import REGISTER_FLOW, IssuedLink
from bot.cases.conversation import TurnStatus
from bot.cases.display import link_messages
from bot.catalogue import plain, t
from bot.dialogues import DialogueState
from handlers.context import CachlyContext
from handlers.dialogue import flow
from handlers.reply import drop_choices, reply


async def register(update: Update, context: CachlyContext) -> None:
    """/register: start the conversation (only an officer of a commune may)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    state = await context.services.cases.start_registration(user.id, chat.id)
    await _ask(update, context, state)


@flow(REGISTER_FLOW)
async def on_message(update: Update, context: CachlyContext, state: DialogueState) -> None:
    """A typed answer (or a shared location or contact) to the current question."""
    message = update.effective_message
    if message is None:
        return
    text = message.text or ""
    if state.step == "phone" and message.contact is not None:
        text = message.contact.phone_number
    if state.step == "home" and message.location is not None:
        text = f"{message.location.latitude}, {message.location.longitude}"
    await _answer(update, context, state, text, typed=True)


async def on_button(update: Update, context: CachlyContext) -> None:
    """A button of the registration conversation (its data: the answer after the prefix)."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    state = await context.services.dialogues.current(user.id)
    language = await context.language(update)
    if state is None or state.flow != REGISTER_FLOW:
        await query.answer(plain(language, "register.stale_button"))
        return
    await drop_choices(query)
    await _answer(update, context, state, query.data.removeprefix(Action.REGISTRATION), typed=False)
    # Answered last: on a refusal the error handler answers the button instead.
    await query.answer()


async def _answer(
    update: Update, context: CachlyContext, state: DialogueState, value: str, *, typed: bool
) -> None:
    language = await context.language(update)
    username = context.services.settings.telegram.bot_username or context.bot.username
    turn = await context.services.cases.answer_registration(
        state, value, typed=typed, bot_username=username
    )
    if turn.status is TurnStatus.DONE and turn.issued is not None:
        await send_link(update, context, language, turn.issued, "register.done")
    elif turn.status is TurnStatus.CANCELLED:
        await reply(update, context, t(language, "dialogue.cancelled"))
    elif turn.status is TurnStatus.REFUSED and turn.error_key is not None:
        await reply(update, context, t(language, turn.error_key, **turn.error_params))
        await _ask(update, context, turn.state)
    elif turn.status is TurnStatus.UNFIT:
        await reply(update, context, t(language, "register.use_buttons"))
        await _ask(update, context, turn.state)
    else:
        await _ask(update, context, turn.state)


async def send_link(
    update: Update, context: CachlyContext, language: str, issued: IssuedLink, key: str
) -> None:
    """The link as text to forward, then as a QR code to show or print."""
    tz = context.services.settings.schedule.tz
    for content in link_messages(language, issued, key, tz):
        await reply(update, context, content)


async def _ask(update: Update, context: CachlyContext, state: DialogueState) -> None:
    """Ask the question of the current step, with its choices."""
    language = await context.language(update)
    for content in context.services.cases.registration_prompt(language, state):
        await reply(update, context, content)
