"""The outbox sender against the Bot API stand-in: priorities, pacing, faults, at most once."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from bot.cli import main
from bot.clock import FakeClock
from bot.config import OutboxSettings, Settings
from bot.db import Database
from bot.messaging.claims import SentHook
from bot.messaging.message import Text
from bot.messaging.outbox import (
    PRIORITY_ALERT,
    PRIORITY_PROMPT,
    PRIORITY_URGENT,
    enqueue,
)
from bot.messaging.sender import MIN_CLAIM, NOT_MODIFIED, OutboxSender
from bot.messaging.status import outbox_status
from bot.messaging.telegram.transport import HttpTransport
from bot.messaging.transport import (
    Forbidden,
    PermanentError,
    RetryAfter,
    TransientError,
    TransportError,
)
from bot.models import Alert, Case, OutboxMessage
from handlers.ptb_transport import PtbTransport
from standins.telegram import BotApiStandIn, Fault, Limits
from tests.conftest import make_settings
from tests.factories import make_case

TOKEN = "123456789:stand-in-token"
FAST = OutboxSettings(rate_per_second=200.0, per_chat_interval_seconds=0.0, retry_base_seconds=0.0)


@asynccontextmanager
async def running_sender(
    db: Database,
    clock: FakeClock,
    standin: BotApiStandIn,
    outbox: OutboxSettings = FAST,
    start: bool = True,
    on_sent: SentHook | None = None,
) -> AsyncIterator[OutboxSender]:
    """A sender on the stand-in; stopped (and its outcomes written) on exit."""
    telegram = Settings().telegram
    settings = replace(
        Settings(),
        telegram=replace(telegram, token=TOKEN, base_url=standin.base_url),
        outbox=outbox,
    )
    from bot.alerts import AlertConfig, chat_unreachable

    transport = HttpTransport.from_settings(settings)
    await transport.initialize()
    sender = OutboxSender(
        db,
        clock,
        transport,
        outbox,
        on_forbidden=partial(chat_unreachable, AlertConfig.from_settings(settings)),
        on_sent=on_sent,
    )
    if start:
        sender.start()
    try:
        yield sender
    finally:
        await sender.stop()
        await transport.shutdown()


@asynccontextmanager
async def standin_with(limits: Limits) -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(TOKEN, limits=limits) as standin:
        yield standin


async def queue(
    db: Database,
    clock: FakeClock,
    chats: list[int],
    *,
    priority: int = PRIORITY_PROMPT,
    text: Callable[[int], str] = lambda i: f"tin nhắn {i}",
    not_before: Any = None,
) -> list[int]:
    """Queue one text per chat (in order) and return the row ids."""
    async with db.transaction() as session:
        rows = [
            enqueue(
                session,
                province=None,
                chat_id=chat,
                content=Text(text(i)),
                priority=priority,
                purpose="test",
                now=clock.now(),
                not_before=not_before,
            )
            for i, chat in enumerate(chats)
        ]
        await session.flush()
        return [row.id for row in rows]


async def states(db: Database) -> dict[str, int]:
    async with db.transaction() as session:
        result = await session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        )
        return {state: count for state, count in result.all()}


async def wait_sent(standin: BotApiStandIn, count: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Until `count` messages were delivered."""
    await standin._wait_until(
        lambda: sum(1 for c in standin.calls if c.method == "sendMessage" and c.ok) >= count,
        timeout,
        f"{count} messages delivered",
    )


async def looked(sender: OutboxSender, times: int) -> None:
    """Until the sender has looked at the outbox `times` more times (real time, not the clock)."""
    target = sender.stats.looks + times
    async with asyncio.timeout(10):
        while sender.stats.looks < target:  # noqa: ASYNC110 (a counter, polled)
            await asyncio.sleep(0.01)


def delivered(standin: BotApiStandIn) -> list[str]:
    return [c.params["text"] for c in standin.calls if c.method == "sendMessage" and c.ok]


