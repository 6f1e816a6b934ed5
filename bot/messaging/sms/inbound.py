"""An SMS that arrived, read against the person's reply codes and handed to the conversation.

The SMS endpoint verifies the gateway's callback (`SmsGateway.read_callback`) and gives
the `InboundSms` here: a repeat of one already handled is dropped (gateways retry a
callback that was slow to answer), the text is read leniently against the codes of the
last question (`replies.py`), and each step goes to `bot.inbound.InboundService` as a
Zalo button or a typed answer would. A number that no case was registered with changes
nothing there.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from bot.channels import Channel
from bot.db import Database
from bot.inbound import InboundService
from bot.messaging.sms.gateway import InboundSms
from bot.messaging.sms.replies import ACTION, ReplyKind, parse
from bot.messaging.updates import HandledUpdates
from bot.models import ChannelContact

# The `handled_updates` key of SMS received (no Telegram bot has a negative id).
SMS_INBOX = -17


class SmsInbound:
    """What a person texts, through the same conversation as every channel."""

    def __init__(self, db: Database, inbound: InboundService, handled: HandledUpdates) -> None:
        self._db = db
        self._inbound = inbound
        self._handled = handled

    async def received(self, sms: InboundSms) -> None:
        """Act on one SMS (once, however often the gateway calls back with it)."""
        key = message_key(sms)
        if not await self._handled.take(key):
            return
        await self._act(sms)
        await self._handled.done(key)

    async def _act(self, sms: InboundSms) -> None:
        phone, inbound = sms.phone, self._inbound
        reply = parse(sms.text, await self._codes(phone))
        if reply.kind is ReplyKind.SOS:
            await inbound.sos(Channel.SMS, phone)
            return
        if reply.kind is ReplyKind.UNKNOWN:
            await inbound.text(Channel.SMS, phone, reply.text)
            return
        for verb, value in reply.steps:
            if verb == ACTION:
                await inbound.action(Channel.SMS, phone, value)
            else:
                await inbound.text(Channel.SMS, phone, value)
        if reply.sos:
            await inbound.sos(Channel.SMS, phone)

    async def _codes(self, phone: str) -> dict[str, str]:
        async with self._db.transaction() as session:
            codes = await session.scalar(
                select(ChannelContact.reply_codes).where(
                    ChannelContact.channel == Channel.SMS.value, ChannelContact.address == phone
                )
            )
        return dict(codes or {})


def message_key(sms: InboundSms) -> int:
    """A 63-bit key of one received SMS: its sender, the gateway's id, its time and text."""
    seen = f"{sms.phone}|{sms.message_id}|{sms.received_at.isoformat()}|{sms.text}"
    return int(hashlib.sha256(seen.encode()).hexdigest()[:15], 16)
