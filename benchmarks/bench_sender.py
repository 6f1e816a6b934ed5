"""The outbox sender at the limit: achieved send rate against the configured rate, 429s, memory.

The Bot API stand-in runs in a child process (so that its work does not slow the sender) with
Telegram's limits (30/s overall, 1/s per chat) or the paid-broadcast limit (1,000/s); the
sender drains N queued prompts, one per chat, from a SQLite database (or the database in
CACHLY_BENCH_DATABASE_URL).

Run from the repository root:
    python -m benchmarks.bench_sender                 # N=10,000 at 25/s (about 7 minutes)
    python -m benchmarks.bench_sender --n 2000        # a shorter run
    python -m benchmarks.bench_sender --paid --n 100000   # 1,000/s with allow_paid_broadcast
    python -m benchmarks.bench_sender --paid --transport ptb   # through PTB's Bot, to compare
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from benchmarks.progress import Progress
from bot.clock import FakeClock
from bot.config import OutboxSettings, Settings
from bot.db import Database
from bot.messaging.outbox import PRIORITY_PROMPT
from bot.messaging.sender import OutboxSender
from bot.messaging.telegram.transport import HttpTransport
from bot.models import OutboxMessage
from handlers.ptb_transport import PtbTransport

TOKEN = "123456789:stand-in-token"

# The child process: a stand-in with N users, printing its port, serving until stdin closes.
# Its garbage collector is kept from stalling it: a full collection over N users and the
# calls recorded so far takes long enough (100 ms and more at N=100,000) that requests queue
# up meanwhile and then arrive, as far as its one-second window can tell, all at once. Objects
# that live to the end are frozen out of collections, now and every few seconds.
_CHILD = (
    """
import asyncio, gc, sys, time
from standins.telegram import BotApiStandIn, Limits

async def freeze() -> None:
    while True:
        await asyncio.sleep(2)
        gc.freeze()

async def main() -> None:
    n, paid, first = int(sys.argv[1]), sys.argv[2] == "paid", int(sys.argv[3])
    limits = Limits.paid_broadcast() if paid else Limits()
    async with BotApiStandIn("%TOKEN%", limits=limits) as standin:
        for chat in range(first, first + n):
            standin.user(chat)
        gc.collect()
        gc.freeze()
        freezer = asyncio.create_task(freeze())
        cpu = time.process_time()
        print(standin.port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        cpu = time.process_time() - cpu
        freezer.cancel()
        ok = sum(1 for c in standin.calls if c.method == "sendMessage" and c.ok)
        print(ok, standin.count_429, cpu, flush=True)

asyncio.run(main())
"""
).replace("%TOKEN%", TOKEN)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class StandInProcess:
    """The stand-in in a child process: its port, then what it counted once closed."""

    port: int
    delivered: int = 0
    count_429: int = 0
    cpu_seconds: float = 0.0


@contextmanager
def standin_process(users: int, paid: bool, first_chat: int = 1) -> Iterator[StandInProcess]:
    """Run the stand-in with `users` private chats from `first_chat` on, in its own process."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(users), "paid" if paid else "telegram", str(first_chat)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdin is not None
    standin = StandInProcess(int(child.stdout.readline()))
    try:
        yield standin
    finally:
        child.stdin.close()
        answer = child.stdout.readline().split()
        child.wait()
    standin.delivered, standin.count_429 = int(answer[0]), int(answer[1])
    standin.cpu_seconds = float(answer[2])


async def run(n: int, paid: bool, transport_name: str = "http") -> None:
    """Queue n prompts, drain them through the stand-in and print the figures."""
    with standin_process(n, paid) as standin, tempfile.TemporaryDirectory() as folder:
        port = standin.port
        url = os.environ.get("CACHLY_BENCH_DATABASE_URL") or (
            f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        )
        outbox = (
            OutboxSettings(rate_per_second=1000.0, paid_broadcast=True, max_in_flight=200)
            if paid
            else OutboxSettings()
        )
        base = Settings()
        settings = replace(
            base,
            database=replace(base.database, url=url),
            telegram=replace(base.telegram, token=TOKEN, base_url=f"http://127.0.0.1:{port}/bot"),
            outbox=outbox,
        )
        db = Database(settings.database)
        await db.upgrade()
        clock = FakeClock(datetime(2026, 11, 26, 1, 0, tzinfo=UTC))
        async with db.transaction() as session:
            for start in range(1, n + 1, 10_000):
                await session.execute(
                    insert(OutboxMessage),
                    [
                        {
                            "chat_id": chat,
                            "kind": "text",
                            "body": {"text": f"Đến giờ khai báo sức khoẻ {chat}"},
                            "priority": PRIORITY_PROMPT,
                            "purpose": "prompt",
                            "state": "pending",
                            "not_before": clock.now(),
                            "created_at": clock.now(),
                            "attempts": 0,
                        }
                        for chat in range(start, min(n, start + 9_999) + 1)
                    ],
                )
        rss_before = _rss_mb()
        transport = (
            PtbTransport.from_settings(settings)
            if transport_name == "ptb"
            else HttpTransport.from_settings(settings)
        )
        await transport.initialize()
        sender = OutboxSender(db, clock, transport, outbox)
        cpu = time.process_time()
        wall = time.perf_counter()
        sender.start()
        progress = Progress("sending", n)
        while sender.stats.sent + sender.stats.failed < n:
            await asyncio.sleep(0.5)
            progress.update(sender.stats.sent + sender.stats.failed)
        progress.finish()
        await sender.stop()
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        await transport.shutdown()
        await db.dispose()
    delivered, count_429, standin_cpu = standin.delivered, standin.count_429, standin.cpu_seconds
    stats = sender.stats
    span = (stats.last_send or 0) - (stats.first_send or 0)
    rate = (stats.sent - 1) / span if span > 0 else float("nan")
    print(f"N={n:,}  limits={'paid broadcast 1,000/s' if paid else 'Telegram 30/s, 1/s per chat'}")
    print(f"  configured rate     {outbox.rate_per_second:,.0f}/s")
    print(f"  achieved rate       {rate:,.1f}/s  ({100 * rate / outbox.rate_per_second:.1f} %)")
    print(f"  delivered           {delivered:,} (sender counted {stats.sent:,})")
    print(f"  429 answers         {count_429} (sender waited {stats.flood_waits} times)")
    print(f"  retried             {stats.retried:,} network errors, {stats.failed:,} failed")
    print(f"  wall time           {wall:,.1f} s, sender CPU {cpu:,.1f} s")
    per_send = 1000 * cpu / max(1, stats.sent)
    print(f"  CPU per send        {per_send:.2f} ms (transport: {transport_name})")
    per_call = 1000 * standin_cpu / max(1, delivered + count_429)
    print(f"  stand-in CPU        {standin_cpu:,.1f} s, {per_call:.2f} ms per call")
    grew = _rss_mb() - rss_before
    print(f"  peak RSS            {_rss_mb():,.0f} MB ({grew:+,.0f} MB while sending)")


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--paid", action="store_true", help="1,000/s with allow_paid_broadcast")
    parser.add_argument(
        "--transport",
        choices=("http", "ptb"),
        default="http",
        help="the sender's (default) or PTB's",
    )
    args = parser.parse_args()
    asyncio.run(run(args.n, args.paid, args.transport))


if __name__ == "__main__":
    main()
