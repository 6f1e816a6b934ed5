"""The demo's Zalo and SMS: their stand-ins, the [zalo]/[sms] settings on them, the webhooks.

Everything runs in-process on 127.0.0.1: the Zalo OA stand-in, the Android SMS gateway
app's stand-in (a commune sending from its own phone: replies come straight back to it),
and the desk's web app (`cachly web`'s: the OA's webhook and the SMS callback) on uvicorn.
The demo reads no configuration; these settings are made here, secrets included.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from bot.clock import FakeClock
from bot.config import Settings, ZaloSettings, ZaloTemplateSettings
from bot.messaging.sms.settings import AndroidSettings
from bot.services import Services
from cachly.web import web_app
from cachly.webhooks import server
from standins.sms.android import AndroidStandIn
from standins.zalo import Limits, Template, ZaloStandIn

# The ZNS template a health department registers for the check-in prompt (its price in VND).
PROMPT_TEMPLATE = Template("demo-checkin", {"message": 200, "date": 10, "time": 5}, price_vnd=300)
# A gateway calls back again after a refusal (10 s at first, for the real app): scaled down.
RETRY_SECONDS = 0.05


@dataclass
class ChannelStandIns:
    """The Zalo OA and the SMS gateway phone, and where cachly's webhooks are served."""

    zalo: ZaloStandIn
    sms: AndroidStandIn
    socket: socket.socket
    base_url: str


@asynccontextmanager
async def channel_standins(clock: FakeClock) -> AsyncIterator[ChannelStandIns]:
    """Both stand-ins started on the demo's clock, and the webhooks' socket bound."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        async with (
            ZaloStandIn(now=clock.now, limits=Limits(), templates=[PROMPT_TEMPLATE]) as zalo,
            AndroidStandIn(clock=clock.now, retry_seconds=RETRY_SECONDS) as sms,
        ):
            zalo.webhook_url = f"{base_url}/zalo/webhook"
            for event in ("sms:received", "sms:sent", "sms:delivered", "sms:failed"):
                sms.register_webhook(f"{base_url}/sms/callback", event)
            yield ChannelStandIns(zalo, sms, sock, base_url)
            await sms.settle()
    finally:
        sock.close()


def with_channels(settings: Settings, standins: ChannelStandIns, directory: Path) -> Settings:
    """`settings` with [zalo] and [sms] on the stand-ins."""
    zalo = standins.zalo
    on = ZaloSettings(
        enabled=True,
        app_id=zalo.app_id,
        oa_id=zalo.oa_id,
        app_secret=zalo.tokens.app_secret,
        oa_secret_key=zalo.oa_secret_key,
        refresh_token=zalo.tokens.refresh_token,
        token_file=str(directory / "zalo-token.json"),
        openapi_url=zalo.base_url,
        oauth_url=zalo.base_url,
        business_url=zalo.base_url,
        templates=(
            ZaloTemplateSettings(
                "checkin_prompt",
                PROMPT_TEMPLATE.template_id,
                (("message", "text", 200), ("date", "date", 0), ("time", "time", 0)),
                PROMPT_TEMPLATE.price_vnd,
            ),
        ),
    )
    sms = standins.sms
    android = AndroidSettings(
        login=sms.login,
        password=sms.password,
        base_url=sms.base_url,
        signing_key=sms.signing_key,
        # The demo's clock jumps ten minutes a step; a callback signed just before a step
        # would otherwise look replayed.
        webhook_tolerance_seconds=24 * 3600,
    )
    # The demo's person on SMS has a feature phone: no location link, the reply codes say so.
    on_sms = replace(
        settings.sms, gateway="android", rate_per_second=50.0, location_links=False, android=android
    )
    web = replace(settings.web, base_url=standins.base_url)
    return replace(settings, zalo=on, sms=on_sms, web=web)


@asynccontextmanager
async def serving_webhooks(services: Services, standins: ChannelStandIns) -> AsyncIterator[None]:
    """`cachly web`'s app (the OA's webhook, the SMS callback) on the bound socket."""
    web = server(web_app(services), "127.0.0.1", 0)
    task = asyncio.create_task(web.serve(sockets=[standins.socket]))
    try:
        yield
    finally:
        web.should_exit = True
        await task
