"""The Zalo stand-in enforces what Zalo enforces, driven over real HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.clock import FakeClock
from bot.messaging.zalo.webhook import Press, TextMessage, WebhookRefused, parse, verify
from standins.zalo import Limits, Received, Template, ZaloStandIn

TEMPLATE = Template("tpl-1", {"message": 20, "time": 5}, price_vnd=300)


class Receiver(tornado.web.RequestHandler):
    """The bot's end of the webhook: verifies as the channel does, keeps what it accepted."""

    def initialize(self, standin: ZaloStandIn, clock: FakeClock, accepted: list[Any]) -> None:
        self.standin, self.clock, self.accepted = standin, clock, accepted

    def post(self) -> None:
        try:
            payload = verify(
                self.request.body,
                self.request.headers.get("X-ZEvent-Signature"),
                app_id=self.standin.app_id,
                oa_secret_key=self.standin.oa_secret_key,
                now=self.clock.now(),
            )
        except WebhookRefused:
            self.set_status(403)
            return
        self.accepted.append(parse(payload))


@pytest.fixture
async def zalo(clock: FakeClock) -> AsyncIterator[ZaloStandIn]:
    async with ZaloStandIn(now=clock.now, templates=[TEMPLATE]) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


async def _cs(
    http: httpx.AsyncClient, zalo: ZaloStandIn, token: str, user: str, message: dict[str, Any]
) -> dict[str, Any]:
    response = await http.post(
        zalo.base_url + "/v3.0/oa/message/cs",
        headers={"access_token": token},
        json={"recipient": {"user_id": user}, "message": message},
    )
    assert response.status_code == 200
    return dict(response.json())


async def _zns(
    http: httpx.AsyncClient, zalo: ZaloStandIn, token: str, **body: object
) -> dict[str, Any]:
    response = await http.post(
        zalo.base_url + "/message/template", headers={"access_token": token}, json=body
    )
    return dict(response.json())


async def test_access_tokens_expire_and_refresh_tokens_are_single_use(
    zalo: ZaloStandIn, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    url = zalo.base_url + "/v4/oa/access_token"
    first = zalo.tokens.refresh_token
    form = {"app_id": zalo.app_id, "grant_type": "refresh_token", "refresh_token": first}
    grant = (await http.post(url, headers={"secret_key": "stand-in-app-secret"}, data=form)).json()
    assert grant["expires_in"] == "90000"
    assert grant["refresh_token"] != first
    again = (await http.post(url, headers={"secret_key": "stand-in-app-secret"}, data=form)).json()
    assert again["error"] == -14014
    wrong = (await http.post(url, headers={"secret_key": "nope"}, data=form)).json()
    assert wrong["error"] == -14003
    zalo.user("u1").person.following = True
    assert (await _cs(http, zalo, "made-up", "u1", {"text": "x"}))["error"] == -216
    clock.advance(timedelta(hours=25))
    assert (await _cs(http, zalo, grant["access_token"], "u1", {"text": "x"}))["error"] == -220


async def test_free_messages_go_to_followers_within_48_hours_8_at_a_time(
    zalo: ZaloStandIn, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    token = zalo.tokens.issue_access_token()
    person = zalo.user("u1").person
    assert (await _cs(http, zalo, token, "u1", {"text": "x"}))["error"] == -213
    person.following = True
    assert (await _cs(http, zalo, token, "u1", {"text": "x"}))["error"] == -232  # never wrote
    person.last_interaction = clock.now()
    answers = [(await _cs(http, zalo, token, "u1", {"text": "x"}))["error"] for _ in range(9)]
    assert answers == [0] * 8 + [-232]
    person.last_interaction, person.window_count = clock.now(), 0
    clock.advance(timedelta(hours=48))
    token = zalo.tokens.issue_access_token()
    assert (await _cs(http, zalo, token, "u1", {"text": "x"}))["error"] == -232
    assert len(person.received) == 8


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"text": "x" * 2001}, -210),
        ({"text": " "}, -201),
        ({}, -201),
        (
            {
                "text": "?",
                "attachment": {
                    "type": "template",
                    "payload": {
                        "buttons": [
                            {"title": str(i), "type": "oa.query.hide", "payload": "#a:x"}
                            for i in range(6)
                        ]
                    },
                },
            },
            -210,
        ),
        (
            {
                "text": "?",
                "attachment": {
                    "type": "template",
                    "payload": {
                        "buttons": [{"title": "", "type": "oa.query.hide", "payload": "x"}]
                    },
                },
            },
            -201,
        ),
        (
            {
                "text": "?",
                "attachment": {
                    "type": "template",
                    "payload": {"buttons": [{"title": "a", "type": "callback", "payload": "x"}]},
                },
            },
            -201,
        ),
    ],
)
async def test_what_zalo_refuses_in_a_message(
    zalo: ZaloStandIn, http: httpx.AsyncClient, clock: FakeClock, message: dict[str, Any], code: int
) -> None:
    person = zalo.user("u1").person
    person.following, person.last_interaction = True, clock.now()
    token = zalo.tokens.issue_access_token()
    assert (await _cs(http, zalo, token, "u1", message))["error"] == code
    assert person.received == []


