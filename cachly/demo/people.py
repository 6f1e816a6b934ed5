"""The simulated people: what each one does with the bot's messages, through the stand-in only.

Every actor acts as a Telegram user would: it reads the messages the bot sent to its chat,
taps buttons, types answers and shares locations through the stand-in's User API. Nothing
here reads or writes the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from cachly.demo.commune import Behaviour, Resident
from cachly.demo.texts import label, says
from standins.telegram import BotMessage, User

REPLY_TIMEOUT = 20.0  # seconds of real time: a safety net, never a way to wait

QUESTION_KEYS = (
    "checkin.ask_symptoms",
    "checkin.ask.spo2_again",
    "checkin.ask.spo2",
    "checkin.ask.temperature",
    "checkin.ask.breaths",
    "checkin.ask.pulse",
    "checkin.ask_location",
    "location.which_person",
    "checkin.spo2_rest",
)


class World(Protocol):
    """What an actor may know of the simulation: the local time and a transcript to write."""

    def local_now(self) -> datetime:
        """The simulated local time."""
        ...

    def did(self, user: User, action: str) -> None:
        """Write down what a simulated user did (after what it has seen so far)."""
        ...

    def note(self, key: int, action: str) -> None:
        """Write down what someone off Telegram did, in their section of the transcript."""
        ...


@dataclass
class Actor:
    """A simulated user: new bot messages come in, actions go out."""

    user: User
    role: str
    name: str
    inbox: list[BotMessage] = field(default_factory=list)

    async def act(self, world: World) -> None:
        """Do what this user does at this moment of the simulation."""
        self.inbox.clear()

    async def tap(self, world: World, button: str, message: BotMessage | None = None) -> None:
        """Press a button, after reading (the bot may answer within its flood limit)."""
        await self.user.wait_until_bot_may_send(2)
        world.did(self.user, f"[{button}]")
        await self.user.press(button, message)

    async def type(self, world: World, text: str) -> None:
        """Send a text."""
        await self.user.wait_until_bot_may_send(2)
        world.did(self.user, text)
        await self.user.send_text(text)

    async def next_message(self, *keys: str) -> BotMessage:
        """The bot's next new message here (one of `keys`' texts, if given)."""
        return await self.user.wait_for_message(
            (lambda m: any(says(m.text, key) for key in keys)) if keys else None,
            timeout=REPLY_TIMEOUT,
        )


@dataclass
class Person(Actor):
    """Someone isolating at home (or a household on one phone) and their behaviour."""

    residents: list[Resident] = field(default_factory=list)
    answered: dict[str, int] = field(default_factory=dict)  # rounds answered, per name
    sos_at: datetime | None = None
    # Told to rest before measuring SpO2 again: name -> (the reading, away from home?).
    resting: dict[str, tuple[int, bool]] = field(default_factory=dict)

    async def act(self, world: World) -> None:
        """Answer prompts (or not), as this person's behaviour says."""
        behaviour = self.residents[0].behaviour
        waiting = [m for m in self.inbox if says(m.text, "checkin.prompt")]
        reminders = [m for m in self.inbox if says(m.text, "checkin.reminder")]
        again = [m for m in self.inbox if says(m.text, "checkin.ask.spo2_again")]
        self.inbox.clear()
        if behaviour is Behaviour.FORGETS:
            return
        if behaviour is Behaviour.SOS and self.sos_at and world.local_now() >= self.sos_at:
            self.sos_at = None
            await self.type(world, "/sos")
            await self.next_message("sos.sent")
        for message in reminders if behaviour is Behaviour.LATE else waiting:
            await self._answer(world, message)
        for message in again:
            # The rest is over and the tick asks for the second reading: the same value.
            resident = self._resident(message)
            spo2, away = self.resting.pop(resident.full_name, (98, False))
            await self.type(world, str(spo2))
            await self._questions(world, resident, spo2, away)

    def _resident(self, message: BotMessage) -> Resident:
        text = message.text or ""
        return next((r for r in self.residents if r.full_name in text), self.residents[0])

    async def _answer(self, world: World, prompt: BotMessage) -> None:
        resident = self._resident(prompt)
        done = self.answered.get(resident.full_name, 0)
        self.answered[resident.full_name] = done + 1
        spo2 = 98 - done if resident.behaviour is Behaviour.SPO2_FALLING else 98
        feeling = "checkin.feel.tired" if spo2 <= 96 else "checkin.feel.good"
        away = resident.behaviour is Behaviour.WANDERS and done == 1
        await self.tap(world, label(feeling), prompt)
        await self._questions(world, resident, spo2, away)

    async def _questions(self, world: World, resident: Resident, spo2: int, away: bool) -> None:
        """Answer the questionnaire to its end, or until told to rest before measuring again."""
        while True:
            question = await self.next_message(*QUESTION_KEYS)
            text = question.text
            if says(text, "checkin.spo2_rest"):
                self.resting[resident.full_name] = (spo2, away)
                return
            if says(text, "checkin.ask_symptoms"):
                await self.tap(world, label("checkin.symptoms.none"), question)
            elif says(text, "checkin.ask.spo2_again") or says(text, "checkin.ask.spo2"):
                await self.type(world, str(spo2))
            elif says(text, "checkin.ask.temperature"):
                await self.type(world, "37,2")
            elif says(text, "checkin.ask.breaths"):
                await self.type(world, "16")
            elif says(text, "checkin.ask.pulse"):
                await self.type(world, "82")
            elif says(text, "location.which_person"):
                await self.tap(world, resident.full_name, question)
            else:  # the location question
                lat, lon = resident.home
                if away:
                    lat += 0.01  # about 1.1 km north: at the market
                await self.user.wait_until_bot_may_send(2)
                world.did(self.user, f"📍 {lat:.5f}, {lon:.5f}")
                await self.user.send_location(lat, lon, horizontal_accuracy=10)
                await self.next_message(
                    "location.inside", "location.outside_checkin", "location.recorded"
                )
                return


