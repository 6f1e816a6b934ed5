"""A person on Zalo or SMS: their messages through the same services as Telegram's.

A channel's adapter (the Zalo webhook, an SMS gateway's inbound call) verifies and parses
what arrived and calls one of these with plain values: the channel, the person's address
on it, and what they did. This finds their contact, notes that they wrote (Zalo's free
window opens again), hands the message to the conversation they are in, exactly as the
Telegram handlers do, and queues what is to be said back in the outbox, where the
channel's sender renders and carries it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import Action, is_id
from bot.cases import ENROL_FLOW, HOME_FLOW, OPEN_STATUSES, CaseService
from bot.cases.display import ask_home_on, consent_notice, consent_reminder, home_sent
from bot.catalogue import t
from bot.channels import Channel, chat_channel
from bot.checkins import FLOW, WHERE_FLOW, CheckinService, LocationInput, LocationStatus, display
from bot.clock import Clock
from bot.db import Database
from bot.dialogues import DialogueService
from bot.errors import UserError
from bot.messaging.contacts import contact_at, info, note_inbound
from bot.messaging.message import Content, Text
from bot.messaging.outbox import PRIORITY_REPLY, enqueue
from bot.models import Case, ChannelContact
from bot.preferences import PreferenceService
from geofence import Fix, FixKind, fix_problem

logger = logging.getLogger(__name__)

REPLY = "reply"
NOT_UNDERSTOOD = "error.not_understood"


class InboundService:
    """What a person off Telegram sends, answered through the outbox on their channel."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        cases: CaseService,
        checkins: CheckinService,
        dialogues: DialogueService,
        preferences: PreferenceService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._cases = cases
        self._checkins = checkins
        self._dialogues = dialogues
        self._preferences = preferences

    # ---- the person's side --------------------------------------------------------------

    async def follow(
        self, channel: Channel, address: str, *, code: str | None = None, phone: str | None = None
    ) -> None:
        """They followed the OA (or opened a link): with a one-time code, the consent notice."""
        chat = await self._touch(channel, address, phone=phone, add=True)
        if chat is None:
            return
        language = await self._preferences.language(chat)
        if not code:
            await self._say(chat, [Text(t(language, "channel.welcome"))])
            return
        await self._safely(
            chat,
            language,
            lambda: self._invitation(chat, code, language),
        )

    async def text(self, channel: Channel, address: str, text: str) -> None:
        """A typed message: an answer to the conversation they are in."""
        chat = await self._touch(channel, address)
        if chat is None:
            return
        language = await self._preferences.language(chat)
        state = await self._dialogues.current(chat)
        flow = state.flow if state is not None else None
        if flow == ENROL_FLOW and state is not None:
            said: list[Content] = [consent_reminder(language, int(state.data.get("case_id", 0)))]
        elif flow == HOME_FLOW:
            said = [ask_home_on(channel.value, language, "home.need_location")]
        elif flow == WHERE_FLOW:
            said = [Text(t(language, "checkin.press_a_button"))]
        elif flow in (FLOW, None):
            await self._safely(chat, language, lambda: self._typed(chat, text))
            return
        else:
            said = [Text(t(language, "channel.not_understood"))]
        await self._say(chat, said)

    async def action(self, channel: Channel, address: str, action: str) -> None:
        """A button pressed (or an SMS reply code): the action its choice carried."""
        chat = await self._touch(channel, address)
        if chat is None:
            return
        language = await self._preferences.language(chat)
        await self._safely(chat, language, lambda: self._pressed(chat, action, language))

    async def location(
        self,
        channel: Channel,
        address: str,
        lat: float,
        lon: float,
        accuracy_m: float | None,
        at: datetime | None = None,
    ) -> None:
        """A shared location: the home being anchored, or a check-in's location."""
        chat = await self._touch(channel, address)
        if chat is None:
            return
        language = await self._preferences.language(chat)
        if fix_problem(lat, lon, accuracy_m) is not None:
            await self._say(chat, [Text(t(language, "location.rejected.impossible"))])
            return
        when = at or self._clock.now()
        await self._safely(
            chat, language, lambda: self._located(chat, lat, lon, accuracy_m, when, language)
        )

    async def sos(self, channel: Channel, address: str) -> None:
        """SOS typed (or its reply code): the most urgent alert, at once."""
        chat = await self._touch(channel, address)
        if chat is None:
            return
        result = await self._checkins.sos(chat)
        await self._say(chat, [display.sos_reply(result)])

    async def checkin(self, channel: Channel, address: str) -> None:
        """Answer now (as /checkin): the open check-in, or the next round early."""
        chat = await self._touch(channel, address)
        if chat is None:
            return
        language = await self._preferences.language(chat)
        await self._safely(chat, language, lambda: self._start(chat, None))

    # ---- the conversation -----------------------------------------------------------------

    async def _invitation(self, chat: int, code: str, language: str) -> list[Content]:
        invitation = await self._cases.open_link(code, chat, chat, language)
        return [consent_notice(language, invitation)]

    async def _typed(self, chat: int, text: str) -> list[Content]:
        result = await self._checkins.answer_text(chat, chat, text)
        return list(display.step_replies(result))

    async def _start(self, chat: int, case_id: int | None) -> list[Content]:
        result = await self._checkins.start(chat, chat, case_id)
        if result.choices:
            return [display.pick_person(result.language, result.choices)]
        if result.question is None:
            return [Text(t(result.language, "checkin.not_a_case"))]
        asked = display.question(result.question)
        return [asked] if asked is not None else []

    async def _pressed(self, chat: int, action: str, language: str) -> list[Content]:
        if action.startswith(Action.CONSENT):
            return await self._consent(chat, action.removeprefix(Action.CONSENT), language)
        if action.startswith(Action.CHECKIN_PERSON):
            case_id = action.removeprefix(Action.CHECKIN_PERSON)
            return await self._start(chat, int(case_id)) if is_id(case_id) else []
        if action.startswith(Action.SOS):
            case_id = action.removeprefix(Action.SOS)
            if not is_id(case_id):
                return []
            return [display.sos_reply(await self._checkins.sos(chat, int(case_id)))]
        if action.startswith(Action.WHERE):
            case_id = action.removeprefix(Action.WHERE)
            if not is_id(case_id):
                return []
            located = await self._checkins.location_for(chat, chat, int(case_id))
            said = display.location_reply(located)
            return [said] if said is not None else []
        if action.startswith(Action.CHECKIN):
            parts = action.split(":")
            if len(parts) != 4 or not is_id(parts[1]):
                return []
            _, checkin_id, step, value = parts
            result = await self._checkins.answer_button(chat, chat, int(checkin_id), step, value)
            return list(display.step_replies(result))
        return [Text(t(language, "channel.not_understood"))]

    async def _consent(self, chat: int, answer: str, language: str) -> list[Content]:
        parts = answer.split(":")
        if len(parts) != 2 or parts[0] not in ("y", "n") or not is_id(parts[1]):
            raise UserError("enrol.invalid")
        result = await self._cases.answer_consent(
            chat, chat, int(parts[1]), parts[0] == "y", language
        )
        if not result.agreed:
            return [Text(t(language, "enrol.refused"))]
        end = result.end_date.strftime("%d/%m/%Y")
        said: list[Content] = [Text(t(language, "enrol.welcome", name=result.full_name, end=end))]
        if result.home_needed:
            said.append(ask_home_on(chat_channel(chat).value, language))
        return said

    async def _located(
        self,
        chat: int,
        lat: float,
        lon: float,
        accuracy_m: float | None,
        when: datetime,
        language: str,
    ) -> list[Content]:
        state = await self._dialogues.current(chat)
        if state is not None and state.flow == HOME_FLOW:
            return await self._home(chat, lat, lon, accuracy_m, when, language)
        given = LocationInput(
            chat_id=chat,
            user_id=chat,
            # No message ids off Telegram: the second of the fix stands in for one.
            message_id=int(when.timestamp()),
            lat=lat,
            lon=lon,
            accuracy_m=accuracy_m,
            date=when,
        )
        result = await self._checkins.location(given)
        if result.status is LocationStatus.OTHER_FLOW:
            return await self._home(chat, lat, lon, accuracy_m, when, language)
        said = display.location_reply(result)
        return [said] if said is not None else []

    async def _home(
        self,
        chat: int,
        lat: float,
        lon: float,
        accuracy_m: float | None,
        when: datetime,
        language: str,
    ) -> list[Content]:
        fix = Fix(lat, lon, accuracy_m, when, FixKind.CURRENT)
        try:
            await self._cases.propose_home(
                chat, chat, fix, forwarded=False, is_venue=False, message_date=when
            )
        except UserError as error:
            channel = chat_channel(chat).value
            return [ask_home_on(channel, language, error.key, **error.params)]
        return [home_sent(language)]

    # ---- contacts and replies -------------------------------------------------------------

    async def _touch(
        self, channel: Channel, address: str, *, phone: str | None = None, add: bool = False
    ) -> int | None:
        """The chat of the sender's conversation, their window opened again; None for a
        stranger on SMS.

        Anyone may follow an OA, so a Zalo follower is added; an SMS from a number no case
        was registered with changes nothing. An SMS from the phone of a person on Zalo
        (who got a prompt by SMS when Zalo could not reach them) goes on in their Zalo
        case's conversation.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            contact: ChannelContact | None
            if add or channel is Channel.ZALO:
                contact = await contact_at(session, channel, address, now, phone=phone)
            else:
                contact = (
                    await session.execute(
                        select(ChannelContact).where(
                            ChannelContact.channel == channel.value,
                            ChannelContact.address == address,
                        )
                    )
                ).scalar_one_or_none()
                if contact is None:
                    contact = await self._sms_alias(session, address, now)
                if contact is None:
                    logger.info("%s message from an unknown address dropped", channel.value)
                    return None
            note_inbound(contact, now)
            chat = info(contact).chat_id
            if channel is Channel.SMS:
                chat = await _conversation_chat(session, chat, address)
            return chat

    async def _sms_alias(
        self, session: AsyncSession, phone: str, now: datetime
    ) -> ChannelContact | None:
        """The SMS contact of a phone that an open case on another channel has, if any."""
        if await _open_case_chat(session, phone) is None:
            return None
        return await contact_at(session, Channel.SMS, phone, now, phone=phone)

    async def _safely(
        self,
        chat: int,
        language: str,
        act: Callable[[], Awaitable[list[Content]]],
    ) -> None:
        """Say what `act` returns; a refusal a service raised is said instead (rolled back)."""
        try:
            said = await act()
        except UserError as error:
            # Off Telegram there are no commands to point to.
            key = "channel.not_understood" if error.key == NOT_UNDERSTOOD else error.key
            said = [Text(t(language, key, **error.params))]
        await self._say(chat, said)

    async def _say(self, chat: int, said: Sequence[Content]) -> None:
        if not said:
            return
        now = self._clock.now()
        async with self._db.transaction() as session:
            for content in said:
                enqueue(
                    session,
                    chat_id=chat,
                    province=None,
                    priority=PRIORITY_REPLY,
                    purpose=REPLY,
                    now=now,
                    content=content,
                )


async def _open_case_chat(session: AsyncSession, phone: str) -> int | None:
    """The chat of the newest open, bound case on Zalo with this phone (whom Zalo could
    not reach, so they were asked by SMS)."""
    chat: int | None = await session.scalar(
        select(Case.chat_id)
        .where(
            Case.phone == phone,
            Case.channel == Channel.ZALO.value,
            Case.status.in_(OPEN_STATUSES),
            Case.chat_id.is_not(None),
        )
        .order_by(Case.id.desc())
        .limit(1)
    )
    return chat


async def _conversation_chat(session: AsyncSession, chat: int, phone: str) -> int:
    """The SMS contact's own chat if a case is bound to it, else its phone's open case's."""
    own = await session.scalar(
        select(Case.id).where(Case.chat_id == chat, Case.status.in_(OPEN_STATUSES)).limit(1)
    )
    if own is not None:
        return chat
    return await _open_case_chat(session, phone) or chat
