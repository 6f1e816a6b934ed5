"""A commune's list with mixed channels through a day, end to end (issue #17's "done when").

The real root (the Telegram bot for the officer and one person, the Zalo and SMS senders)
against the Bot API, Zalo OA and Android SMS gateway stand-ins, with the web desk (the OA's
webhook, the SMS callback, the location page) served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import uvicorn
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Alert, Case, ChannelContact, Checkin, OutboxMessage
from cachly.web import web_app
from standins.sms.android import AndroidStandIn
from standins.sms.phones import SimPhone
from standins.telegram import User
from standins.zalo import Limits, Received, ZaloStandIn, ZaloUser
from tests.cachly.sms_day import SECRET, sms_tables
from tests.cachly.test_zalo import PROMPT, REMINDER, zalo_on
from tests.conftest import make_settings
from tests.harness import BOT_USERNAME, Harness, running_bot, start_code

OFFICER = 1001
TELEGRAM_PERSON = 5001
HOME = (19.8067, 105.7852)
FAR = (19.8167, 105.7852)  # ~1.1 km north
ZALO_PHONE, SMS_PHONE = "+84912000011", "+84912000012"
ZALO_USER = "8100000000000000011"
LIST = (
    "Họ và tên,Số điện thoại,Loại,Kênh,Vĩ độ,Kinh độ\n"
    f"Nguyễn Văn An,0912000010,F1,Telegram,{HOME[0]},{HOME[1]}\n"
    f"Lê Thị Hoa,{ZALO_PHONE},F1,Zalo,{HOME[0]},{HOME[1]}\n"
    f"Trần Thị Bình,{SMS_PHONE},F1,SMS,{HOME[0]},{HOME[1]}\n"
)
LINK = re.compile(r"https?://\S+/l/[A-Za-z0-9_-]{22}")


@dataclass
class Commune:
    """The deployment and everyone in the commune."""

    harness: Harness
    zalo: ZaloStandIn
    sms: AndroidStandIn
    base_url: str
    officer: User
    telegram: User
    hoa: ZaloUser
    binh: SimPhone

    async def at(self, hhmm: str, day: int) -> None:
        """Move the clock to a local time in Vietnam and run the check-ins' tick."""
        hour, minute = map(int, hhmm.split(":"))
        self.harness.clock.set(
            datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)
        )
        await self.harness.services.checkins.tick()

    async def drained(self) -> None:
        """Until every outbox row was sent or settled (the senders run in real time)."""
        async with asyncio.timeout(10):
            while await self._waiting():  # noqa: ASYNC110 - rows are in the database
                await asyncio.sleep(0.02)

    async def _waiting(self) -> int:
        async with self.harness.services.db.transaction() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.state.in_(("pending", "sending")))
            )
        return int(count or 0)

    async def binh_reads(self, count: int) -> str:
        """Until Bình's phone holds `count` SMS; the last one's text."""
        await self.sms.wait_for(lambda: len(self.binh.inbox) >= count, describe=f"SMS {count}")
        return self.binh.inbox[count - 1].text

    async def binh_says(self, text: str) -> None:
        """Bình answers by SMS; the gateway's webhook reaches the desk."""
        assert await self.sms.reply(self.binh, text) == 200

    async def hoa_reads(self, words: str) -> Received:
        return await self.hoa.wait_for_message(lambda m: words in m.text)


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def commune(
    database_url: str, db: Database, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Commune]:
    """Telegram, Zalo and SMS on, their stand-ins running, the desk serving their hooks."""
    sock = _bound_socket()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with (
        ZaloStandIn(now=clock.now, limits=Limits(), templates=[PROMPT, REMINDER]) as zalo,
        AndroidStandIn(clock=clock.now, retry_seconds=0.05) as sms,
    ):
        for event in ("sms:received", "sms:sent", "sms:delivered", "sms:failed"):
            sms.register_webhook(f"{base_url}/sms/callback", event)
        settings = make_settings(
            database_url,
            web={"base_url": base_url, "secret": SECRET},
            sms=sms_tables("android", base_url, sms),
            checkins={"spread_minutes": 0, "tick_seconds": 600},
            outbox={"retry_base_seconds": 0.0},
        )
        async with running_bot(zalo_on(settings, zalo, tmp_path), db, clock) as harness:
            server = uvicorn.Server(
                uvicorn.Config(
                    web_app(harness.services, secret=SECRET),
                    log_level="warning",
                    access_log=False,
                    lifespan="off",
                )
            )
            task = asyncio.create_task(server.serve(sockets=[sock]))
            while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to await
                await asyncio.sleep(0.01)
            zalo.webhook_url = f"{base_url}/zalo/webhook"
            try:
                yield Commune(
                    harness,
                    zalo,
                    sms,
                    base_url,
                    await harness.officer(OFFICER),
                    harness.user(TELEGRAM_PERSON, first_name="An"),
                    zalo.user(ZALO_USER, phone=ZALO_PHONE),
                    sms.phone(SMS_PHONE),
                )
            finally:
                await sms.settle()
                server.should_exit = True
                await task
                sock.close()


