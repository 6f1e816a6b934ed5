"""Writing to the outbox: messages that are not direct replies are sent later, by priority.

A service adds rows in the same unit of work as the change that causes them, so an alert
is never recorded without its messages, nor a message sent for a change that rolled back.
The sender drains the table within Telegram's limits, rendering each row for its channel.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import Channel, chat_channel
from bot.messaging.message import Content, Text, from_json, to_json
from bot.messaging.telegram.render import TELEGRAM_CALL, call_shows
from bot.models import OutboxMessage
from bot.routing import routing_of


class OutboxState(StrEnum):
    """Where a row is on its way out."""

    PENDING = "pending"  # waiting for its time (not_before) and a free send slot
    SENDING = "sending"  # claimed by a sender; not_before holds the claim's lease
    SENT = "sent"
    FAILED = "failed"


PENDING, SENDING, SENT, FAILED = (
    OutboxState.PENDING,
    OutboxState.SENDING,
    OutboxState.SENT,
    OutboxState.FAILED,
)

# Lower is sent first.
PRIORITY_URGENT = 0  # sos, danger signs
PRIORITY_ALERT = 10  # every other alert and its updates
PRIORITY_REPLY = 20  # answers and notices to one person
PRIORITY_PROMPT = 30  # check-in prompts and reminders
PRIORITY_DIGEST = 40  # digests, exports


def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    province: int | None,
    priority: int,
    purpose: str,
    now: datetime,
    content: Content,
    not_before: datetime | None = None,
    ref_id: int | None = None,
    edit_of_id: int | None = None,
    bot: str | None = None,
) -> OutboxMessage:
    """Add a message to the outbox within the caller's unit of work.

    It is sent by the bot of `province`, the recipient's (the case's, the officer's, the
    report's commune's); without one, by the bot of the unit of work (a direct reply). An
    edit names the bot of the message it edits in `bot`: only that bot can edit it. A
    contact's row (a person on Zalo or SMS) is sent by that channel's sender, whose key is
    the channel's name.
    For an edit of a text the outbox itself sends, pass `edit_of_id` (the row must be
    flushed): the sender fills in its message id once that message has gone out.
    """
    kind, body = to_json(content)
    channel = chat_channel(chat_id)
    if channel is not Channel.TELEGRAM:
        bot = channel.value
    row = OutboxMessage(
        bot=bot or routing_of(session).bot_of(province),
        chat_id=chat_id,
        kind=kind,
        body=body,
        priority=priority,
        purpose=purpose,
        ref_id=ref_id,
        not_before=not_before or now,
        created_at=now,
        state=PENDING,
        attempts=0,
        edit_of_id=edit_of_id,
    )
    session.add(row)
    return row


def shows(row: OutboxMessage, content: Text) -> bool:
    """Whether a row already says exactly `content` (so an edit to it would change nothing)."""
    if not row.body:
        return False  # unknown (purged by retention): edit rather than guess
    if row.kind == TELEGRAM_CALL:
        # Queued as a Bot API call before content was channel-free (an upgrade mid-alert).
        return call_shows(row.body, content, row.chat_id)
    return from_json(row.kind, row.body) == content
