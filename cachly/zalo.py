"""The Zalo channel, built: its outbox sender (bot key "zalo") and the OA's webhook route.

The sender is an ordinary OutboxSender over the Zalo renderer and transport
(bot/messaging/zalo/): the rows to Zalo contacts, with the same claiming, pacing, retries
and recovery as Telegram's, at [zalo] rate_per_second. The webhook route verifies each
event's signature (refused with 403 otherwise, nothing read), parses it and hands it to
bot/inbound.py; it answers 200 at once for anything genuine, as Zalo wants within two
seconds (it repeats an event for twelve hours otherwise). An event Zalo repeats, or that
reaches two workers, is handled once (bot/messaging/updates.py, keyed by the event's
message id or its sender, kind and time). It is served by `cachly web` and by the webhook
server, at [zalo] webhook_path.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.alerts import chat_unreachable, delivery_resent
from bot.channels import Channel
from bot.checkins import prompts_sent
from bot.messaging.contacts import ContactBook
from bot.messaging.fallback import hand_on_to_sms
from bot.messaging.sender import OutboxSender
from bot.messaging.updates import HandledUpdates
from bot.messaging.zalo import webhook
from bot.messaging.zalo.client import ZaloClient, ZaloUrls
from bot.messaging.zalo.render import render_stored
from bot.messaging.zalo.templates import ZnsParam, ZnsTemplate, by_purpose
from bot.messaging.zalo.tokens import TokenKeeper
from bot.messaging.zalo.transport import ZaloTransport
from bot.messaging.zalo.usage import ZnsLedger
from bot.services import Services
from bot.text import fold

logger = logging.getLogger(__name__)

BOT_KEY = Channel.ZALO.value
# The sender's id for its seat and its PostgreSQL lock: ASCII "zalo", no Telegram bot's.
SENDER_ID = 0x7A616C6F
# A one-time code typed (or pasted) instead of coming with the follow: p_ and 32 URL-safe
# characters (bot/tokens.py).
_CODE = re.compile(r"p_[A-Za-z0-9_-]{20,62}")
_SOS = frozenset({"sos", "cuu", "cuu toi", "cap cuu"})


@dataclass
class ZaloChannel:
    """What a process needs of Zalo: its client and its transport (for the statistics)."""

    client: ZaloClient
    transport: ZaloTransport


def zalo_channel(services: Services) -> ZaloChannel:
    """The client, token keeper and transport of the configured OA."""
    zalo = services.settings.zalo
    client = ZaloClient(
        ZaloUrls(zalo.openapi_url, zalo.oauth_url, zalo.business_url),
        timeout=services.settings.outbox.request_timeout_seconds,
    )
    tokens = TokenKeeper(
        client,
        app_id=zalo.app_id,
        app_secret=zalo.app_secret,
        state_file=Path(zalo.token_file),
        clock=services.clock,
        initial_refresh_token=zalo.refresh_token,
    )
    templates = by_purpose(
        ZnsTemplate(
            t.purpose,
            t.template_id,
            tuple(ZnsParam(name, source, length) for name, source, length in t.params),
            t.price_vnd,
        )
        for t in zalo.templates
    )
    transport = ZaloTransport(
        client,
        tokens,
        ContactBook(services.db),
        clock=services.clock,
        templates=templates,
        tz=services.settings.schedule.tz,
        ledger=ZnsLedger(services.db),
    )
    return ZaloChannel(client, transport)


async def open_zalo_sender(services: Services) -> tuple[OutboxSender, ZaloChannel]:
    """The Zalo contacts' outbox sender of this process, started."""
    channel = zalo_channel(services)
    rate = services.settings.zalo.rate_per_second
    settings = replace(services.settings.outbox, rate_per_second=rate)
    sender = OutboxSender(
        services.db,
        services.clock,
        channel.transport,
        settings,
        # Zalo cannot reach them now (its window closed, no template fits): the same
        # message goes to their phone by SMS when the deployment has SMS; without SMS, or
        # without Zalo at all, the officers are told, as for a Telegram chat that blocked
        # the bot.
        on_forbidden=partial(chat_unreachable, services.alerts.config),
        on_hand_on=hand_on_to_sms if services.settings.sms.enabled else None,
        on_resent=delivery_resent,
        on_sent=partial(prompts_sent, services.settings.checkins),
        bot_id=SENDER_ID,
        bot=BOT_KEY,
        render=render_stored,
    )
    sender.start()
    return sender, channel


