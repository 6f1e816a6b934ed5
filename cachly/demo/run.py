"""The demo's run loop: the real bot against the Bot API stand-in on an accelerated clock.

Each step moves the FakeClock, runs the same ticks the JobQueue runs (check-ins, alerts,
digests, cases), lets the outbox sender drain what is due, and lets every simulated user
act on what reached their chat. Between steps it sleeps so that `speed` simulated seconds
pass per real second (`speed=None`: as fast as the machine goes).
"""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from sqlalchemy import func, select

from bot.case_files import parse_phone
from bot.clock import FakeClock
from bot.config import Settings, settings_from_mapping
from bot.fresh import fresh_database
from bot.messaging.sender import OutboxSender
from bot.models import OutboxMessage
from bot.services import Services
from cachly.demo.channel_people import SmsPerson, ZaloPerson
from cachly.demo.channels import ChannelStandIns
from cachly.demo.commune import COMMUNE, PROVINCE, Behaviour, Resident, case_list, residents
from cachly.demo.people import Actor, Citizen, Officer, Person
from cachly.demo.texts import label
from cachly.demo.transcript import Transcript
from cachly.root import SENDER_KEY, SMS_SENDER_KEY, ZALO_SENDER_KEY, build_application
from handlers.context import CachlyApplication
from standins.telegram import MESSAGE_METHODS, BotApiStandIn, Limits, User

TOKEN = "123456789:demo-token-for-the-stand-in"
BOT_USERNAME = "cachly_demo_bot"
STEP = timedelta(minutes=10)
NIGHT_STEP = timedelta(minutes=30)  # 22:00-06:00: only ticks and held alerts
START_HOUR = 6  # the first simulated day starts at 06:30 local time


@dataclass(frozen=True, slots=True)
class Options:
    """What `cachly demo` was asked for."""

    days: int = 3
    speed: float | None = 1440.0  # simulated seconds per real second; None: as fast as possible
    people: int = 30
    seed: int = 1


def demo_settings(directory: Path, per_chat_rate: float) -> Settings:
    """The default settings on a throw-away SQLite database, with /report switched on."""
    raw = {
        "deployment": {"provinces": [38]},
        "reports": {"secret": secrets.token_urlsafe(32)},
        # The demo's clock runs faster than Telegram's per-chat limit could follow; the
        # stand-in enforces the same limit scaled by the same factor.
        "outbox": {"per_chat_interval_seconds": 1.0 / per_chat_rate},
    }
    url = f"sqlite+aiosqlite:///{directory / 'cachly-demo.sqlite3'}"
    return settings_from_mapping(raw, {"CACHLY_DATABASE_URL": url})


def per_chat_rate(speed: float | None) -> float:
    """Telegram's one message a second per chat, scaled for an accelerated clock (at most x20)."""
    return 1.0 if speed is not None and speed <= 10 else 20.0


@asynccontextmanager
async def running_bot(
    settings: Settings, clock: FakeClock, limits: Limits
) -> AsyncIterator[tuple[BotApiStandIn, CachlyApplication]]:
    """The stand-in and the real Application polling it, on a fresh database."""
    db = await fresh_database(settings, clock)
    async with BotApiStandIn(
        TOKEN, bot_username=BOT_USERNAME, bot_name="Cachly Demo", clock=clock.now, limits=limits
    ) as standin:
        telegram = replace(
            settings.telegram,
            token=TOKEN,
            base_url=standin.base_url,
            base_file_url=standin.base_file_url,
            bot_username=BOT_USERNAME,
        )
        application = build_application(Services(replace(settings, telegram=telegram), db, clock))
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        # The simulation runs the JobQueue's ticks itself, at the clock's time (`tick`);
        # the real-time jobs would tick a second time alongside, and two ticks claiming the
        # same due prompt at once are only kept apart by PostgreSQL's row locks.
        assert application.job_queue is not None
        assert application.updater is not None
        application.job_queue.scheduler.pause()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield standin, application
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)


