"""Webhook mode: the real Application behind the real uvicorn on 127.0.0.1, posted to like
Telegram posts (JSON, the secret header), answering through the Bot API stand-in."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from bot.clock import FakeClock
from bot.config import Settings, settings_from_mapping
from bot.db import Database
from bot.messaging.pacing import ChatPacer
from bot.services import Services
from cachly.root import build_application, build_bots, webhook_bots
from cachly.web import desk_app
from cachly.webhooks import SECRET_HEADER, WebhookBot, running, server, webhook_app
from handlers.reply import PACER_KEY
from standins.telegram import BotApiStandIn, Limits
from tests.factories import make_case
from tests.handlers.test_bots import lai_chau, on_standins, two_bots
from tests.harness import BOT_USERNAME, TOKEN, start_code

SECRET = "s3cret_token-A"
PATH = "/telegram/main"


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """uvicorn serving `app` on a free port of 127.0.0.1, and a client for it."""
    # The socket bound here first: its port is known at once, and a request made before
    # uvicorn accepts waits in the listen backlog.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    web = server(app, "127.0.0.1", port)
    task = asyncio.create_task(web.serve(sockets=[sock]))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client
    finally:
        web.should_exit = True
        await task
        sock.close()


@dataclass
class Worker:
    """One worker: its Application's bot, its server's client."""

    bot: WebhookBot
    client: httpx.AsyncClient

    async def post(self, update: Any, secret: str | None = SECRET) -> httpx.Response:
        """POST one update as Telegram does."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        return await self.client.post(
            PATH, content=body, headers={"Content-Type": "application/json", **headers}
        )


def webhook_settings(settings: Settings, standin: BotApiStandIn) -> Settings:
    """The settings of a webhook deployment whose Bot API is the stand-in."""
    telegram = replace(
        settings.telegram,
        token=TOKEN,
        base_url=standin.base_url,
        base_file_url=standin.base_file_url,
        bot_username=BOT_USERNAME,
        mode="webhook",
        webhook_url=f"https://bot.example.org{PATH}",
        webhook_secret=SECRET,
    )
    return replace(settings, telegram=telegram)


@asynccontextmanager
async def worker(
    settings: Settings, db: Database, clock: FakeClock, health_db: Database | None = None
) -> AsyncIterator[Worker]:
    """A worker as `cachly run` starts it in webhook mode, on `db`."""
    application = build_application(Services(settings, db, clock))
    assert application.updater is None
    application.bot_data[PACER_KEY] = ChatPacer(1, 0.0)
    bot = WebhookBot("main", PATH, SECRET, application)
    async with running([bot]), serving(webhook_app([bot], health_db or db, clock)) as client:
        yield Worker(bot, client)


@pytest.fixture
async def standin(clock: FakeClock) -> AsyncIterator[BotApiStandIn]:
    """The Bot API stand-in."""
    async with BotApiStandIn(
        TOKEN, bot_username=BOT_USERNAME, clock=clock.now, limits=Limits.off()
    ) as running_standin:
        yield running_standin


@pytest.fixture
async def one(
    settings: Settings, db: Database, clock: FakeClock, standin: BotApiStandIn
) -> AsyncIterator[Worker]:
    """One worker of a webhook deployment."""
    async with worker(webhook_settings(settings, standin), db, clock) as running_worker:
        yield running_worker


async def test_an_update_posted_with_the_secret_is_answered(
    one: Worker, standin: BotApiStandIn
) -> None:
    user = standin.user(501, first_name="Lan")
    await user.send_text("/start")
    [update] = standin.take_updates()
    answer = await one.post(update)
    assert answer.status_code == 200
    message = await user.wait_for_message()
    assert message.text


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_processed(
    one: Worker, standin: BotApiStandIn
) -> None:
    user = standin.user(502)
    await user.send_text("/start")
    await user.send_text("/start")
    await user.send_text("/start")
    wrong, missing, good = standin.take_updates()
    assert (await one.post(wrong, secret="not-the-secret")).status_code == 403
    assert (await one.post(missing, secret=None)).status_code == 403
    assert (await one.post(good)).status_code == 200
    await user.wait_for_message()
    # Only the good update was answered (the other two never reached the Application).
    assert len(user.messages) == 1