async def close_zalo_sender(sender: OutboxSender, channel: ZaloChannel) -> None:
    """Stop the sender (its open calls finish and are recorded), then the client."""
    await sender.stop()
    await channel.client.aclose()


# ---- the webhook --------------------------------------------------------------------


def zalo_routes(services: Services) -> list[Route]:
    """The OA's webhook route, if the Zalo channel is on."""
    zalo = services.settings.zalo
    if not zalo.enabled:
        return []
    # A worker that took an event and died: another takes it after this long.
    handled = HandledUpdates(services.db, services.clock, SENDER_ID, reclaim_seconds=60.0)
    return [Route(zalo.webhook_path, partial(_receive, services, handled), methods=["POST"])]


def event_key(payload: dict[str, object]) -> int:
    """A 63-bit id of an event: the same for Zalo's repeats of it, distinct from others'."""
    message = payload.get("message")
    msg_id = message.get("msg_id") if isinstance(message, dict) else None
    parts = (
        [str(payload.get("event_name")), str(msg_id)]
        if msg_id
        else [str(payload.get(k)) for k in ("event_name", "sender", "follower", "timestamp")]
    )
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


async def _receive(services: Services, handled: HandledUpdates, request: Request) -> Response:
    zalo = services.settings.zalo
    body = await request.body()
    try:
        payload = webhook.verify(
            body,
            request.headers.get("X-ZEvent-Signature"),
            app_id=zalo.app_id,
            oa_secret_key=zalo.oa_secret_key,
            now=services.clock.now(),
        )
    except webhook.WebhookRefused as refused:
        # What was refused is not read further, and never logged (it may be anyone's).
        logger.warning("zalo webhook: refused (%s)", refused)
        return Response(status_code=403)
    event = webhook.parse(payload)
    key = event_key(payload)
    if not await handled.take(key):
        return Response()  # a repeat: handled (or being handled) already
    try:
        await handle_event(services, event)
    except Exception:
        # Answered 200 all the same: Zalo would repeat it for hours, failing each time.
        logger.exception("zalo webhook: %s not handled", type(event).__name__)
    await handled.done(key)
    return Response()


async def handle_event(services: Services, event: webhook.Event) -> None:
    """Hand a verified event to the person's conversation (bot/inbound.py)."""
    inbound = services.inbound
    zalo = Channel.ZALO
    match event:
        case webhook.Follow(user_id=user, ref=ref):
            await inbound.follow(zalo, user, code=ref if ref and _CODE.fullmatch(ref) else None)
        case webhook.Press(user_id=user, action=action):
            await inbound.action(zalo, user, action)
        case webhook.TextMessage(user_id=user, text=text):
            await _text(services, user, text)
        case webhook.SharedLocation(user_id=user, latitude=lat, longitude=lon, at=at):
            # No accuracy comes from Zalo: accepted as weaker evidence, as on Telegram.
            await inbound.location(zalo, user, lat, lon, None, at)
        case webhook.UnreadableLocation(user_id=user, at=at):
            # Impossible coordinates: answered as any unusable fix is, asked again.
            await inbound.location(zalo, user, math.nan, math.nan, None, at)
        case webhook.Delivered(tracking_id=tracking, at=at) if tracking:
            await ZnsLedger(services.db).delivered(tracking, at)
        case _:
            pass  # unfollow, delivery receipts, stickers: nothing to answer


async def _text(services: Services, user: str, text: str) -> None:
    stripped = text.strip()
    if _CODE.fullmatch(stripped):
        # The one-time code sent in the chat (the follow did not carry it).
        await services.inbound.follow(Channel.ZALO, user, code=stripped)
    elif fold(stripped).strip(" .!") in _SOS:
        await services.inbound.sos(Channel.ZALO, user)
    else:
        await services.inbound.text(Channel.ZALO, user, text)
