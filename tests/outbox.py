"""Reading outbox rows in tests as Telegram would receive them."""

from __future__ import annotations

from bot.messaging.telegram.render import render_stored
from bot.messaging.transport import ApiCall
from bot.models import OutboxMessage


def wire(row: OutboxMessage) -> ApiCall:
    """The Bot API call an outbox row becomes when it is sent."""
    # An edit's message id is known only once its target went out; 0 stands in for it.
    edit = 0 if row.edit_of_id is not None else None
    return render_stored(row.kind, row.body, row.chat_id, edit_message_id=edit)