async def test_most_urgent_first_then_oldest(db: Database, clock: FakeClock) -> None:
    async with standin_with(Limits.off()) as standin:
        standin.user(1)
        await queue(db, clock, [1, 1], text=lambda i: f"prompt {i}")
        clock.advance(timedelta(seconds=1))
        await queue(db, clock, [1], priority=PRIORITY_ALERT, text=lambda i: "alert")
        clock.advance(timedelta(seconds=1))
        await queue(db, clock, [1], priority=PRIORITY_URGENT, text=lambda i: "sos")
        async with running_sender(db, clock, standin):
            await wait_sent(standin, 4)
    assert delivered(standin) == ["sos", "alert", "prompt 0", "prompt 1"]
    assert await states(db) == {"sent": 4}


async def test_at_telegrams_limits_no_429_and_one_a_second_per_chat(
    db: Database, clock: FakeClock
) -> None:
    chats = list(range(100, 130))
    async with standin_with(Limits()) as standin:
        for chat in chats:
            standin.user(chat)
        # 30 chats, 2 messages each, plus 8 more for one chat: the per-chat limit binds.
        await queue(db, clock, chats + chats + [100] * 8)
        async with running_sender(db, clock, standin, OutboxSettings()):
            await wait_sent(standin, 68, timeout=20)
    assert standin.count_429 == 0
    sends = [c for c in standin.calls if c.method == "sendMessage"]
    assert all(c.ok for c in sends)
    by_chat: dict[int | None, list[float]] = {}
    for call in sends:
        by_chat.setdefault(call.chat_id, []).append(call.at)
    for times in by_chat.values():
        assert all(b - a >= 0.99 for a, b in itertools.pairwise(times))
    # Never more than the configured 25 in any second.
    times = sorted(c.at for c in sends)
    assert all(times[i + 25] - times[i] >= 0.95 for i in range(len(times) - 25))


async def test_a_new_sos_overtakes_5000_waiting_prompts(db: Database, clock: FakeClock) -> None:
    async with standin_with(Limits()) as standin:
        for chat in range(1, 5002):
            standin.user(chat)
        async with db.transaction() as session:
            await session.execute(
                insert(OutboxMessage),
                [
                    {
                        "chat_id": chat,
                        "kind": "text",
                        "body": {"text": f"prompt {chat}"},
                        "priority": PRIORITY_PROMPT,
                        "purpose": "prompt",
                        "state": "pending",
                        "not_before": clock.now(),
                        "created_at": clock.now(),
                        "attempts": 0,
                    }
                    for chat in range(1, 5001)
                ],
            )
        async with running_sender(db, clock, standin, OutboxSettings(idle_poll_seconds=30)):
            await wait_sent(standin, 20)
            before = len(delivered(standin))
            await queue(db, clock, [5001], priority=PRIORITY_URGENT, text=lambda i: "SOS")
            await standin.wait_for_call("sendMessage", lambda c: c.params["text"] == "SOS")
            position = delivered(standin).index("SOS")
        assert standin.count_429 == 0
    # Only the few rows already claimed or in flight went out before it: at 25 a second,
    # well under a second's worth.
    assert position - before <= MIN_CLAIM + 5


async def test_flood_wait_gateway_error_and_timeout_still_deliver_each_once(
    db: Database, clock: FakeClock
) -> None:
    async with standin_with(Limits.off()) as standin:
        for chat in (1, 2, 3):
            standin.user(chat)
        standin.inject_faults([Fault.too_many(1), Fault.bad_gateway(), Fault.hang(seconds=5)])
        await queue(db, clock, [1, 2, 3], priority=PRIORITY_ALERT)
        settings = replace(FAST, request_timeout_seconds=0.3)
        async with running_sender(db, clock, standin, settings) as sender:
            await wait_sent(standin, 3)
        assert standin.count_429 == 1
    assert sorted(delivered(standin)) == ["tin nhắn 0", "tin nhắn 1", "tin nhắn 2"]
    assert await states(db) == {"sent": 3}
    assert sender.stats.flood_waits == 1
    # The hang is a timeout: its fate unknown, an alert copy is sent once more.
    assert sender.stats.retried == 1
    assert sender.stats.unknown == 1
    async with db.transaction() as session:
        assert sum(await session.scalars(select(OutboxMessage.attempts))) == 6


