"""The configured SMS gateway and the transport's options, from `[sms]`."""

from __future__ import annotations

from bot.config import SmsSettings
from bot.messaging.sms.android import AndroidGateway
from bot.messaging.sms.brandname import BrandnameGateway
from bot.messaging.sms.gateway import SmsGateway
from bot.messaging.sms.text import ReplyVia
from bot.messaging.sms.transport import SmsOptions


def gateway_for(settings: SmsSettings) -> SmsGateway | None:
    """The gateway `[sms] gateway` names (None: SMS is off)."""
    if settings.gateway == "brandname":
        return BrandnameGateway(settings.brandname)
    if settings.gateway == "android":
        return AndroidGateway(settings.android)
    return None


def options_for(settings: SmsSettings) -> SmsOptions:
    """How long a text may be and where replies go."""
    via = None
    if settings.reply_keyword and settings.reply_number:
        via = ReplyVia(settings.reply_keyword, settings.reply_number)
    return SmsOptions(max_segments=settings.max_segments, via=via)
