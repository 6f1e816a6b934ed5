"""The OA's webhook route on the desk's server: refused unless Zalo signed it."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
from sqlalchemy import select

from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.messaging.zalo.webhook import signature
from bot.models import ChannelContact, OutboxMessage
from bot.services import Services
from cachly.web import web_app
from cachly.zalo import zalo_routes

APP, KEY = "3600000000000000001", "oa-secret-key"


def _zalo_on(settings: Settings) -> Settings:
    zalo = replace(
        settings.zalo, enabled=True, app_id=APP, oa_secret_key=KEY, token_file="/nonexistent"
    )
    return replace(settings, zalo=zalo)


def _follow(clock: FakeClock) -> bytes:
    stamp = str(int(clock.now().timestamp() * 1000))
    event = {"app_id": APP, "event_name": "follow", "timestamp": stamp, "follower": {"id": "u1"}}
    return json.dumps(event).encode()


async def test_no_route_while_zalo_is_off(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    assert zalo_routes(Services(settings, db, clock)) == []


async def test_the_desk_serves_the_webhook_and_refuses_a_forgery(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    services = Services(_zalo_on(settings), db, clock)
    app = web_app(services, secret="s" * 40)
    body = _follow(clock)
    stamp = json.loads(body)["timestamp"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://desk"
    ) as desk:
        forged = await desk.post(
            "/zalo/webhook",
            content=body,
            headers={"X-ZEvent-Signature": signature(APP, body, stamp, "guess")},
        )
        unsigned = await desk.post("/zalo/webhook", content=body)
        assert (forged.status_code, unsigned.status_code) == (403, 403)
        async with db.transaction() as session:
            assert (await session.scalars(select(ChannelContact))).all() == []
        genuine = await desk.post(
            "/zalo/webhook",
            content=body,
            headers={"X-ZEvent-Signature": signature(APP, body, stamp, KEY)},
        )
        assert genuine.status_code == 200
        # Zalo repeats an event it got no answer for in time: handled once.
        again = await desk.post(
            "/zalo/webhook",
            content=body,
            headers={"X-ZEvent-Signature": signature(APP, body, stamp, KEY)},
        )
        assert again.status_code == 200
    async with db.transaction() as session:
        [contact] = (await session.scalars(select(ChannelContact))).all()
        assert contact.address == "u1"
        # The welcome is queued for the Zalo sender.
        [row] = (await session.scalars(select(OutboxMessage))).all()
        assert row.bot == "zalo"
