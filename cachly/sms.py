"""The SMS channel's sender: outbox rows to SMS contacts (bot key "sms") through the gateway.

One per deployment (it runs beside the first bot's sender, over the whole deployment's
services): the same claiming, pacing (at `[sms] rate_per_second`), retries and recovery
as every sender, with the SMS renderer and transport. An undeliverable number is
`Forbidden`, and its hook marks the case unreachable as Telegram's does (a case still
waiting for consent too).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from bot.alerts import delivery_resent
from bot.channels import Channel
from bot.checkins import prompts_sent
from bot.messaging.contacts import ContactBook
from bot.messaging.sender import OutboxSender
from bot.messaging.sms import text
from bot.messaging.sms.delivery import number_unreachable
from bot.messaging.sms.links import LocationLinks
from bot.messaging.sms.setup import gateway_for, options_for
from bot.messaging.sms.transport import SmsTransport
from bot.services import Services

# The SMS sender's seat (one active sender per key on PostgreSQL): no Telegram bot's id.
SMS_SENDER_ID = -17


def sms_transport(services: Services) -> SmsTransport | None:
    """The transport of the configured gateway (None: SMS is off)."""
    settings = services.settings
    gateway = gateway_for(settings.sms)
    if gateway is None:
        return None
    links = None
    if settings.sms.location_links:
        links = LocationLinks(
            services.db, services.clock, settings.web.base_url, settings.checkins.window_minutes
        )
    return SmsTransport(
        gateway, ContactBook(services.db), options=options_for(settings.sms), links=links
    )


async def open_sms_sender(services: Services) -> tuple[OutboxSender, SmsTransport] | None:
    """The SMS sender and its transport, started (None: no gateway configured)."""
    transport = sms_transport(services)
    if transport is None:
        return None
    await transport.initialize()
    settings = services.settings
    sender = OutboxSender(
        services.db,
        services.clock,
        transport,
        replace(settings.outbox, rate_per_second=settings.sms.rate_per_second),
        on_forbidden=partial(number_unreachable, services.alerts.config),
        on_resent=delivery_resent,
        on_sent=partial(prompts_sent, services.settings.checkins),
        bot_id=SMS_SENDER_ID,
        bot=Channel.SMS.value,
        render=text.render_stored,
    )
    sender.start()
    return sender, transport


async def close_sms_sender(opened: tuple[OutboxSender, SmsTransport] | None) -> None:
    """Stop the sender (its open calls finish and are recorded), then its gateway."""
    if opened is not None:
        sender, transport = opened
        await sender.stop()
        await transport.shutdown()
