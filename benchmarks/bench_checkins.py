"""Check-ins at scale: due-work query, CPU per location check-in, a prompt round end to end.

    python -m benchmarks.bench_checkins --cases 100000            # query + CPU + memory
    python -m benchmarks.bench_checkins --cases 10000 --send      # + prompts at Telegram's limits
    python -m benchmarks.bench_checkins --cases 100000 --send --paid   # 1,000 a second

Runs on a throwaway SQLite file (or CACHLY_BENCH_DATABASE_URL, a PostgreSQL database it may
wipe). Prints what it measured; the targets are in DESIGN.md section 10.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Select, func, insert, select, update
from telegram import Update

from benchmarks.bench_sender import TOKEN, standin_process
from benchmarks.progress import Progress
from bot.checkins import ANSWERED, LOCATION, OPEN, QUEUED, SCHEDULED, LocationInput
from bot.clock import FakeClock
from bot.config import Settings, settings_from_mapping
from bot.db import Database
from bot.fresh import fresh_database
from bot.models import Case, Checkin, CheckinPlan
from bot.services import Services
from cachly.root import open_sender
from geofence import Circle

HOME = Circle(19.8076, 105.7764, 50.0)
START = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # 07:00 in Vietnam


def _settings(url: str, paid: bool) -> Settings:
    raw: dict[str, object] = {
        "deployment": {"provinces": [38]},
        "checkins": {"spread_minutes": 0, "tick_seconds": 600},
    }
    if paid:
        raw["outbox"] = {"rate_per_second": 1000.0, "paid_broadcast": True, "max_in_flight": 200}
    return settings_from_mapping(raw, {"CACHLY_DATABASE_URL": url})


async def _fresh(url: str, settings: Settings) -> Database:
    return await fresh_database(settings, FakeClock(START))


async def _cases(db: Database, count: int) -> None:
    """Insert active F1 cases in bulk (chat ids 1_000_000 + n)."""
    zone = HOME.to_dict()
    progress = Progress("inserting cases", count)
    for first in range(0, count, 5000):
        rows = [
            {
                "code": f"B{n:07d}",
                "full_name": f"Người {n}",
                "phone": "+84912345678",
                "birth_year": 1970,
                "address": "",
                "commune_code": 14797,
                "province_code": 38,
                "kind": "f1",
                "start_date": date(2026, 11, 20),
                "end_date": date(2026, 12, 4),
                "status": "active",
                "language": "vi",
                "zone": zone,
                "home_status": "set",
                "chat_id": 1_000_000 + n,
                "telegram_user_id": 1_000_000 + n,
                "created_at": START,
                "updated_at": START,
            }
            for n in range(first, min(first + 5000, count))
        ]
        async with db.transaction() as session:
            await session.execute(insert(Case), rows)
        progress.update(first + len(rows))
    progress.finish()


def _counting(table: type[Case | Checkin | CheckinPlan]) -> Select[int]:
    """SELECT COUNT(*) FROM `table`, to which a .where() may be added."""
    return select(func.count()).select_from(table)


async def _count(db: Database, query: Select[int]) -> int:
    """Run a COUNT: a progress poll of work inside the bot, which the script cannot count."""
    async with db.transaction() as session:
        return int(await session.scalar(query) or 0)


async def _due_query(db: Database, now: datetime) -> float:
    """Milliseconds to find the next batch of due prompts and open windows (median of 5)."""
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        async with db.transaction() as session:
            await session.execute(
                select(Checkin.id)
                .where(Checkin.state == SCHEDULED, Checkin.next_action_at <= now)
                .order_by(Checkin.next_action_at)
                .limit(500)
            )
            await session.execute(
                select(Checkin.id)
                .where(Checkin.state == OPEN, Checkin.next_action_at <= now)
                .order_by(Checkin.next_action_at)
                .limit(500)
            )
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)[2]


def _update(chat_id: int, message_id: int, when: datetime) -> dict[str, object]:
    user = {"id": chat_id, "is_bot": False, "first_name": "A"}
    return {
        "update_id": message_id,
        "message": {
            "message_id": message_id,
            "from": user,
            "chat": {"id": chat_id, "type": "private", "first_name": "A"},
            "date": int(when.timestamp()),
            "location": {"latitude": 19.8077, "longitude": 105.7765, "horizontal_accuracy": 12},
        },
    }


async def _at_location_step(db: Database, first: int, count: int) -> None:
    """Put the 17:00 check-ins of `count` cases at their last step, the location question.

    Not the 08:00 round's: that one is left whole for the prompt round (--send).
    """
    async with db.transaction() as session:
        ids = select(Case.id).where(
            Case.chat_id >= 1_000_000 + first, Case.chat_id < 1_000_000 + first + count
        )
        await session.execute(
            update(Checkin)
            .where(Checkin.case_id.in_(ids), Checkin.due_at == START + timedelta(hours=10))
            .values(
                state=ANSWERED,
                step=LOCATION,
                answered_at=START + timedelta(hours=1),
                closes_at=START + timedelta(hours=3),
                next_action_at=START + timedelta(hours=3),
                outcome="on_time",
            )
        )


async def _location_cpu(
    services: Services, count: int, first: int = 0
) -> tuple[float, float, float]:
    """CPU milliseconds per location check-in (update in -> verdict -> commit): the median
    block of 100, the best block, and the median block's wall milliseconds.

    The median is the figure; the best block shows the cost when nothing else on the
    machine got in the way (a shared virtual machine moves single blocks by a third).
    """
    now = services.clock.now()
    blocks: list[tuple[float, float]] = []
    progress = Progress("location check-ins", count)
    for start in range(first, first + count, 100):
        stop = min(start + 100, first + count)
        cpu = time.process_time()
        wall = time.perf_counter()
        for n in range(start, stop):
            await _one_location(services, n, now)
        size = stop - start
        blocks.append(
            (
                (time.process_time() - cpu) * 1000 / size,
                (time.perf_counter() - wall) * 1000 / size,
            )
        )
        progress.update(stop - first)
    progress.finish()
    blocks.sort()
    median = blocks[len(blocks) // 2]
    return median[0], blocks[0][0], median[1]


async def _one_location(services: Services, n: int, now: datetime) -> None:
    update = Update.de_json(_update(1_000_000 + n, 10 + n, now), None)
    message = update.message
    assert message is not None
    assert message.location is not None
    place = message.location
    await services.checkins.location(
        LocationInput(
            chat_id=message.chat.id,
            user_id=message.chat.id,
            message_id=message.message_id,
            lat=place.latitude,
            lon=place.longitude,
            accuracy_m=place.horizontal_accuracy,
            date=message.date,
            forwarded=message.forward_origin is not None,
            venue=message.venue is not None,
        )
    )


async def _send_round(services: Services, count: int, paid: bool) -> None:
    """Prompt every case through the stand-in with the bot's sender; print rate and 429s.

    The stand-in runs in its own process, as Telegram would, so that its work does not
    take the sender's CPU. The round is queued first (as the tick job does) and then sent:
    the rate is measured while the whole round is waiting.
    """
    db, now = services.db, services.clock.now()
    due = await _count(
        db, _counting(Checkin).where(Checkin.state == SCHEDULED, Checkin.next_action_at <= now)
    )
    waiting = _counting(Checkin).where(Checkin.state == QUEUED)
    queued = time.perf_counter()
    # A COUNT every 8 s of the check-ins send_due has queued (it commits batch by batch).
    async with Progress("queueing prompts", due, every=8.0, read=lambda: _count(db, waiting)):
        prompted, _ = await services.checkins.send_due()
    seconds = time.perf_counter() - queued
    print(f"prompts queued: {prompted:,} in {seconds:.1f} s ({prompted / seconds:,.0f}/s)")
    with standin_process(count, paid, first_chat=1_000_000) as standin:
        telegram = replace(
            services.settings.telegram, token=TOKEN, base_url=f"http://127.0.0.1:{standin.port}/bot"
        )
        settings = replace(services.settings, telegram=telegram)
        started = time.perf_counter()
        cpu = time.process_time()
        sender, transport = await open_sender(Services(settings, services.db, services.clock))
        progress = Progress("sending prompts", prompted)
        while sender.stats.sent + sender.stats.failed < prompted:
            await asyncio.sleep(0.5)
            progress.update(sender.stats.sent + sender.stats.failed)
        progress.finish()
        await sender.stop()
        cpu = time.process_time() - cpu
        await transport.shutdown()
    stats = sender.stats
    span = (stats.last_send or 0.0) - (stats.first_send or 0.0)
    achieved = (stats.sent - 1) / span if span > 0 else 0.0
    rate = settings.outbox.rate_per_second
    print(f"sent: {stats.sent:,} of {prompted:,} in {time.perf_counter() - started:.1f} s")
    print(
        f"achieved rate while a backlog existed: {achieved:.1f}/s of {rate:,.0f}/s configured "
        f"({achieved / rate:.1%})"
    )
    print(f"429 answers from the stand-in: {standin.count_429}")
    # Both processes share the machine: at 1,000 a second their CPU per message decides it.
    calls = max(1, standin.delivered + standin.count_429)
    print(
        f"CPU per message: sender {1000 * cpu / max(1, stats.sent):.2f} ms, "
        f"stand-in {1000 * standin.cpu_seconds / calls:.2f} ms"
    )


async def main_async(count: int, send: bool, paid: bool, checkins: int) -> None:
    """Build the data, measure, print."""
    url = os.environ.get("CACHLY_BENCH_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    )
    settings = _settings(url, paid)
    db = await _fresh(url, settings)
    clock = FakeClock(START)
    services = Services(settings, db, clock)
    print(f"database: {url.split('://', 1)[0]}, active cases: {count:,}")
    started = time.perf_counter()
    await _cases(db, count)
    print(f"cases inserted in {time.perf_counter() - started:.1f} s")

    # Memory is traced around the work that scales with N (planning, the prompt round), not
    # around the CPU timing, which tracing would slow down several times.
    tracemalloc.start()
    started = time.perf_counter()
    # A COUNT every 8 s of the cases planned so far (plan() commits batch by batch).
    async with Progress(
        "planning (cases)", count, every=8.0, read=lambda: _count(db, _counting(CheckinPlan))
    ):
        planned = await services.checkins.plan()
    print(f"planned {planned:,} occurrences in {time.perf_counter() - started:.1f} s")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    clock.set(START + timedelta(hours=1))  # 08:00: the whole round is due
    query_ms = await _due_query(db, clock.now())
    print(f"due-work query (next 500 prompts + next 500 windows): {query_ms:.2f} ms")
    timed = min(checkins, count // 2)
    cpu, best, wall = await _location_cpu(services, timed)
    print(
        f"location shared on its own: {cpu:.3f} ms CPU (best block {best:.3f}), "
        f"{wall:.3f} ms wall each ({timed} fixes)"
    )
    # The usual case: the answer to a check-in's location question (the row is updated and
    # the conversation ends as well).
    await _at_location_step(db, timed, timed)
    cpu, best, wall = await _location_cpu(services, timed, first=timed)
    print(
        f"location check-in (answering the question): {cpu:.3f} ms CPU (best block "
        f"{best:.3f}), {wall:.3f} ms wall each ({timed} check-ins)"
    )
    print(f"peak traced memory while planning: {peak / 1e6:.1f} MB")
    if send:
        # The whole 08:00 round. Not traced: tracing would slow the sender and understate
        # the rate it achieves.
        await _send_round(services, count, paid)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process: {rss:.0f} MB")
    await db.dispose()


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--checkins", type=int, default=2000, help="location check-ins timed")
    parser.add_argument("--send", action="store_true", help="prompt everyone through the stand-in")
    parser.add_argument("--paid", action="store_true", help="paid-broadcast rate (1,000/s)")
    args = parser.parse_args()
    asyncio.run(main_async(args.cases, args.send, args.paid, args.checkins))


if __name__ == "__main__":
    main()