async def test_template_messages_need_a_registered_template_its_exact_params_and_zalo(
    zalo: ZaloStandIn, http: httpx.AsyncClient
) -> None:
    token = zalo.tokens.issue_access_token()
    zalo.user("u1", phone="+84912345678")
    good = {"message": "Đến giờ khai báo", "time": "08:00"}
    base = {"template_id": "tpl-1", "template_data": good, "tracking_id": "t1"}
    assert (await _zns(http, zalo, token, phone="12345", **base))["error"] == -108
    assert (await _zns(http, zalo, token, phone="84987000111", **base))["error"] == -118
    other = {**base, "template_id": "tpl-9"}
    assert (await _zns(http, zalo, token, phone="0912345678", **other))["error"] == -109
    for data in ({"message": "x"}, {**good, "name": "An"}, {**good, "message": "x" * 21}):
        body = {**base, "template_data": data}
        assert (await _zns(http, zalo, token, phone="84912345678", **body))["error"] == -112
    assert (await _zns(http, zalo, "x", phone="84912345678", **base))["error"] == -124
    sent = await _zns(http, zalo, token, phone="84912345678", **base)
    assert sent["error"] == 0
    assert sent["data"]["quota"]["remainingQuota"] == "499"
    [received] = zalo.users["u1"].received
    assert (received.via, received.template_data, received.tracking_id) == ("zns", good, "t1")
    assert (zalo.zns_sent, zalo.zns_cost_vnd) == (1, 300)


async def test_more_requests_a_second_than_the_limit_are_refused(
    clock: FakeClock, http: httpx.AsyncClient
) -> None:
    now = [0.0]
    async with ZaloStandIn(
        now=clock.now, limits=Limits(per_second=2), monotonic=lambda: now[0]
    ) as zalo:
        token = zalo.tokens.issue_access_token()
        codes = [(await _cs(http, zalo, token, "nobody", {"text": "x"}))["error"] for _ in range(3)]
        assert codes == [-201, -201, -32]
        now[0] = 1.5
        assert (await _cs(http, zalo, token, "nobody", {"text": "x"}))["error"] == -201


async def test_people_post_signed_events_that_the_channel_accepts_and_forgeries_it_does_not(
    zalo: ZaloStandIn, clock: FakeClock
) -> None:
    accepted: list[Any] = []
    app = tornado.web.Application(
        [(r"/zalo/webhook", Receiver, {"standin": zalo, "clock": clock, "accepted": accepted})]
    )
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    zalo.webhook_url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/zalo/webhook"
    try:
        user = zalo.user("u1", phone="0912345678")
        assert await user.follow(ref="CODE") == 200
        assert await user.send_text("khoẻ") == 200
        assert await user.send_text("SOS", key="guessed-secret") == 403
        assert await user.share_location(19.8, 105.78) == 200
        user.person.received.append(_with_button(zalo))
        assert await user.press("Khoẻ") == 200
    finally:
        server.stop()
    names = [type(event).__name__ for event in accepted]
    assert names == ["Follow", "TextMessage", "SharedLocation", "Press"]
    assert accepted[0].ref == "CODE"
    assert isinstance(accepted[1], TextMessage)
    assert isinstance(accepted[3], Press)
    assert accepted[3].action == "ci:1:f:ok"
    assert [d.status for d in zalo.deliveries] == [200, 200, 403, 200, 200]
    # The window opened with the follow and was reset by each genuine message.
    assert user.person.last_interaction == clock.now()
    body = json.dumps(zalo.deliveries[0].event)
    assert "CODE" in body


def _with_button(zalo: ZaloStandIn) -> Received:
    button = {"title": "Khoẻ", "type": "oa.query.hide", "payload": "#a:ci:1:f:ok"}
    return Received(zalo.next_msg_id(), "cs", zalo.now(), "Bạn thấy thế nào?", [button])