async def test_retry_after_stops_every_send_for_its_duration(
    db: Database, clock: FakeClock
) -> None:
    async with standin_with(Limits.off()) as standin:
        for chat in range(1, 6):
            standin.user(chat)
        standin.inject_faults([Fault.too_many(1)])
        await queue(db, clock, [1, 2, 3, 4, 5])
        async with running_sender(db, clock, standin):
            await wait_sent(standin, 5)
    sends = [c for c in standin.calls if c.method == "sendMessage"]
    flood = next(c for c in sends if c.status == 429)
    # Some calls may have been on the wire already; nothing new starts during the pause.
    later = [c.at for c in sends if c.at > flood.at + 0.05]
    assert later
    assert min(later) >= flood.at + 0.95


async def test_network_errors_back_off_in_clock_time(db: Database, clock: FakeClock) -> None:
    settings = replace(FAST, retry_base_seconds=10.0)

    async def row_after_a_502(since: int) -> OutboxMessage:
        async with running_sender(db, clock, standin, settings):
            await standin.wait_for_call("sendMessage", lambda c: c.status == 502, since=since)
        # Stopped: every outcome is written down.
        async with db.transaction() as session:
            row = await session.get(OutboxMessage, row_id)
            assert row is not None
            assert row.state == "pending"
            return row

    async with standin_with(Limits.off()) as standin:
        standin.user(1)
        standin.inject_faults([Fault.bad_gateway(), Fault.bad_gateway()])
        [row_id] = await queue(db, clock, [1])
        row = await row_after_a_502(since=0)
        assert row.not_before == clock.now() + timedelta(seconds=10)
        assert row.last_error
        assert "Bad Gateway" in row.last_error
        clock.advance(timedelta(seconds=10))
        row = await row_after_a_502(since=standin.cursor)
        assert row.not_before == clock.now() + timedelta(seconds=20)  # doubled
        clock.advance(timedelta(seconds=20))
        async with running_sender(db, clock, standin, settings):
            await wait_sent(standin, 1)
    assert await states(db) == {"sent": 1}


async def test_forbidden_marks_the_case_unreachable_and_alerts(
    db: Database, clock: FakeClock
) -> None:
    async with standin_with(Limits.off()) as standin:
        case_id = await make_case(db, clock.now(), chat_id=501)
        standin.user(501).block()
        await queue(db, clock, [501])
        async with running_sender(db, clock, standin):
            await standin.wait_for_call("sendMessage", lambda c: c.status == 403, since=0)
    async with db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        assert case.unreachable_since == clock.now()
        alert = await session.scalar(select(Alert).where(Alert.case_id == case_id))
        assert alert is not None
        assert alert.kind == "unreachable"
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == 501))
        assert row is not None
        assert row.state == "failed"
        assert row.attempts == 1


async def test_an_edit_waits_for_its_message_and_uses_its_id(
    db: Database, clock: FakeClock
) -> None:
    async with standin_with(Limits.off()) as standin:
        user = standin.user(7)
        async with db.transaction() as session:
            original = enqueue(
                session,
                province=None,
                chat_id=7,
                content=Text("trước"),
                priority=PRIORITY_PROMPT,
                purpose="t",
                now=clock.now(),
            )
            await session.flush()
            # Queued more urgently than its original: it must still wait for it.
            enqueue(
                session,
                province=None,
                chat_id=7,
                content=Text("sau"),
                priority=PRIORITY_URGENT,
                purpose="t",
                now=clock.now(),
                edit_of_id=original.id,
            )
        async with running_sender(db, clock, standin):
            await standin.wait_for_call("editMessageText", lambda c: c.ok, since=0)
    assert [m.text for m in user.messages] == ["sau"]
    assert await states(db) == {"sent": 2}


