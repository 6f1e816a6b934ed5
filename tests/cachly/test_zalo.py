"""A person on Zalo end to end: the real root (bot, outbox senders, the OA's webhook route)
against the Bot API stand-in for the officers and the Zalo stand-in for the person."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from bot.clock import FakeClock
from bot.config import Settings, ZaloTemplateSettings
from bot.db import Database
from bot.messaging.zalo.transport import ZaloTransport
from bot.messaging.zalo.usage import ZnsUsage, zns_usage
from bot.models import Alert, Case, ChannelContact, Checkin, OutboxMessage
from cachly.root import ZALO_CHANNEL_KEY
from cachly.zalo import zalo_routes
from standins.telegram import User
from standins.zalo import Limits, Received, Template, ZaloStandIn, ZaloUser
from tests.cachly.test_webhooks import serving
from tests.conftest import make_settings
from tests.harness import BOT_USERNAME, Harness, running_bot

OFFICER = 1001
HOME = (19.8067, 105.7852)
NEAR_HOME = (19.80675, 105.78525)
FAR = (19.8167, 105.7852)  # ~1.1 km north
# ~128 m north: judged with the 65 m assumed for a fix without accuracy (Zalo sends none),
# neither clearly inside a 50 m circle nor clearly outside it.
EDGE = (19.80785, 105.7852)
PHONE = "0912000011"
ZALO_USER = "8100000000000000011"
PROMPT = Template("tpl-checkin", {"message": 200, "date": 10, "time": 5})
REMINDER = Template("tpl-reminder", {"message": 200, "time": 5}, price_vnd=300)


@pytest.fixture
def settings(database_url: str) -> Settings:
    """No spread of due times, no background tick: the test ticks by hand."""
    return make_settings(database_url, checkins={"spread_minutes": 0, "tick_seconds": 600})


@dataclass
class Deployment:
    """The bot, the Zalo stand-in and the person on it."""

    harness: Harness
    zalo: ZaloStandIn
    person: ZaloUser

    @property
    def transport(self) -> ZaloTransport:
        """The Zalo sender's transport (its statistics)."""
        channel = self.harness.application.bot_data[ZALO_CHANNEL_KEY]
        transport: ZaloTransport = channel.transport
        return transport

    async def tick_at(self, hhmm: str, day: int) -> None:
        """Move the clock to a local time in Vietnam and run the check-ins' tick."""
        hour, minute = map(int, hhmm.split(":"))
        moment = datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)
        self.harness.clock.set(moment)
        await self.harness.services.checkins.tick()

    async def drained(self) -> None:
        """Wait until every outbox row was sent or settled (the senders run in real time)."""
        async with asyncio.timeout(10):
            while await self._waiting():  # noqa: ASYNC110 - rows are in the database
                await asyncio.sleep(0.02)  # real time for the senders' HTTP calls

    async def _waiting(self) -> int:
        async with self.harness.services.db.transaction() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.state.in_(("pending", "sending")))
            )
        return int(count or 0)

    async def next(self, words: str) -> Received:
        """The next message the person gets that says `words`."""
        return await self.person.wait_for_message(lambda m: words in m.text)


def zalo_on(settings: Settings, zalo: ZaloStandIn, tmp_path: Path) -> Settings:
    """`settings` with the Zalo channel on, its APIs the stand-in's, the test's templates."""
    on = replace(
        settings.zalo,
        enabled=True,
        app_id=zalo.app_id,
        oa_id=zalo.oa_id,
        app_secret=zalo.tokens.app_secret,
        oa_secret_key=zalo.oa_secret_key,
        refresh_token=zalo.tokens.refresh_token,
        token_file=str(tmp_path / "zalo-token.json"),
        openapi_url=zalo.base_url,
        oauth_url=zalo.base_url,
        business_url=zalo.base_url,
        templates=(
            ZaloTemplateSettings(
                "checkin_prompt",
                PROMPT.template_id,
                (("message", "text", 200), ("date", "date", 0), ("time", "time", 0)),
            ),
            ZaloTemplateSettings(
                "checkin_reminder",
                REMINDER.template_id,
                (("message", "text", 200), ("time", "time", 0)),
            ),
        ),
    )
    return replace(settings, zalo=on)


