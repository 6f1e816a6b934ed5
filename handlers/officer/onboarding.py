"""Handlers for officers and supervisors."""

from __future__ import annotations

from telegram import Update

from bot.catalogue import t
from bot.policy import Role
from handlers.context import CachlyContext
from handlers.menus import set_officer_commands
from handlers.reply import reply


async def redeem_invitation(update: Update, context: CachlyContext, code: str) -> None:
    """An invitation link was opened: bind this user as an officer or supervisor."""
    user = update.effective_user
    if user is None or update.effective_chat is None:
        return
    me = await context.services.officers.redeem(code, user.id, user.full_name)
    language = await context.language(update)
    key = "invite.welcome_officer" if me.role == Role.OFFICER else "invite.welcome_supervisor"
    text = t(
        language, key, name=me.display_name, commune=me.commune_name, province=me.province_name
    )
    await reply(update, context, text)
    await set_officer_commands(context.bot, context.services, me)


async def whoami(update: Update, context: CachlyContext) -> None:
    """/whoami: the caller's role and area, or that they are not registered."""
    user = update.effective_user
    if user is None or update.effective_chat is None:
        return
    language = await context.language(update)
    me = await context.services.officers.whoami(user.id)
    if me is None:
        text = t(language, "whoami.unknown")
    elif me.role == Role.OFFICER:
        text = t(language, "whoami.officer", commune=me.commune_name, province=me.province_name)
    else:
        text = t(language, "whoami.supervisor", province=me.province_name)
    await reply(update, context, text)