class Simulation:
    """The commune's users, the clock, and what every chat saw."""

    def __init__(
        self,
        standin: BotApiStandIn,
        application: CachlyApplication,
        clock: FakeClock,
        channels: ChannelStandIns,
    ) -> None:
        self.standin = standin
        self.channels = channels
        self.application = application
        self.services: Services = application.bot_data["services"]
        self.sender: OutboxSender = application.bot_data[SENDER_KEY]
        # The Zalo and SMS contacts' senders, beside the bot's.
        opened_sms = application.bot_data.get(SMS_SENDER_KEY)
        self.senders = [self.sender, application.bot_data[ZALO_SENDER_KEY]]
        if opened_sms is not None:
            self.senders.append(opened_sms[0])
        self.zalo: ZaloPerson | None = None
        self.sms: SmsPerson | None = None
        self.clock = clock
        self.tz = self.services.settings.schedule.tz
        self.transcript = Transcript()
        self.actors: dict[int, Actor] = {}
        self.officers: list[Officer] = []
        self.supervisor: Actor | None = None
        self.refused: list[str] = []  # calls the stand-in refused: method, status, why
        self._seen = 0
        self.sent = 0  # the bot's messages so far

    # ---- what the users see ------------------------------------------------------------

    def local_now(self) -> datetime:
        """The simulated local time."""
        return self.clock.now().astimezone(self.tz)

    def did(self, user: User, action: str) -> None:
        """Write down a user's action after everything its chat has shown so far."""
        self.collect()
        self.transcript.user(self.local_now(), user.chat_id, action)

    def note(self, key: int, action: str) -> None:
        """Write down what someone off Telegram did, after everything they saw so far."""
        self.collect()
        self.transcript.user(self.local_now(), key, action)

    def others(self) -> list[ZaloPerson | SmsPerson]:
        """The people off Telegram."""
        return [p for p in (self.zalo, self.sms) if p is not None]

    def collect(self) -> None:
        """Hand the bot's new calls to the chats they were for, and write them down."""
        for other in self.others():
            other.collect(self.transcript, self.local_now())
        calls = self.standin.calls
        while self._seen < len(calls):
            call = calls[self._seen]
            if call.status == 0:
                break  # still waiting for its answer: look again next time
            self._seen += 1
            if not call.ok:
                self.refused.append(
                    f"{call.method} {call.status} chat {call.chat_id}: {call.description}"
                )
                continue
            actor = self.actors.get(call.chat_id or 0)
            if actor is None or call.message is None:
                continue
            if call.method in MESSAGE_METHODS:
                self.sent += 1
                actor.inbox.append(call.message)
                self.transcript.bot(self.local_now(), call.message)
            elif call.method.startswith("edit"):
                self.transcript.bot(self.local_now(), call.message, edited=True)

    # ---- the commune -------------------------------------------------------------------

    def _add(self, actor: Actor) -> Actor:
        self.actors[actor.user.chat_id] = actor
        self.transcript.names[actor.user.chat_id] = f"{actor.role}: {actor.name}"
        return actor

    async def join_staff(self) -> None:
        """Two officers and a supervisor open the invitation links an admin printed."""
        staff = (
            ("officer", COMMUNE, 1001, "Đỗ Thị Hằng", (6, 14)),
            ("officer", COMMUNE, 1002, "Lê Minh Tuấn", (14, 22)),
            ("supervisor", PROVINCE, 1003, "Phạm Văn Quân", (7, 17)),
        )
        for role, area, user_id, name, shift in staff:
            issued = await self.services.officers.invite(role, area, BOT_USERNAME)
            user = self.standin.user(user_id, first_name=name.split()[-1])
            if role == "officer":
                self.officers.append(Officer(user, "Cán bộ trạm y tế", name, shift=shift))
                self._add(self.officers[-1])
            else:
                self.supervisor = self._add(Actor(user, "CDC tỉnh", name))
            await user.send_text(f"/start {start_code(issued.link)}")
            self.did(user, "/start (đường dẫn mời)")
            await user.wait_for_message()

    async def import_and_enrol(self, people: int, seed: int) -> None:
        """The first officer sends the commune's list; each person opens their link."""
        officer = self.officers[0]
        listed = residents(people, seed)
        content = case_list(listed, self.local_now().date())
        for resident in listed:
            # Their phones exist before the list: an SMS invitation goes out at the import.
            if resident.behaviour in (Behaviour.ZALO, Behaviour.SMS):
                self.channels.sms.phone(parse_phone(resident.phone))
        self.did(officer.user, "📎 danh-sach-cach-ly.csv")
        await officer.user.send_document("danh-sach-cach-ly.csv", content, "text/csv")
        links = await officer.user.wait_for_message(lambda m: m.file is not None, timeout=60)
        assert links.file is not None
        rows = list(csv.reader(io.StringIO(links.file.content.decode("utf-8-sig"))))[1:]
        link_of = {row[1]: row[3] for row in rows}
        phones: dict[int, Person] = {}
        for index, resident in enumerate(listed):
            if resident.behaviour in (Behaviour.ZALO, Behaviour.SMS):
                await self._enrol_off_telegram(resident, link_of[resident.full_name])
                continue
            owner = listed[resident.phone_owner]
            person = phones.get(resident.phone_owner)
            if person is None:
                user = self.standin.user(5000 + index, first_name=owner.full_name.split()[-1])
                person = Person(user, "Người cách ly", owner.full_name)
                phones[resident.phone_owner] = person
                self._add(person)
            elif person.name != resident.full_name:
                person.name = f"{person.name}, {resident.full_name}"
                self.transcript.names[person.user.chat_id] = f"Hộ gia đình: {person.name}"
            person.residents.append(resident)
            await self._enrol(person, link_of[resident.full_name])
        self._schedule(list(phones.values()))

    async def _enrol(self, person: Person, link: str) -> None:
        await person.user.wait_until_bot_may_send(2)
        self.did(person.user, "/start (đường dẫn của trạm y tế)")
        await person.user.send_text(f"/start {start_code(link)}")
        notice = await person.next_message("enrol.notice")
        await person.tap(self, label("enrol.agree"), notice)
        await person.next_message("enrol.welcome")

    async def _enrol_off_telegram(self, resident: Resident, link: str) -> None:
        """The Zalo person follows the OA's link; the SMS person answers the invitation."""
        phone = parse_phone(resident.phone)
        sim = self.channels.sms.phone(phone)
        if resident.behaviour is Behaviour.ZALO:
            key = 8_100_000_000_000_000_000 + len(self.transcript.names)
            user = self.channels.zalo.user(str(key), phone=resident.phone)
            self.zalo = ZaloPerson(user, sim, resident.full_name, resident, key)
            self.transcript.names[key] = f"Người cách ly trên Zalo: {resident.full_name}"
            self.transcript.addresses[key] = f"Zalo {key}"
            await self.zalo.enrol(self, parse_qs(urlparse(link).query)["ref"][0])
        else:
            key = int(phone.lstrip("+"))
            self.sms = SmsPerson(self.channels.sms, sim, resident.full_name, key)
            self.transcript.names[key] = f"Người cách ly qua SMS: {resident.full_name}"
            self.transcript.addresses[key] = f"SMS {phone}"
            await self.sms.enrol(self)

    def _schedule(self, people: list[Person]) -> None:
        first_day = self.local_now().date()
        if self.sms is not None:
            self.sms.sos_at = datetime.combine(first_day, clock_time(15, 30), self.tz)
        for person in people:
            if person.residents[0].behaviour is Behaviour.SOS:
                person.sos_at = datetime.combine(first_day, clock_time(10, 5), self.tz)
        citizen = Citizen(self.standin.user(7001, first_name="Hùng"), "Người dân", "Trần Văn Hùng")
        citizen.report_at = datetime.combine(first_day, clock_time(11, 0), self.tz)
        self._add(citizen)

    # ---- time ----------------------------------------------------------------------------

    async def tick(self) -> None:
        """The JobQueue's periodic work, at the clock's time."""
        services = self.services
        await services.checkins.tick()
        await services.alerts.tick()
        await services.digests.tick()
        await services.cases.release_due()
        await services.cases.flag_unenrolled()

    async def drain(self) -> None:
        """Wait (on the senders, in real time) until every message due now has been sent."""
        for sender in self.senders:
            sender.wake()
        for _ in range(6000):
            async with self.services.db.transaction() as session:
                waiting = await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(
                        OutboxMessage.state.in_(("pending", "sending")),
                        OutboxMessage.not_before <= self.clock.now(),
                    )
                )
            if not waiting:
                await self.channels.sms.settle()  # the phones got what was sent
                self.collect()
                return
            await asyncio.sleep(0.01)
        raise RuntimeError("the outbox did not drain")

    async def step(self) -> timedelta:
        """One step of simulated time: ticks, deliveries, and everybody's actions."""
        hour = self.local_now().hour
        step = NIGHT_STEP if hour >= 22 or hour < 6 else STEP
        self.clock.advance(step)
        await self.tick()
        await self.drain()
        await self.services.checkins.tick()  # the windows of what was just sent open
        await self.drain()
        await asyncio.gather(
            *(actor.act(self) for actor in self.actors.values()),
            *(other.act(self) for other in self.others()),
        )
        await self.drain()
        return step

    async def play(self, days: int, speed: float | None, on_step: object = None) -> None:
        """Play `days` simulated days at `speed`."""
        end = self.clock.now() + timedelta(days=days)
        started, simulated = time.monotonic(), 0.0
        while self.clock.now() < end:
            simulated += (await self.step()).total_seconds()
            if callable(on_step):
                on_step()
            if speed is not None:
                ahead = simulated / speed - (time.monotonic() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)


def start_code(link: str) -> str:
    """The start parameter of a t.me deep link."""
    return parse_qs(urlparse(link).query)["start"][0]


def first_morning(tz_now: datetime) -> datetime:
    """06:30 local time of the simulated first day, in UTC."""
    local = tz_now.replace(hour=START_HOUR, minute=30, second=0, microsecond=0)
    return local.astimezone(UTC)