async def _enrol_everyone(c: Commune) -> None:
    """The list imported; each person consents on their own channel."""
    outcome = await c.harness.services.cases.import_file(
        "ds.csv", LIST.encode(), bot_username=BOT_USERNAME, telegram_user_id=OFFICER
    )
    assert not outcome.problems
    links = {issued.case.full_name: issued.link for issued in outcome.created}
    assert links["Trần Thị Bình"] == ""  # asked by SMS already

    await c.telegram.send_text(f"/start {start_code(links['Nguyễn Văn An'])}")
    notice = await c.telegram.wait_for_message()
    await c.telegram.press("✅ Tôi đồng ý", notice)
    await c.telegram.wait_for_message(lambda m: "đã tham gia" in (m.text or ""))

    assert await c.hoa.follow(ref=parse_qs(urlparse(links["Lê Thị Hoa"]).query)["ref"][0]) == 200
    await c.hoa_reads("đồng ý")
    await c.hoa.press("✅ Tôi đồng ý")
    await c.hoa_reads("Lê Thị Hoa")

    assert "dong y" in await c.binh_reads(1)
    await c.binh_says("1")
    assert "Tran Thi Binh" in await c.binh_reads(2)
    async with c.harness.services.db.transaction() as session:
        cases = (await session.scalars(select(Case).order_by(Case.id))).all()
        assert [(k.channel, k.status) for k in cases] == [
            ("telegram", "active"),
            ("zalo", "active"),
            ("sms", "active"),
        ]


async def _share_through_link(c: Commune, message: str) -> str:
    """Bình opens the link the SMS carries; the page posts where the phone's browser is."""
    found = LINK.search(message)
    assert found is not None, message
    async with httpx.AsyncClient() as browser:
        page = await browser.get(found.group(0))
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        answer = await browser.post(
            found.group(0),
            data={
                "csrf": csrf.group(1),
                "outcome": "located",
                "lat": HOME[0],
                "lon": HOME[1],
                "accuracy": 12,
            },
            headers={"Accept": "application/json", "Origin": c.base_url},
        )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["outcome"])


