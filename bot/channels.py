"""The channels a person in isolation may be reached on, and the chat ids of contacts.

Officers and supervisors are always on Telegram (and the web desk). A person may be on
Telegram, on Zalo (an Official Account's follower) or on SMS. A person off Telegram is a
*contact* (`ChannelContact`), and every contact has a chat id of its own, below any chat
id Telegram can give (Bot API ids have at most 52 significant bits): cases, dialogues and
the outbox address contacts exactly as they address Telegram chats, so no service needs
to know which channel carries what it says.
"""

from __future__ import annotations

from enum import StrEnum

from bot.text import fold


class Channel(StrEnum):
    """What carries the messages of a person."""

    TELEGRAM = "telegram"
    ZALO = "zalo"
    SMS = "sms"


# A contact's chat id is its channel's base minus the contact's id: far below -2**53.
_BASES = {Channel.ZALO: -(2**60), Channel.SMS: -(2**61)}
_MAX_CONTACT_ID = 2**59

# Words an officer may write in a list's "Kênh" column or after /channel.
_NAMES = {
    "telegram": Channel.TELEGRAM,
    "tg": Channel.TELEGRAM,
    "zalo": Channel.ZALO,
    "sms": Channel.SMS,
    "tin nhan": Channel.SMS,
    "nhan tin": Channel.SMS,
    "text": Channel.SMS,
}


def contact_chat_id(channel: Channel, contact_id: int) -> int:
    """The chat id by which cases, dialogues and the outbox address a contact."""
    if channel is Channel.TELEGRAM or not 0 < contact_id < _MAX_CONTACT_ID:
        raise ValueError("a contact is on Zalo or SMS, with a positive id")
    return _BASES[channel] - contact_id


def chat_channel(chat_id: int) -> Channel:
    """The channel of a chat id: a contact's, or else Telegram's."""
    if chat_id <= _BASES[Channel.SMS]:
        return Channel.SMS
    if chat_id <= _BASES[Channel.ZALO]:
        return Channel.ZALO
    return Channel.TELEGRAM


def contact_id_of(chat_id: int) -> int | None:
    """The contact behind a chat id; None for a Telegram chat."""
    channel = chat_channel(chat_id)
    if channel is Channel.TELEGRAM:
        return None
    return _BASES[channel] - chat_id


def parse_channel(value: str) -> Channel | None:
    """A channel from what an officer wrote ("Zalo", "SMS", "tin nhắn"); None if unknown."""
    return _NAMES.get(fold(value))