async def test_an_unreadable_body_is_answered_200_logged_by_id_and_the_next_is_handled(
    one: Worker, standin: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user = standin.user(503)
    await user.send_text("/start")
    [good] = standin.take_updates()
    for garbage in (
        b"not json {+84987654321",
        b"[1, 2]",
        {"update_id": 9_000_001, "message": "+84987654321 Tr\u1ecbnh"},
        {"no_id": "+84987654321"},
    ):
        assert (await one.post(garbage)).status_code == 200
    assert (await one.post(good)).status_code == 200
    await user.wait_for_message()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "update 9000001 could not be read" in logged
    assert "84987654321" not in logged
    assert "Tr\u1ecbnh" not in logged


async def test_an_unknown_path_is_404_and_a_get_on_a_bot_path_is_refused(one: Worker) -> None:
    assert (await one.client.post("/telegram/other", content=b"{}")).status_code == 404
    assert (await one.client.get("/")).status_code == 404
    assert (await one.client.get(PATH)).status_code == 405


async def test_healthz_reports_the_database_the_schema_the_bots_and_the_outbox(
    one: Worker,
) -> None:
    answer = await one.client.get("/healthz")
    assert answer.status_code == 200
    report = answer.json()
    assert report["ok"] is True
    assert report["database"] == "ok"
    assert report["schema"]["current"] == report["schema"]["head"]
    assert report["bots"] == {"main": True}
    assert report["outbox"] == {"due": 0, "sending": 0}


async def test_healthz_is_503_when_the_database_is_unreachable(
    settings: Settings, db: Database, clock: FakeClock, standin: BotApiStandIn
) -> None:
    url = (
        "sqlite+aiosqlite:////nonexistent-dir/cachly.sqlite3"
        if db.settings.is_sqlite
        else "postgresql+asyncpg://postgres@127.0.0.1:1/cachly_gone"
    )
    gone = Database(settings_from_mapping({}, {"CACHLY_DATABASE_URL": url}).database)
    try:
        async with worker(webhook_settings(settings, standin), db, clock, gone) as w:
            answer = await w.client.get("/healthz")
    finally:
        await gone.dispose()
    assert answer.status_code == 503
    report = answer.json()
    assert report["ok"] is False
    assert report["database"].startswith("unreachable")
    assert report["bots"] == {"main": True}


async def test_two_workers_on_one_database_handle_a_repeated_update_once(
    settings: Settings, db: Database, clock: FakeClock, standin: BotApiStandIn
) -> None:
    hooked = webhook_settings(settings, standin)
    other_db = Database(db.settings)  # the second worker's own connections
    async with worker(hooked, db, clock) as first, worker(hooked, other_db, clock) as second:
        user = standin.user(504)
        await user.send_text("/start")
        [update] = standin.take_updates()
        # Telegram repeats a delivery it saw no answer to; here one to each worker at once.
        answers = await asyncio.gather(first.post(update), second.post(update))
        assert [answer.status_code for answer in answers] == [200, 200]
        await user.wait_for_message()
        # A later update still goes through, whichever worker gets it.
        await user.send_text("/start")
        [later] = standin.take_updates()
        assert (await second.post(later)).status_code == 200
        await user.wait_for_message()
    assert len(user.messages) == 2


async def test_every_bot_at_its_own_path_with_its_own_secret(
    database_url: str, db: Database, clock: FakeClock
) -> None:
    """Two provinces' bots in one worker: each update reaches its bot, answered by that bot."""
    base = two_bots(database_url)
    webhook = replace(base.telegram, mode="webhook", webhook_url="https://bot.example.org")
    async with (
        lai_chau(db),
        on_standins(replace(base, telegram=webhook), clock) as (settings, standins),
    ):
        hooked = webhook_bots(settings, build_bots(settings, db, clock))
        assert [(b.key, b.path) for b in hooked] == [("a", "/telegram/a"), ("b", "/telegram/b")]
        async with running(hooked), serving(webhook_app(hooked, db, clock)) as client:
            for key, standin in standins.items():
                other = "b" if key == "a" else "a"
                user = standin.user(4200 + len(key), first_name="Khách")
                await user.send_text("/whoami")
                [update] = standin.take_updates()
                body = json.dumps(update).encode()
                headers = {"Content-Type": "application/json"}
                # Another bot's secret on this bot's path: refused, nothing processed.
                refused = await client.post(
                    f"/telegram/{key}",
                    content=body,
                    headers={**headers, SECRET_HEADER: f"s-{other}"},
                )
                assert refused.status_code == 403
                taken = await client.post(
                    f"/telegram/{key}", content=body, headers={**headers, SECRET_HEADER: f"s-{key}"}
                )
                assert taken.status_code == 200
                assert (await user.wait_for_message()).text
            # Each bot answered its own user, and no one else's.
            for key, standin in standins.items():
                chats = {c.chat_id for c in standin.calls if c.method == "sendMessage"}
                assert chats == {4200 + len(key)}


async def test_the_desk_is_served_beside_the_webhooks_and_links_name_the_running_bot(
    settings: Settings, db: Database, clock: FakeClock, standin: BotApiStandIn
) -> None:
    """One server per worker: a bot's update, /healthz and the desk's pages, over HTTP."""
    hooked = webhook_settings(settings, standin)
    # No username configured: the enrolment link names the bot as Telegram knows it (getMe).
    hooked = replace(hooked, telegram=replace(hooked.telegram, bot_username=""))
    services = Services(hooked, db, clock)
    application = build_application(services)
    application.bot_data[PACER_KEY] = ChatPacer(1, 0.0)
    bot = WebhookBot("main", PATH, SECRET, application)
    desk = desk_app(services, {38: application})
    issued = await services.officers.invite("officer", "hac thanh", BOT_USERNAME)
    await services.officers.redeem(start_code(issued.link), 1001, "Lan")
    case_id = await make_case(db, clock.now(), status="pending")
    async with running([bot]), serving(webhook_app([bot], db, clock, desk=desk)) as client:
        public = await client.get("/tinh-hinh")
        assert public.status_code == 200
        assert "Tình hình cách ly tại nhà" in public.text
        assert (await client.get("/ban-do")).status_code == 401
        signin = urlsplit((await services.signins.issue(1001)).url).path
        assert (await client.get(signin)).status_code == 303
        page = await client.get(f"/ca/{case_id}")
        assert page.status_code == 200
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        link = await client.post(
            f"/ca/{case_id}/duong-dan-moi", data={"csrf": csrf, "confirm": "1"}
        )
        assert f"https://t.me/{BOT_USERNAME}?start=" in link.text
        # The bots' paths and /healthz are the webhook server's, as before.
        user = standin.user(505, first_name="Lan")
        await user.send_text("/start")
        [update] = standin.take_updates()
        body = json.dumps(update).encode()
        posted = await client.post(PATH, content=body, headers={SECRET_HEADER: SECRET})
        assert posted.status_code == 200
        await user.wait_for_message()
        assert (await client.get("/healthz")).json()["ok"] is True
        assert (await client.get(PATH)).status_code == 405
        assert (await client.post("/telegram/other", content=b"{}")).status_code == 404
        assert (await client.get("/no-such-page")).status_code == 404
