"""A person opens their one-time link, reads the privacy notice, consents, anchors home."""

from __future__ import annotations

from telegram import Update

from bot.actions import Action, is_id
from bot.cases import ENROL_FLOW, HOME_FLOW
from bot.cases.display import ask_home, consent_notice, consent_reminder, home_sent
from bot.catalogue import plain, t
from bot.dialogues import DialogueState
from bot.errors import UserError
from geofence import Fix, FixKind
from handlers.context import CachlyContext
from handlers.dialogue import flow
from handlers.menus import set_person_commands
from handlers.reply import drop_choices, reply


async def open_link(update: Update, context: CachlyContext, code: str) -> None:
    """/start p_…: show the privacy notice and ask consent; nothing is bound yet."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    language = await context.language(update)
    invitation = await context.services.cases.open_link(code, user.id, chat.id, language)
    await reply(update, context, consent_notice(language, invitation))


async def offer_pending_consent(update: Update, context: CachlyContext) -> bool:
    """A person who has not agreed yet is told so and how to agree; False when they have.

    With a link that still works, the notice and its buttons come again (the consent
    question is reopened); otherwise they are told to ask for a new link.
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return False
    language = await context.language(update)
    pending = await context.services.cases.pending_consent(user.id, chat.id, language)
    if pending is None:
        return False
    invitation = pending.invitation
    agree = plain(language, "enrol.agree")
    if not pending.can_agree:
        await reply(
            update,
            context,
            t(language, "enrol.not_agreed_expired", name=invitation.full_name, agree=agree),
        )
        return True
    lead = t(language, "enrol.not_agreed", name=invitation.full_name, agree=agree)
    await reply(update, context, consent_notice(language, invitation, lead))
    return True


async def consent_button(update: Update, context: CachlyContext) -> None:
    """I agree / I do not agree (callback en:y|n:<case id>, checked against the dialogue)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    parts = query.data.removeprefix(Action.CONSENT).split(":")
    if len(parts) != 2 or parts[0] not in ("y", "n") or not is_id(parts[1]):
        raise UserError("enrol.invalid")
    language = await context.language(update)
    result = await context.services.cases.answer_consent(
        user.id, chat.id, int(parts[1]), parts[0] == "y", language
    )
    await query.answer()
    await drop_choices(query)
    if not result.agreed:
        await reply(update, context, t(language, "enrol.refused"))
        return
    welcome = t(
        language, "enrol.welcome", name=result.full_name, end=result.end_date.strftime("%d/%m/%Y")
    )
    await reply(update, context, welcome)
    await set_person_commands(context.bot, context.services, chat.id)
    if result.home_needed:
        await reply(update, context, ask_home(language))


@flow(ENROL_FLOW)
async def while_consent_pending(
    update: Update, context: CachlyContext, state: DialogueState
) -> None:
    """Anything typed while the consent question is open: the buttons again, right here.

    After a /language change the whole notice comes again in the new language.
    """
    chat = update.effective_chat
    if chat is None:
        return
    language = await context.language(update)
    changed = state.data.get("language", language) != language
    if changed and await offer_pending_consent(update, context):
        return
    case_id = int(state.data.get("case_id", 0))
    await reply(update, context, consent_reminder(language, case_id))


@flow(HOME_FLOW)
async def home_location(update: Update, context: CachlyContext, state: DialogueState) -> None:
    """The person's location at home: proposed to the officers, who confirm it."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    language = await context.language(update)
    location = message.location
    if location is None:
        await reply(update, context, ask_home(language, "home.need_location"))
        return
    when = message.edit_date or message.date
    fix = Fix(
        location.latitude,
        location.longitude,
        location.horizontal_accuracy,
        when,
        FixKind.LIVE if location.live_period else FixKind.CURRENT,
    )
    try:
        await context.services.cases.propose_home(
            user.id,
            chat.id,
            fix,
            forwarded=message.forward_origin is not None,
            is_venue=message.venue is not None,
            message_date=when,
        )
    except UserError as error:
        # Keep the button: the person can simply try again.
        await reply(update, context, ask_home(language, error.key, **error.params))
        return
    await reply(update, context, home_sent(language))