@pytest.mark.usefixtures("clock")
async def test_a_mixed_commune_through_a_day(
    database_url: str, db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    async with commune(database_url, db, clock, tmp_path) as c:
        await c.at("07:30", 25)
        await _enrol_everyone(c)

        # The morning round reaches each person on their channel.
        await c.at("08:00", 25)
        await c.drained()
        await c.harness.services.checkins.tick()  # the prompts were sent: windows open
        prompt = await c.telegram.wait_for_message(lambda m: "khai báo" in (m.text or ""))
        assert prompt.reply_markup is not None
        assert (await c.hoa_reads("khai báo sức khoẻ")).via == "cs"
        assert (await c.binh_reads(3)).endswith(
            "Tra loi 1 neu khoe, 2 neu met, 3 neu can giup ngay."
        )

        # Hoa answers with Zalo's buttons and shares a location 1 km out: alert on Telegram.
        await c.hoa.press("😊 Khoẻ, bình thường")
        await c.hoa_reads("triệu chứng")
        await c.hoa.wait_for_message(lambda m: bool(m.buttons))
        await c.hoa.press("Không có triệu chứng nào")
        await c.hoa_reads("Nhiệt độ")
        await c.hoa.send_text("36,8")
        await c.hoa_reads("Vị trí")
        await c.hoa.share_location(*FAR)
        assert "ngoài nơi cách ly" in (await c.hoa.wait_for_message()).text
        card = await c.officer.wait_for_message(lambda m: "ngoài" in (m.text or ""))
        assert "Lê Thị Hoa" in (card.text or "")
        assert "Kênh: Zalo" in (card.text or "")

        # Bình answers 2 (tired), no symptoms, a temperature, the location through the link.
        await c.binh_says("2")
        assert "8=khong co" in await c.binh_reads(4)
        await c.binh_says("8")
        assert "Nhiet do" in await c.binh_reads(5)
        await c.binh_says("37,2")
        assert await _share_through_link(c, await c.binh_reads(6)) == "located"
        assert "dang o nha" in await c.binh_reads(7)

        # Later, SOS by SMS: the officer's card names her and her channel.
        await c.binh_says("SOS")
        sos = await c.officer.wait_for_message(lambda m: "SOS" in (m.text or ""))
        assert "Trần Thị Bình" in (sos.text or "")
        assert "Kênh: SMS" in (sos.text or "")
        assert "115" in await c.binh_reads(8)

        # The worklist and the export say who is on which channel.
        await c.officer.send_text("/worklist")
        worklist = await c.officer.wait_for_message(lambda m: "Trần Thị Bình" in (m.text or ""))
        assert "Trần Thị Bình" in (worklist.text or "")
        assert "· SMS" in (worklist.text or "")
        await c.officer.send_text("/export")
        sheet = await c.officer.wait_for_message(lambda m: m.file is not None)
        assert sheet.file is not None
        rows = _sheet_rows(sheet.file.content)
        channels = {row["Họ và tên"]: row["Kênh"] for row in rows}
        assert channels == {
            "Nguyễn Văn An": "Telegram",
            "Lê Thị Hoa": "Zalo",
            "Trần Thị Bình": "SMS",
        }

        # The evening digest counts them per channel.
        await c.at("20:05", 25)
        await c.harness.services.digests.tick()
        digest = await c.officer.wait_for_message(lambda m: "Nhận tin qua" in (m.text or ""))
        assert "Telegram 1, Zalo 1, SMS 1" in (digest.text or "")

        # A forged Zalo webhook and an SMS from an unknown number change nothing.
        alerts_before = await _count(c, Alert)
        assert await c.hoa.send_text("SOS", key="not-the-oa-secret") == 403
        await c.sms.reply(c.sms.phone("+84987654321"), "SOS")
        await c.drained()
        assert await _count(c, Alert) == alerts_before
        assert await _count(c, ChannelContact) == 2

        # Two days without a word from Hoa: her window is closed; the prompt is a template.
        await c.at("08:00", 28)
        template = await c.hoa.wait_for_message(lambda m: m.via == "zns")
        assert template.template_id == PROMPT.template_id
        assert "Lê Thị Hoa" in template.template_data["message"]
        async with c.harness.services.db.transaction() as session:
            answered = await session.scalar(
                select(func.count()).select_from(Checkin).where(Checkin.answered_at.is_not(None))
            )
        assert answered == 2  # Hoa's and Bình's morning check-ins

        # A notice no template can carry while her window is closed: by SMS to her phone.
        async with c.harness.services.db.transaction() as session:
            code = await session.scalar(select(Case.code).where(Case.channel == "zalo"))
        await c.officer.send_text(f"/release {code}")
        question = await c.officer.wait_for_message(lambda m: "Lê Thị Hoa" in (m.text or ""))
        await c.officer.press("✅ Đồng ý", question)
        phone = c.sms.phone(ZALO_PHONE)
        await c.sms.wait_for(lambda: bool(phone.inbox), describe="Hoa's SMS")
        assert "Le Thi Hoa da duoc ket thuc cach ly" in phone.inbox[-1].text


async def _count(c: Commune, model: type) -> int:
    async with c.harness.services.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _sheet_rows(content: bytes) -> list[dict[str, object]]:
    import io

    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in values[0]]
    return [dict(zip(header, row, strict=False)) for row in values[1:]]
