"""The demo's people off Telegram: one on Zalo, one on SMS, acting through their stand-ins only.

The Zalo person follows the OA from the link carrying their code, consents with a button,
answers the morning round with buttons and numbers and shares a location from Zalo's
menu; then falls silent (a lost phone) so that the free window's messages run out and
the next prompt goes as a ZNS template (and, with no template for it, a reminder by SMS
to their phone). The SMS person has a feature phone: they consent with "1", answer
prompts with "1" (well) or "2" (tired) and the other questions by their reply codes,
say they cannot send a location, and send "SOS" once. Nothing here reads the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time

from cachly.demo.commune import Resident
from cachly.demo.people import REPLY_TIMEOUT, World
from cachly.demo.texts import label, says
from cachly.demo.transcript import Transcript
from standins.sms.android import AndroidStandIn
from standins.sms.phones import SimPhone
from standins.zalo import Received, ZaloUser

ZALO_QUESTIONS = (
    "checkin.ask_symptoms",
    "checkin.ask.spo2_again",
    "checkin.ask.spo2",
    "checkin.ask.temperature",
    "checkin.ask.breaths",
    "checkin.ask.pulse",
    "checkin.ask_location.zalo",
    "checkin.ask_location",
)
VERDICTS = ("location.inside", "location.outside_checkin", "location.recorded")
# Reply codes as the SMS texts give them: "1=dong y" or "1 neu khoe".
_CODE = re.compile(r"(\d+)(?:=| neu )([a-z ]+)")


@dataclass
class ZaloPerson:
    """Someone on Zalo: answers the first round, then is silent from `silent_from`."""

    user: ZaloUser
    phone: SimPhone  # the same person's phone, for what is handed on to SMS
    name: str
    resident: Resident
    key: int  # their section of the transcript
    silent_from: datetime | None = None
    inbox: list[Received] = field(default_factory=list)
    _read: int = 0
    _read_sms: int = 0

    def collect(self, transcript: Transcript, at: datetime) -> None:
        """Write down what reached their Zalo (and their phone) since the last look."""
        received = self.user.person.received
        while self._read < len(received):
            message = received[self._read]
            self._read += 1
            self.inbox.append(message)
            transcript.said(at, self.key, zalo_shown(message))
        while self._read_sms < len(self.phone.inbox):
            transcript.said(at, self.key, f"SMS: {self.phone.inbox[self._read_sms].text}")
            self._read_sms += 1

    async def enrol(self, world: World, code: str) -> None:
        """Follow the OA from the QR code the station printed, and consent."""
        self._did(world, "Quan tâm OA (mã QR của trạm y tế)")
        await self.user.follow(ref=code)
        agree = label("enrol.agree")
        notice = await self._next(lambda m: any(b.get("title") == agree for b in m.buttons))
        await self._press(world, agree, notice)
        await self._next(lambda m: says(m.text, "enrol.welcome"))
        now = world.local_now()
        # After the morning round of the first day, their phone is lost.
        self.silent_from = datetime.combine(now.date(), time(12, 0), now.tzinfo)

    async def act(self, world: World) -> None:
        """Answer the new prompts, unless silent."""
        prompts = [m for m in self.inbox if says(m.text, "checkin.prompt")]
        self.inbox.clear()
        if self.silent_from is not None and world.local_now() >= self.silent_from:
            return
        for prompt in prompts:
            self.user.cursor = len(self.user.person.received)  # all of it read
            await self._press(world, label("checkin.feel.good"), prompt)
            await self._questions(world)

    async def _questions(self, world: World) -> None:
        none = label("checkin.symptoms.none")
        while True:
            question = await self._next(lambda m: any(says(m.text, k) for k in ZALO_QUESTIONS))
            text = question.text
            if says(text, "checkin.ask_symptoms"):
                # Zalo shows five quick replies a message: "none" comes in the next one.
                rest = await self._next(lambda m: any(b.get("title") == none for b in m.buttons))
                await self._press(world, none, rest)
            elif says(text, "checkin.ask.spo2_again") or says(text, "checkin.ask.spo2"):
                await self._type(world, "98")
            elif says(text, "checkin.ask.temperature"):
                await self._type(world, "37,0")
            elif says(text, "checkin.ask.breaths"):
                await self._type(world, "16")
            elif says(text, "checkin.ask.pulse"):
                await self._type(world, "80")
            else:  # the location question: shared from Zalo's ⋯ menu
                lat, lon = self.resident.home
                self._did(world, f"📍 {lat:.5f}, {lon:.5f} (chia sẻ vị trí)")
                await self.user.share_location(lat, lon)
                await self._next(lambda m: any(says(m.text, k) for k in VERDICTS))
                return

    async def _next(self, predicate: object) -> Received:
        assert callable(predicate)
        return await self.user.wait_for_message(predicate, timeout=REPLY_TIMEOUT)

    async def _press(self, world: World, button: str, message: Received) -> None:
        self._did(world, f"[{button}]")
        await self.user.press(button, message)

    async def _type(self, world: World, text: str) -> None:
        self._did(world, text)
        await self.user.send_text(text)

    def _did(self, world: World, action: str) -> None:
        world.note(self.key, action)


@dataclass
class SmsPerson:
    """An elderly person on a feature phone: reply codes, no location, one SOS."""

    standin: AndroidStandIn
    phone: SimPhone
    name: str
    key: int
    sos_at: datetime | None = None
    _read: int = 0
    _asked: int = 0  # the SMS they answered last (or chose not to)

    def collect(self, transcript: Transcript, at: datetime) -> None:
        """Write down the SMS that reached the phone since the last look."""
        while self._read < len(self.phone.inbox):
            transcript.said(at, self.key, self.phone.inbox[self._read].text)
            self._read += 1

    async def enrol(self, world: World) -> None:
        """The invitation SMS came at the import: "1" to consent."""
        await self._received(1)
        await self.answer(world)

    async def act(self, world: World) -> None:
        """Answer what the new SMS ask; send SOS once its time has come."""
        if len(self.phone.inbox) > self._asked:
            await self.answer(world)
        if self.sos_at is not None and world.local_now() >= self.sos_at:
            self.sos_at = None
            await self._reply(world, "SOS")
            await self._received(len(self.phone.inbox) + 1)
            self._asked = len(self.phone.inbox)

    async def answer(self, world: World) -> None:
        """Reply to the latest SMS, and to each question it leads to, until none asks."""
        while len(self.phone.inbox) > self._asked:
            self._asked = len(self.phone.inbox)
            reply = self._reply_to(self.phone.inbox[-1].text, world.local_now())
            if reply is None:
                continue
            await self._reply(world, reply)
            await self._received(self._asked + 1)

    def _reply_to(self, text: str, now: datetime) -> str | None:
        """What this person answers to an SMS (None: it asks nothing)."""
        codes: dict[str, str] = {w.strip(): c for c, w in _CODE.findall(text)}
        if "dong y" in codes:
            return codes["dong y"]
        if "khoe" in codes:
            return codes["met"] if now.hour >= 12 else codes["khoe"]  # tired in the evening
        if "khong co" in codes:
            return codes["khong co"]
        if "Nhiet do" in text:
            return "36,9"
        if "khong gui duoc vi tri" in codes:
            return codes["khong gui duoc vi tri"]
        return None

    async def _reply(self, world: World, text: str) -> None:
        world.note(self.key, text)
        await self.standin.reply(self.phone, text)

    async def _received(self, count: int) -> None:
        await self.standin.wait_for(
            lambda: len(self.phone.inbox) >= count, REPLY_TIMEOUT, describe=f"SMS {count}"
        )


def zalo_shown(message: Received) -> str:
    """A Zalo message as its reader sees it: the text and its buttons, or the template's."""
    if message.via == "zns":
        fields = ", ".join(f"{k}={v}" for k, v in message.template_data.items())
        return f"ZNS (mẫu {message.template_id}): {fields}"
    buttons = " ".join(f"[{b.get('title')}]" for b in message.buttons)
    return f"{message.text}\n{buttons}" if buttons else message.text