async def test_an_edit_that_changes_nothing_counts_as_sent(db: Database, clock: FakeClock) -> None:
    async with standin_with(Limits.off()) as standin:
        standin.user(7)
        async with db.transaction() as session:
            original = enqueue(
                session,
                province=None,
                chat_id=7,
                content=Text("như cũ"),
                priority=PRIORITY_ALERT,
                purpose="t",
                now=clock.now(),
            )
            await session.flush()
            enqueue(
                session,
                province=None,
                chat_id=7,
                content=Text("như cũ"),
                priority=PRIORITY_ALERT,
                purpose="t",
                now=clock.now(),
                edit_of_id=original.id,
            )
        async with running_sender(db, clock, standin) as sender:
            edit = await standin.wait_for_call("editMessageText", since=0)
        assert edit.status == 400
        assert NOT_MODIFIED in (edit.description or "")
    # Telegram says the message already reads so: nothing failed.
    assert await states(db) == {"sent": 2}
    assert sender.stats.failed == 0


async def test_a_row_waits_for_its_time(db: Database, clock: FakeClock) -> None:
    async with standin_with(Limits.off()) as standin:
        standin.user(8)
        await queue(db, clock, [8], not_before=clock.now() + timedelta(hours=8))
        async with running_sender(db, clock, standin, replace(FAST, idle_poll_seconds=0.05)) as s:
            await looked(s, 3)  # three idle looks while the clock stands
            assert delivered(standin) == []
            clock.advance(timedelta(hours=8))
            s.wake()
            await wait_sent(standin, 1)


async def test_queueing_wakes_an_idle_sender_at_once(db: Database, clock: FakeClock) -> None:
    async with standin_with(Limits.off()) as standin:
        standin.user(9)
        async with running_sender(db, clock, standin, replace(FAST, idle_poll_seconds=60)) as s:
            await looked(s, 1)  # it found nothing, and its next look is a minute away
            await queue(db, clock, [9], priority=PRIORITY_URGENT)
            await wait_sent(standin, 1, timeout=1.0)


async def test_two_senders_never_send_one_row_twice(db: Database, clock: FakeClock) -> None:
    async with standin_with(Limits.off()) as standin:
        chats = list(range(1, 201))
        for chat in chats:
            standin.user(chat)
        await queue(db, clock, chats)
        async with (
            running_sender(db, clock, standin),
            running_sender(db, clock, standin),
        ):
            await wait_sent(standin, 200)
    texts = delivered(standin)
    assert len(texts) == 200
    assert len(set(texts)) == 200
    assert await states(db) == {"sent": 200}


async def test_rows_left_mid_call_by_a_crash(db: Database, clock: FakeClock) -> None:
    """Alerts are queued again (never lost); other rows are not sent twice."""
    async with standin_with(Limits.off()) as standin:
        standin.user(11)
        standin.user(12)
        alert_id, prompt_id = await queue(db, clock, [11], priority=PRIORITY_ALERT) + await queue(
            db, clock, [12]
        )
        async with db.transaction() as session:
            edit = enqueue(
                session,
                province=None,
                chat_id=11,
                content=Text("đã nhận"),
                priority=PRIORITY_ALERT,
                purpose="t",
                now=clock.now(),
                edit_of_id=alert_id,
            )
            await session.flush()
            edit_id = edit.id
        # A sender claimed both and died before writing anything down.
        async with running_sender(db, clock, standin, start=False) as dead:
            async with db.transaction() as session:
                claimed = await dead._claims.claim(session, 10, clock.now())
            assert {row.id for row in claimed} == {alert_id, prompt_id}
        clock.advance(timedelta(seconds=FAST.lease_seconds))
        async with running_sender(db, clock, standin) as sender:
            await standin.wait_for_call("editMessageText", lambda c: c.ok, since=0)
        assert sender.stats.sent == 2
    async with db.transaction() as session:
        rows = {row.id: row for row in await session.scalars(select(OutboxMessage))}
    assert rows[alert_id].state == "failed"
    assert "queued again" in (rows[alert_id].last_error or "")
    assert rows[prompt_id].state == "failed"
    assert "not sent again" in (rows[prompt_id].last_error or "")
    again = [r for r in rows.values() if r.id not in (alert_id, prompt_id, edit_id)]
    assert len(again) == 1
    assert again[0].state == "sent"
    assert rows[edit_id].edit_of_id == again[0].id
    assert rows[edit_id].state == "sent"
    assert delivered(standin) == ["tin nhắn 0"]


