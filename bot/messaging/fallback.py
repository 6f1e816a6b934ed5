"""When Zalo cannot reach a person now, the same message goes to their phone by SMS.

Zalo's free window closes 48 hours after the person last wrote; outside it only a
registered template may go, and not every message has one. Such a row is settled failed on
Zalo and, in the same unit of work, queued again for the SMS contact of the person's phone,
with its priority, purpose and reference, so a prompt's check-in waits for the SMS and an
answer by SMS goes on in the Zalo case's conversation (bot/inbound.py).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import Channel, contact_chat_id
from bot.messaging.contacts import contact_at, contact_of_chat
from bot.messaging.message import from_json
from bot.messaging.outbox import enqueue
from bot.models import Checkin, OutboxMessage

logger = logging.getLogger(__name__)


async def hand_on_to_sms(session: AsyncSession, row_id: int, now: datetime) -> bool:
    """Queue a Zalo row again for its person's phone by SMS; False if they have no phone."""
    row = await session.get(OutboxMessage, row_id)
    if row is None:
        return False
    zalo = await contact_of_chat(session, row.chat_id)
    if zalo is None or zalo.phone is None:
        return False
    if row.edit_of_id is not None or not row.body:
        # An SMS cannot change a message already on the phone: nothing to send, no alarm.
        return True
    sms = await contact_at(
        session, Channel.SMS, zalo.phone, now, phone=zalo.phone, language=zalo.language
    )
    again = enqueue(
        session,
        chat_id=contact_chat_id(Channel.SMS, sms.id),
        province=None,
        priority=row.priority,
        purpose=row.purpose,
        now=now,
        content=from_json(row.kind, row.body),
        ref_id=row.ref_id,
    )
    await session.flush()
    # A prompt's check-in opens its window when the message reaching the person is sent.
    await session.execute(
        update(Checkin).where(Checkin.prompt_outbox_id == row.id).values(prompt_outbox_id=again.id)
    )
    logger.info("outbox row %s handed on to SMS as row %s", row.id, again.id)
    return True