@asynccontextmanager
async def deployment(
    settings: Settings, db: Database, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Deployment]:
    """The Zalo channel on, its APIs the stand-in's, its webhook served on 127.0.0.1."""
    standin = ZaloStandIn(now=clock.now, limits=Limits(), templates=[PROMPT, REMINDER])
    async with (
        standin as zalo,
        running_bot(zalo_on(settings, zalo, tmp_path), db, clock) as harness,
    ):
        app = Starlette(routes=zalo_routes(harness.services))
        async with serving(app) as web:
            zalo.webhook_url = f"{web.base_url}/zalo/webhook"
            yield Deployment(harness, zalo, zalo.user(ZALO_USER, phone=PHONE))


async def enrolment_code(harness: Harness) -> str:
    """An officer imports a list with one person on Zalo; the code of their OA link."""
    content = (
        "Họ và tên,Số điện thoại,Loại,Kênh,Vĩ độ,Kinh độ\n"
        f"Lê Thị Hoa,{PHONE},F1,Zalo,{HOME[0]},{HOME[1]}\n"
    )
    outcome = await harness.services.cases.import_file(
        "ds.csv", content.encode(), bot_username=BOT_USERNAME, telegram_user_id=OFFICER
    )
    [issued] = outcome.created
    link = urlparse(issued.link)
    assert (link.netloc, link.path) == ("zalo.me", "/5790000000000000001")
    return parse_qs(link.query)["ref"][0]


async def answer_checkin(d: Deployment, location: tuple[float, float]) -> Received:
    """Answer the prompt with buttons and a temperature, then share `location`."""
    await d.person.press("😊 Khoẻ, bình thường")
    symptoms = await d.next("triệu chứng")
    assert len(symptoms.buttons) == 5  # the rest follow in a message of their own
    await d.person.wait_for_message(lambda m: bool(m.buttons))
    await d.person.press("Không có triệu chứng nào")
    await d.next("Nhiệt độ")
    await d.person.send_text("36,8")
    asked = await d.next("Vị trí")
    assert "Gửi vị trí hiện tại" in asked.text  # how Zalo shares a location
    await d.person.share_location(*location)
    return await d.person.wait_for_message()