async def test_admin_status_counts_and_oldest(db: Database, clock: FakeClock) -> None:
    await queue(db, clock, [1, 2])
    clock.advance(timedelta(minutes=5))
    await queue(db, clock, [3], not_before=clock.now() + timedelta(hours=1))
    async with db.transaction() as session:
        status = await outbox_status(session, clock.now())
    assert (status.pending_due, status.pending_later, status.failed) == (2, 1, 0)
    assert status.oldest_waiting is not None
    assert status.oldest_waiting.chat_id == 1


def test_admin_outbox_command(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def seed() -> None:
        database = Database(make_settings(database_url).database)
        now = datetime.now(UTC)
        try:
            async with database.transaction() as session:
                enqueue(
                    session,
                    province=None,
                    chat_id=1,
                    content=Text("a"),
                    priority=PRIORITY_ALERT,
                    purpose="alert",
                    now=now,
                )
                failed = enqueue(
                    session,
                    province=None,
                    chat_id=2,
                    content=Text("b"),
                    priority=PRIORITY_PROMPT,
                    purpose="prompt",
                    now=now,
                )
                failed.state, failed.attempts = "failed", 3
                failed.last_error = "Bad Request: chat not found"
        finally:
            await database.dispose()

    asyncio.run(seed())
    assert main(["admin", "outbox"]) == 0
    out = capsys.readouterr().out
    assert "Outbox: 1 waiting, 0 scheduled later, 0 sending, 0 sent, 1 failed" in out
    assert "Attempts: 3 in all; 1 messages needed a retry" in out
    oldest, failures = out.split("Recent failures:")
    assert "p10  alert" in oldest
    assert "chat:1" in oldest
    assert "chat:2" in failures
    assert "3 tries  Bad Request: chat not found" in failures


# ---- the transports ---------------------------------------------------------------------


def transport_settings(standin: BotApiStandIn, timeout: float = 10.0) -> Settings:
    telegram = replace(Settings().telegram, token=TOKEN, base_url=standin.base_url)
    outbox = replace(FAST, request_timeout_seconds=timeout)
    return replace(Settings(), telegram=telegram, outbox=outbox)


async def outcome(
    transport: HttpTransport | PtbTransport, method: str, params: dict[str, Any]
) -> tuple[str, str]:
    """What one call came to: ("ok", message text) or (exception class, its text)."""
    try:
        result = await transport.call(method, params)
    except TransportError as error:
        seconds = f" {error.seconds:g}s" if isinstance(error, RetryAfter) else ""
        return type(error).__name__ + seconds, str(error)
    return "ok", str(result.get("text"))


async def test_the_http_transport_maps_answers_as_ptb_does(clock: FakeClock) -> None:
    """Every kind of answer becomes the same sender exception through either transport."""
    async with standin_with(Limits.off()) as standin:
        standin.user(1)
        standin.user(2).block()
        seen: dict[str, list[tuple[str, str]]] = {}
        for kind in (HttpTransport, PtbTransport):
            transport = kind.from_settings(transport_settings(standin, timeout=1.5))
            await transport.initialize()
            try:
                text = {"chat_id": 1, "text": "<b>chào</b>", "parse_mode": "HTML"}
                sent = await transport.call("sendMessage", text)
                standin.inject_faults([Fault.too_many(3), Fault.bad_gateway(), Fault.hang(5)])
                same = {**text, "message_id": sent["message_id"]}
                seen[kind.__name__] = [
                    await outcome(transport, "sendMessage", text),  # 429
                    await outcome(transport, "sendMessage", text),  # 502
                    await outcome(transport, "sendMessage", text),  # no answer in time
                    await outcome(transport, "sendMessage", text),  # after a timeout: fine
                    await outcome(transport, "sendMessage", {"chat_id": 2, "text": "a"}),
                    await outcome(transport, "sendMessage", {"chat_id": 999, "text": "a"}),
                    await outcome(transport, "sendMessage", {**text, "text": "<b>"}),
                    await outcome(transport, "editMessageText", same),
                ]
            finally:
                await transport.shutdown()
    http, ptb = seen["HttpTransport"], seen["PtbTransport"]
    assert [kind for kind, _ in http] == [
        "RetryAfter 3s",
        "TransientError",
        "UnknownOutcome",  # the request went out: it may have been delivered
        "ok",
        "Forbidden",
        "PermanentError",
        "PermanentError",
        "PermanentError",
    ]
    assert http[3] == ("ok", "chào")
    assert "Bad Gateway" in http[1][1]
    assert NOT_MODIFIED in http[7][1].lower()
    # The same classes, and the same texts wherever Telegram's description is the text.
    assert [kind for kind, _ in ptb] == [kind for kind, _ in http]
    for index in (1, 4, 5, 6, 7):
        assert http[index][1] == ptb[index][1]


async def test_the_http_transport_uploads_files_over_one_kept_alive_connection(
    clock: FakeClock,
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    async with standin_with(Limits.off()) as standin:
        user = standin.user(1)
        transport = HttpTransport.from_settings(transport_settings(standin))
        await transport.initialize()
        try:
            photo = {"chat_id": 1, "photo": png, "caption": "<i>biểu đồ</i>"}
            await transport.call("sendPhoto", {**photo, "parse_mode": "HTML"})
            document = {
                "chat_id": 1,
                "document": b"a;b\n1;2\n",
                "filename": "khaibao.csv",
                "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "y"}]]},
            }
            await transport.call("sendDocument", document)
            for i in range(5):
                await transport.call("sendMessage", {"chat_id": 1, "text": f"tin {i}"})
            # One call at a time: one connection, kept alive and reused throughout.
            assert len(transport._idle) == 1
        finally:
            await transport.shutdown()
    sent_photo, sent_document = user.messages[:2]
    assert sent_photo.file is not None
    assert sent_photo.file.content == png
    assert sent_photo.text == "biểu đồ"
    assert sent_document.file is not None
    assert sent_document.file.filename == "khaibao.csv"
    assert sent_document.file.content == b"a;b\n1;2\n"
    assert sent_document.buttons == [{"text": "x", "callback_data": "y"}]
    assert [m.text for m in user.messages[2:]] == [f"tin {i}" for i in range(5)]


async def test_the_http_transport_needs_an_http_base_url() -> None:
    with pytest.raises(ValueError, match="http"):
        HttpTransport(TOKEN, base_url="ftp://example.org/bot")
    # Telegram's own address by default, over TLS.
    transport = HttpTransport(TOKEN)
    assert (transport._host, transport._port, transport._tls) == ("api.telegram.org", 443, True)
    assert transport._prefix == f"/bot{TOKEN}/"


def test_sender_exceptions_are_transport_errors() -> None:
    for kind in (Forbidden, PermanentError, TransientError):
        assert issubclass(kind, TransportError)
    assert RetryAfter(2.5).seconds == 2.5
