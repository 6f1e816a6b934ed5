"""Writing to the outbox: messages that are not direct replies are sent later, by priority.

A service adds rows in the same unit of work as the change that causes them, so an alert
is never recorded without its messages, nor a message sent for a change that rolled back.
The sender drains the table within Telegram's limits, rendering each row for its channel.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.messaging.message import Content, from_json, to_json
from bot.messaging.telegram.render import TELEGRAM_CALL
from bot.models import OutboxMessage


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

Keyboard = list[list[dict[str, Any]]]


def inline_keyboard(rows: Keyboard) -> dict[str, Any]:
    """A Bot API inline keyboard from rows of button dicts."""
    return {"inline_keyboard": rows}


def callback_button(text: str, data: str) -> dict[str, Any]:
    """An inline button that sends callback data (at most 64 bytes, as Telegram demands)."""
    if len(data.encode("utf-8")) > 64:
        raise ValueError("callback data over Telegram's 64-byte limit")
    return {"text": text, "callback_data": data}


def url_button(text: str, url: str) -> dict[str, Any]:
    """An inline button that opens a link."""
    return {"text": text, "url": url}


def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    priority: int,
    purpose: str,
    now: datetime,
    content: Content | None = None,
    method: str | None = None,
    params: dict[str, Any] | None = None,
    not_before: datetime | None = None,
    ref_id: int | None = None,
    edit_of_id: int | None = None,
) -> OutboxMessage:
    """Add a message to the outbox within the caller's unit of work.

    For an edit of a text the outbox itself sends, pass `edit_of_id` (the row must be
    flushed): the sender fills in its message id once that message has gone out.
    """
    if content is not None:
        kind, body = to_json(content)
    else:
        assert method is not None
        assert params is not None
        kind, body = TELEGRAM_CALL, {"method": method, "params": params}
    row = OutboxMessage(
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


def stored_content(row: OutboxMessage) -> Content | None:
    """What a row says, or None for a Bot API call kept from before channel-free content."""
    if row.kind == TELEGRAM_CALL:
        return None
    return from_json(row.kind, row.body)


def enqueue_text(
    session: AsyncSession,
    *,
    chat_id: int,
    text: str,
    priority: int,
    purpose: str,
    now: datetime,
    reply_markup: dict[str, Any] | None = None,
    not_before: datetime | None = None,
    ref_id: int | None = None,
) -> OutboxMessage:
    """Queue an HTML text message."""
    params: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
    if reply_markup is not None:
        params["reply_markup"] = reply_markup
    return enqueue(
        session,
        chat_id=chat_id,
        method="sendMessage",
        params=params,
        priority=priority,
        purpose=purpose,
        now=now,
        not_before=not_before,
        ref_id=ref_id,
    )
