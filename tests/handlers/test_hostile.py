"""Generated updates of every kind, through the real Application, against the stand-in.

One bot runs for all examples (in a thread of its own, so hypothesis drives it from a
plain test). Each example pushes a few updates, then a private /help from a sentinel user:
updates are handled one after another, so the sentinel's answer means they are done.
Then, for the calls made meanwhile: no handler raised, every private message and every
press was answered, nothing went to a group or channel, Telegram refused nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.actions import Action
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from standins.telegram.records import Call, file_object
from standins.telegram.wire import JSON, MESSAGE_METHODS
from tests.conftest import empty_database, make_settings
from tests.factories import make_case
from tests.harness import Harness, running_bot

T = TypeVar("T")

EXAMPLES = int(os.environ.get("CACHLY_HOSTILE_EXAMPLES", "2000"))
SENTINEL, STRANGER, OFFICER, PERSON = 1, 101, 102, 103
GROUP_CHATS: dict[str, JSON] = {
    "group": {"id": -4001, "type": "group", "title": "Tổ dân phố 3"},
    "supergroup": {"id": -1001234, "type": "supergroup", "title": "Phường Hạc Thành"},
    "channel": {"id": -1005678, "type": "channel", "title": "Tin y tế"},
}
HOME = {"type": "circle", "lat": 19.8067, "lon": 105.7852, "radius_m": 50}
COMMANDS = (
    "start", "help", "language", "whoami", "cancel", "register", "cases", "case", "newlink",
    "extend", "release", "hospitalized", "transfer", "export", "status", "report", "reports",
    "alerts", "worklist", "checkin", "sos", "times", "nosuchcommand",
)  # fmt: skip
HOSTILE_TEXTS = (
    "<b>bold</b> & <script>alert(1)</script>",
    "😷🤒🆘" * 50,
    "\u202eRTL\u200b\u200d",
    "37,8",
    "19.8067, 105.7852",
    "https://maps.google.com/?q=95,200",
    "nan, inf",
    "K7M3QX",
    "mặc định",
    "hoi met",
    "x" * 4096,
    "",
)

# Telegram sends valid UTF-8 only: no lone surrogates.
_CHARACTERS = st.characters(exclude_categories=["Cs"])
_text = st.text(_CHARACTERS, max_size=60)
text = st.one_of(_text, st.sampled_from(HOSTILE_TEXTS))
floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-200, max_value=200),
    st.sampled_from([19.8067, 105.7852, 90.0, -90.0, 180.0, 95.0, -91.0, 1e308, -0.0]),
)
ids = st.one_of(
    st.integers(0, 50).map(str),
    st.sampled_from(["", "-1", "99999999999999999999", "²", "٣", "1e3", "0x10"]),
)
callback_data = st.one_of(
    st.none(),
    st.text(_CHARACTERS, min_size=1, max_size=64).filter(lambda data: len(data.encode()) <= 64),
    st.builds(
        lambda action, parts: (action.value + ":".join(parts))[:64],
        st.sampled_from(list(Action)),
        st.lists(st.one_of(ids, st.sampled_from(list("ynfskpotda")), _text), max_size=4),
    ),
)


@dataclass(frozen=True)
class Step:
    """One update to push: its kind, who sends it, from which chat type, and its content."""

    kind: str  # text, command, callback, location, document, photo, sticker, contact
    sender: int
    chat_type: str
    edited: bool
    content: Any = field(default=None)


def _step(kind: str, content: st.SearchStrategy[Any]) -> st.SearchStrategy[Step]:
    return st.builds(
        Step,
        st.just(kind),
        st.sampled_from([STRANGER, OFFICER, PERSON]),
        st.sampled_from(["private", "private", "private", "group", "supergroup", "channel"]),
        st.booleans() if kind not in ("callback", "command") else st.just(False),
        content,
    )


steps = st.one_of(
    _step("text", text),
    _step("command", st.tuples(st.sampled_from(COMMANDS), st.booleans(), text)),
    _step("callback", st.tuples(callback_data, st.sampled_from(["last", "missing", "inline"]))),
    _step(
        "location",
        st.tuples(floats, floats, st.one_of(st.none(), floats), st.sampled_from([None, 60, 900])),
    ),
    _step("document", st.tuples(_text, st.binary(max_size=200), st.sampled_from(["csv", "xlsx"]))),
    _step("photo", st.binary(max_size=100)),
    _step("sticker", st.none()),
    _step("contact", st.sampled_from(["+84987654321", "0912345678", "not a phone"])),
)


class BotThread:
    """The harness in a thread with its own event loop, for a synchronous hypothesis test."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.ready: Future[Harness] = Future()
        self.stop = asyncio.Event()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._serve(),))

    async def _serve(self) -> None:
        try:
            db = Database(self.settings.database)
            await empty_database(db)
            clock = FakeClock()
            async with running_bot(self.settings, db, clock) as harness:
                await make_case(harness.services.db, clock.now(), chat_id=PERSON, zone=HOME)
                await harness.officer(OFFICER)
                for user_id in (SENTINEL, STRANGER, PERSON):
                    harness.user(user_id)
                self.ready.set_result(harness)
                await self.stop.wait()
        except BaseException as error:
            if not self.ready.done():
                self.ready.set_exception(error)
            raise

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the bot's loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def close(self) -> None:
        """Stop the bot and its loop."""
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(timeout=60)


