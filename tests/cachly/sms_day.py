"""A deployment with SMS for the end-to-end tests: the real SMS sender against a gateway
stand-in, the web desk (SMS callback and location page) served over HTTP, simulated phones."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from sqlalchemy import select

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Case, OutboxMessage
from bot.services import Services
from cachly.sms import close_sms_sender, open_sms_sender
from standins.sms.android import AndroidStandIn
from standins.sms.base import SmsStandIn
from standins.sms.brandname import BrandnameStandIn
from standins.sms.phones import SimPhone
from tests.conftest import make_settings
from web.app import create_app

BOT = "cachly_test_bot"
OFFICER = 1001
HEADER = "Họ và tên,Số điện thoại,Loại,Kênh,Vĩ độ,Kinh độ\n"
HOME = (19.8067, 105.7852)
SECRET = "s" * 40
# A gateway calls back again after a refusal (10 s at first, for the real app): scaled down.
RETRY_SECONDS = 0.05


@dataclass
class SmsDay:
    """Everything a day of SMS needs, running."""

    services: Services
    standin: SmsStandIn
    base_url: str

    async def received(self, phone: SimPhone, count: int) -> str:
        """Until `phone` holds `count` SMS; the last one's text."""
        await self.standin.wait_for(lambda: len(phone.inbox) >= count, describe=f"SMS {count}")
        return phone.inbox[count - 1].text

    async def reply(self, phone: SimPhone, text: str) -> int:
        """The phone's owner answers; the status cachly's endpoint gave the gateway."""
        if isinstance(self.standin, AndroidStandIn):
            return await self.standin.reply(phone, text)
        assert isinstance(self.standin, BrandnameStandIn)
        return await self.standin.reply(phone, text)

    async def case(self, case_id: int) -> Case:
        """A case as the database holds it now."""
        async with self.services.db.transaction() as session:
            case = await session.get(Case, case_id)
            assert case is not None
            return case

    async def rows(self, chat_id: int) -> list[OutboxMessage]:
        """The outbox rows to a chat, oldest first."""
        async with self.services.db.transaction() as session:
            found = await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id)
                .order_by(OutboxMessage.id)
            )
            return list(found)


def sms_tables(gateway: str, base_url: str, standin: SmsStandIn) -> dict[str, Any]:
    """The [sms] table of a deployment on `standin`."""
    callback = f"{base_url}/sms/callback"
    if gateway == "android":
        assert isinstance(standin, AndroidStandIn)
        return {
            "gateway": "android",
            "rate_per_second": 50.0,
            "android": {
                "base_url": standin.base_url,
                "login": standin.login,
                "password": standin.password,
                "signing_key": standin.signing_key,
            },
        }
    assert isinstance(standin, BrandnameStandIn)
    return {
        "gateway": "brandname",
        "rate_per_second": 50.0,
        "reply_keyword": standin.keyword,
        "reply_number": standin.service_number,
        "brandname": {
            "url": standin.url,
            "api_key": standin.api_key,
            "secret_key": standin.secret_key,
            "brandname": sorted(standin.brandnames)[0],
            "callback_url": callback,
            "callback_token": "report-token",
            "mo_cpid": standin.mo_cpid,
            "mo_private_key": standin.mo_private_key,
        },
    }


@asynccontextmanager
async def sms_day(
    database_url: str, db: Database, clock: FakeClock, gateway: str
) -> AsyncIterator[SmsDay]:
    """The SMS sender, the desk and a gateway stand-in, on the test database and fake clock."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    standin: SmsStandIn
    if gateway == "android":
        standin = AndroidStandIn(clock=clock.now, retry_seconds=RETRY_SECONDS)
    else:
        standin = BrandnameStandIn(
            clock=clock.now, mo_url=f"{base_url}/sms/callback", retry_seconds=RETRY_SECONDS
        )
    async with standin:
        if isinstance(standin, AndroidStandIn):
            for event in ("sms:received", "sms:sent", "sms:delivered", "sms:failed"):
                standin.register_webhook(f"{base_url}/sms/callback", event)
        settings = make_settings(
            database_url,
            web={"base_url": base_url, "secret": SECRET},
            sms=sms_tables(gateway, base_url, standin),
            outbox={"retry_base_seconds": 0.0},
        )
        services = Services(settings, db, clock)
        config = uvicorn.Config(
            create_app(services, secret=SECRET),
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:  # noqa: ASYNC110 - uvicorn's Server offers no event to await
            await asyncio.sleep(0.01)
        opened = await open_sms_sender(services)
        try:
            yield SmsDay(services, standin, base_url)
        finally:
            await close_sms_sender(opened)
            await standin.settle()
            server.should_exit = True
            await task
            sock.close()


async def officer(services: Services) -> None:
    """The commune's officer (on Telegram)."""
    issued = await services.officers.invite("officer", "hac thanh", BOT)
    await services.officers.redeem(issued.link.split("start=")[1], OFFICER, "Cán bộ Hà")


async def import_sms_case(services: Services, name: str, phone: str) -> int:
    """An SMS case with its home, imported from a list; its id."""
    content = HEADER + f"{name},{phone},F1,SMS,{HOME[0]},{HOME[1]}\n"
    outcome = await services.cases.import_file(
        "ds.csv", content.encode(), bot_username=BOT, telegram_user_id=OFFICER
    )
    assert not outcome.problems
    return outcome.created[0].case.id