@dataclass
class Officer(Actor):
    """A commune health worker: takes the alerts of their shift, resolves them later."""

    shift: tuple[int, int] = (6, 22)  # local hours when this officer answers alerts
    taken: dict[int, datetime] = field(default_factory=dict)  # card message id -> when
    cards: dict[int, BotMessage] = field(default_factory=dict)

    async def act(self, world: World) -> None:
        """Take new alert cards on shift; resolve the ones taken half an hour ago."""
        for message in self.inbox:
            if any(b.get("text") == label("alert.button.acknowledge") for b in message.buttons):
                self.cards[message.message_id] = message
        self.inbox.clear()
        now = world.local_now()
        if not self.shift[0] <= now.hour < self.shift[1]:
            return
        for message_id, card in list(self.cards.items()):
            labels = [b.get("text") for b in card.buttons]
            if message_id not in self.taken and label("alert.button.acknowledge") in labels:
                self.taken[message_id] = now
                await self.tap(world, label("alert.button.acknowledge"), card)
                await self.user.wait_for_answer(timeout=REPLY_TIMEOUT)
            elif (
                message_id in self.taken
                and label("alert.button.resolve") in labels
                and now - self.taken[message_id] >= timedelta(minutes=30)
            ):
                del self.cards[message_id]
                await self.tap(world, label("alert.button.resolve"), card)
                await self.user.wait_for_answer(timeout=REPLY_TIMEOUT)
            elif message_id not in self.taken and label("alert.button.acknowledge") not in labels:
                del self.cards[message_id]  # the other officer took it


@dataclass
class Citizen(Actor):
    """A neighbour who reports someone seen outside, without giving a location."""

    report_at: datetime | None = None
    text: str = "Tôi thấy một người đang cách ly đi chợ Hạc Thành sáng nay, không đeo khẩu trang."

    async def act(self, world: World) -> None:
        """Write the report once its time has come."""
        self.inbox.clear()
        if self.report_at is None or world.local_now() < self.report_at:
            return
        self.report_at = None
        await self.type(world, "/report")
        await self.next_message("report.ask_text")
        await self.type(world, self.text)
        await self.next_message("report.ask_photo")
        await self.type(world, label("report.skip"))
        await self.next_message("report.ask_location")
        await self.type(world, label("report.skip"))
        await self.next_message("report.ask_commune")
        await self.type(world, "hac thanh")
        choices = await self.next_message("report.commune_choices")
        await self.tap(world, choices.buttons[0]["text"], choices)
        summary = await self.next_message("report.summary")
        await self.tap(world, label("report.button.send"), summary)
        await self.next_message("report.receipt", "report.receipt_merged")