async def test_a_zalo_person_enrols_checks_in_and_falls_out_of_the_window(
    settings: Settings, db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    async with deployment(settings, db, clock, tmp_path) as d:
        officer: User = await d.harness.officer(OFFICER)
        await d.tick_at("07:30", 25)
        code = await enrolment_code(d.harness)

        # Follows the OA from the QR code carrying the one-time code; consents in the chat.
        assert await d.person.follow(ref=code) == 200
        notice = await d.next("đồng ý")
        assert {b["type"] for b in notice.buttons} == {"oa.query.hide"}
        await d.person.press("✅ Tôi đồng ý")
        await d.next("Lê Thị Hoa")
        async with db.transaction() as session:
            case = (await session.execute(select(Case))).scalar_one()
            assert (case.status, case.channel) == ("active", "zalo")

        # The morning prompt, answered with buttons; the location is judged: at home.
        await d.tick_at("08:00", 25)
        prompt = await d.next("khai báo sức khoẻ")
        assert prompt.via == "cs"
        await d.drained()
        await d.harness.services.checkins.tick()  # the prompt was sent: its window opens
        home = await answer_checkin(d, NEAR_HOME)
        assert "đang ở nhà" in home.text

        # The evening one: outside, the officers are alerted on Telegram, naming Zalo.
        await d.tick_at("17:00", 25)
        await d.next("khai báo sức khoẻ")
        await d.drained()
        await d.harness.services.checkins.tick()
        outside = await answer_checkin(d, FAR)
        assert "ngoài nơi cách ly" in outside.text
        card = await officer.wait_for_message(lambda m: "ngoài" in (m.text or ""))
        assert "Lê Thị Hoa" in (card.text or "")
        assert "Kênh: Zalo" in (card.text or "")

        # A location that cannot be judged is asked for again, never trusted; one that
        # cannot even be read too.
        await d.person.share_location(*EDGE)
        assert "chưa đủ rõ" in (await d.person.wait_for_message()).text
        malformed = {"text": "", "attachments": [{"type": "location", "payload": {}}]}
        await d.person.send_event("user_send_location", malformed)
        assert "không thể đúng" in (await d.person.wait_for_message()).text

        # Two days without a word: the window is closed; the next prompt is a template.
        await d.drained()
        free_before = d.transport.stats.cs_sent
        await d.tick_at("08:00", 28)
        template = await d.person.wait_for_message(lambda m: m.via == "zns")
        assert template.template_id == PROMPT.template_id
        assert template.template_data["time"] == "08:00"
        assert template.template_data["date"] == "28/11/2026"
        assert "Lê Thị Hoa" in template.template_data["message"]
        await d.drained()
        # Counted and priced where the operator sees it; its delivery noted by Zalo's event.
        assert await d.person.acknowledge(template) == 200
        async with db.transaction() as session:
            usage = await zns_usage(session, clock.now() - timedelta(days=30))
            assert usage == ZnsUsage(sent=1, delivered=1, cost_vnd=300)
        assert d.transport.stats.zns_sent >= 1
        assert d.transport.stats.zns_cost_vnd == 300 * d.transport.stats.zns_sent
        assert d.zalo.zns_cost_vnd == d.transport.stats.zns_cost_vnd
        # Nothing went as a free message outside the window (Zalo would have refused it).
        refused = [c for c in d.zalo.calls if c.path == "/v3.0/oa/message/cs" and not c.ok]
        assert refused == []
        assert d.transport.stats.cs_sent == free_before
        async with db.transaction() as session:
            answered = await session.scalar(
                select(func.count()).select_from(Checkin).where(Checkin.answered_at.is_not(None))
            )
            assert answered == 2


async def test_a_forged_webhook_changes_nothing(
    settings: Settings, db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    async with deployment(settings, db, clock, tmp_path) as d:
        await d.harness.officer(OFFICER)
        code = await enrolment_code(d.harness)
        event = d.zalo.event("follow", follower={"id": ZALO_USER}, source="oa_qr_code", ref=code)
        assert await d.zalo.post_event(event, key="not-the-oa-secret") == 403
        assert await d.person.send_text("SOS", key="not-the-oa-secret") == 403
        async with db.transaction() as session:
            assert (await session.scalars(select(ChannelContact))).all() == []
            assert (await session.scalars(select(Alert))).all() == []
            case = (await session.execute(select(Case))).scalar_one()
            assert (case.status, case.chat_id) == ("pending", None)
        assert d.person.received == []


async def test_the_code_sent_in_the_chat_enrols_as_the_follow_would(
    settings: Settings, db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    async with deployment(settings, db, clock, tmp_path) as d:
        await d.harness.officer(OFFICER)
        code = await enrolment_code(d.harness)
        await d.person.follow()  # from the OA's page: no code with it
        await d.next("trạm y tế")
        await d.person.send_text(f"  {code} ")
        await d.next("đồng ý")
        await d.person.send_text("SOS")
        await d.drained()
        async with db.transaction() as session:
            assert (await session.scalars(select(Alert))).all() == []  # not enrolled yet


async def test_without_home_coordinates_the_home_is_asked_as_zalo_shares_a_location(
    settings: Settings, db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    async with deployment(settings, db, clock, tmp_path) as d:
        officer: User = await d.harness.officer(OFFICER)
        content = f"Họ và tên,Số điện thoại,Loại,Kênh\nLê Thị Hoa,{PHONE},F1,Zalo\n"
        outcome = await d.harness.services.cases.import_file(
            "ds.csv", content.encode(), bot_username=BOT_USERNAME, telegram_user_id=OFFICER
        )
        code = parse_qs(urlparse(outcome.created[0].link).query)["ref"][0]
        await d.person.follow(ref=code)
        await d.next("đồng ý")
        await d.person.press("✅ Tôi đồng ý")
        asked = await d.next("đang ở nhà")
        assert "Gửi vị trí hiện tại" in asked.text
        assert "bấm nút" not in asked.text  # Telegram's one-tap button is not on Zalo
        await d.person.send_text("ở nhà rồi")
        again = await d.next("Gửi vị trí hiện tại")
        assert "bấm nút" not in again.text
        await d.person.share_location(*HOME)
        await d.next("Đã gửi vị trí nhà")
        pin = await officer.wait_for_message(lambda m: m.location is not None)
        assert pin.location is not None