@pytest.fixture(scope="module")
def bot(database_url: str) -> Iterator[BotThread]:
    """One running bot for every example."""
    running = BotThread(make_settings(database_url))
    running.thread.start()
    running.ready.result(timeout=60)
    yield running
    running.close()


class Failures(logging.Handler):
    """Every ERROR record: a handler raised, or an answer could not be given."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Pushed:
    """What one example pushed, to check the calls against."""

    private_messages: set[int] = field(default_factory=set)  # chat ids owed an answer
    queries: set[str] = field(default_factory=set)
    forged_messages: set[tuple[int, int]] = field(default_factory=set)  # (chat, message id)


_query_ids = itertools.count(1_000_000)
KINDS: Counter[str] = Counter()
TOTAL = {"examples": 0, "updates": 0, "seconds": 0.0}


def _push(harness: Harness, step: Step, pushed: Pushed) -> None:
    standin = harness.standin
    user = standin.user(step.sender)
    sender = standin._chats[step.sender].user
    private = step.chat_type == "private"
    chat = standin._chats[step.sender].chat if private else GROUP_CHATS[step.chat_type]
    KINDS[f"{step.kind} {step.chat_type}{' edited' if step.edited else ''}"] += 1
    if step.kind == "callback":
        data, where = step.content
        query: JSON = {"id": str(next(_query_ids)), "from": sender, "chat_instance": "x"}
        if data is not None:
            query["data"] = data
        messages = standin._chats[step.sender].messages if private else {}
        if where == "inline":
            query["inline_message_id"] = "inline-1"
        elif where == "last" and messages:
            query["message"] = next(reversed(messages.values())).message
        else:
            query["message"] = {
                "message_id": 999_999,
                "from": standin.bot_user,
                "chat": chat,
                "date": standin._date(),
                "text": "?",
                "reply_markup": {"inline_keyboard": [[{"text": "?", "callback_data": "?"}]]},
            }
            pushed.forged_messages.add((chat["id"], 999_999))
        standin._queries[query["id"]] = step.sender
        pushed.queries.add(query["id"])
        standin._push_update("callback_query", query)
        return
    content = _content(harness, step)
    if private:
        message = user._message(content)
    else:
        message = {"message_id": 5, "chat": chat, "date": standin._date(), **content}
        if step.chat_type == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = sender
    channel = step.chat_type == "channel"
    if step.edited:
        message["edit_date"] = standin._date()
        standin._push_update("edited_channel_post" if channel else "edited_message", message)
    else:
        standin._push_update("channel_post" if channel else "message", message)
        if private:
            pushed.private_messages.add(chat["id"])


def _content(harness: Harness, step: Step) -> JSON:
    standin = harness.standin
    if step.kind == "text":
        return {"text": step.content} if step.content else {"text": "."}
    if step.kind == "command":
        name, mention, args = step.content
        command = f"/{name}" + ("@cachly_test_bot" if mention else "")
        entity = {"type": "bot_command", "offset": 0, "length": len(command)}
        return {"text": f"{command} {args}".strip(), "entities": [entity]}
    if step.kind == "location":
        lat, lon, accuracy, live = step.content
        location: JSON = {"latitude": lat, "longitude": lon}
        if accuracy is not None:
            location["horizontal_accuracy"] = accuracy
        if live is not None:
            location["live_period"] = live
        return {"location": location}
    if step.kind == "document":
        name, body, suffix = step.content
        stored = standin._store_file(body, "documents", f"{name or 'f'}.{suffix}", None)
        return {"document": file_object(stored, "document"), "caption": name or None}
    if step.kind == "photo":
        return {
            "photo": file_object(standin._store_file(step.content, "photos", None, None), "photo")
        }
    if step.kind == "sticker":
        sticker = {"file_id": "s1", "file_unique_id": "s1", "width": 512, "height": 512}
        return {"sticker": {**sticker, "is_animated": False, "is_video": False, "type": "regular"}}
    return {"contact": {"phone_number": step.content, "first_name": "Lan"}}


async def _example(harness: Harness, batch: list[Step]) -> tuple[Pushed, list[Call]]:
    start = harness.standin.cursor
    pushed = Pushed()
    for step in batch:
        _push(harness, step, pushed)
    sentinel = harness.standin.user(SENTINEL)
    await sentinel.send_text("/help")
    await sentinel.wait_for_message(timeout=30)
    # Some answers come through the outbox (an export's files), paced to one a second per
    # chat: wait until every private chat that wrote has had an answer (or the time runs out).
    calls = harness.standin.calls

    def answered() -> bool:
        spoken = {c.chat_id for c in calls[start:] if c.method in MESSAGE_METHODS and c.ok}
        return pushed.private_messages <= spoken

    with contextlib.suppress(AssertionError):  # _check says who was left unanswered
        await harness.standin._wait_until(answered, 30.0, "every private chat answered")
    return pushed, harness.standin.calls[start:]


def _check(pushed: Pushed, calls: list[Call], failures: list[logging.LogRecord]) -> None:
    assert not failures, [f"{r.getMessage()} {r.exc_info}" for r in failures]
    outside = {chat["id"] for chat in GROUP_CHATS.values()}
    for call in calls:
        target = call.params.get("chat_id")
        assert call.chat_id not in outside, call
        assert target not in outside, call
        forged = (call.chat_id, call.params.get("message_id")) in pushed.forged_messages
        if forged and call.method.startswith("edit"):
            continue  # Telegram sends no press on a message that does not exist
        assert call.ok, (call.method, call.description)
    answered = Counter(
        str(call.params.get("callback_query_id"))
        for call in calls
        if call.method == "answerCallbackQuery"
    )
    assert all(answered[query] == 1 for query in pushed.queries), (pushed.queries, answered)
    spoken = {call.chat_id for call in calls if call.method in MESSAGE_METHODS and call.ok}
    assert pushed.private_messages <= spoken, (pushed.private_messages, spoken)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batch=st.lists(steps, min_size=1, max_size=3))
def test_every_update_is_answered_and_none_breaks_the_bot(
    bot: BotThread, batch: list[Step]
) -> None:
    harness = bot.ready.result()
    failures = Failures()
    root = logging.getLogger()
    root.addHandler(failures)
    began = time.perf_counter()
    try:
        pushed, calls = bot.run(_example(harness, batch))
    finally:
        root.removeHandler(failures)
    TOTAL["examples"] += 1
    TOTAL["updates"] += len(batch)
    TOTAL["seconds"] += time.perf_counter() - began
    _check(pushed, calls, failures.records)


def test_report_the_generated_updates() -> None:
    """Not a check: prints how many examples ran, of which kinds, and how long they took."""
    if not TOTAL["examples"]:
        pytest.skip("the generated-update test did not run")
    print(
        f"\n{TOTAL['examples']} examples, {TOTAL['updates']} updates, "
        f"{TOTAL['seconds']:.1f} s; {len(KINDS)} kinds: "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(KINDS.items()))
    )
