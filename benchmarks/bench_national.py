"""A country on one PostgreSQL: N cases over 34 provinces, a bot each, W workers, two rounds.

    CACHLY_BENCH_DATABASE_URL=postgresql+asyncpg://... \\
        python -m benchmarks.bench_national --cases 200000 --workers 2

The stand-ins (one per bot, Telegram's free limits: about 30 messages a second per bot and
one a second per chat) run in a process of their own (benchmarks/fleet.py); the workers are
real `cachly run` processes on one database, long polling every bot, each running the ticks
and a sender per bot (one of them sends for each bot: its advisory lock). The benchmark
inserts the cases, plans the day itself (timed), then lets the workers deliver two rounds:
the first undisturbed, the second with one worker SIGKILLed mid-round and restarted at once,
as systemd would. Per round it prints the time from the round's due time to its last
delivered prompt, each bot's and the overall send rate, 429s, prompts lost and duplicated,
and each worker's peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, insert, or_, select
from vietnam_provinces import ProvinceCode

from benchmarks.progress import Progress
from bot.checkins import OPEN, QUEUED, SCHEDULED
from bot.clock import SystemClock
from bot.config import load_settings
from bot.db import Database
from bot.fresh import fresh_database
from bot.models import Case, Checkin, Commune, OutboxMessage
from bot.services import Services
from geofence import Circle

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_CHAT = 10_000_000
HOME = Circle(19.8076, 105.7764, 50.0)
RATE = 25.0  # each bot's configured rate: the default, under Telegram's 30 a second
INSERT_BATCH = 5000


@dataclass(frozen=True)
class Bot:
    """One province's bot and the block of chats (cases) it serves."""

    key: str
    province: int
    token: str
    first_chat: int
    chats: int


@dataclass
class Round:
    """One round's figures."""

    name: str
    due: float  # wall clock
    expected: int
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    reminded_early: int = 0  # prompt delivered, its fate lost in the kill: reminded at once
    count_429: int = 0
    last_delay: float = 0.0
    rates: dict[str, float] = field(default_factory=dict)
    overall_rate: float = 0.0
    # (wall clock, bot -> its messages due and waiting), sampled every second.
    backlogs: list[tuple[float, dict[str, int]]] = field(default_factory=list)
    # Each bot's rate over the seconds it had a backlog at both ends, and their sum.
    backlog_rates: dict[str, float] = field(default_factory=dict)
    backlog_seconds: float = 0.0
    memory_mb: list[float] = field(default_factory=list)
    note: str = ""


def split(cases: int, provinces: Sequence[int]) -> list[Bot]:
    """The cases in one block of chats per province, each province with its bot."""
    per, extra = divmod(cases, len(provinces))
    bots, first = [], FIRST_CHAT
    for index, code in enumerate(provinces):
        count = per + (1 if index < extra else 0)
        token = f"{7_000_000 + index}:national-{index}"
        bots.append(Bot(f"p{code}", code, token, first, count))
        first += count
    return bots


def config_text(url: str, bots: list[Bot], ports: dict[str, int], times: list[str]) -> str:
    """The workers' configuration: every province, a bot each, the rounds at `times`."""
    lines = [
        "[telegram]",
        'mode = "polling"',
        "[database]",
        f'url = "{url}"',
        "[deployment]",
        f"provinces = {[bot.province for bot in bots]}",
        "[outbox]",
        f"rate_per_second = {RATE}",
        "idle_poll_seconds = 0.5",
        # 34 bots' senders per worker beat on two shared cores: a beat late by a few
        # seconds must not make a live sender look dead (the default 3 s is for one bot).
        "owner_stale_seconds = 10.0",
        "[checkins]",
        "tick_seconds = 2",
        "spread_minutes = 0",
        *(f"{kind}_times = {json.dumps(times)}" for kind in ("f0", "f1", "other")),
    ]
    for index, bot in enumerate(bots):
        lines += [
            "[[bots]]",
            f'key = "{bot.key}"',
            f"provinces = [{bot.province}]",
            f'token_env = "CACHLY_TOKEN_{index}"',
            f'username = "cachly_{bot.key}_bot"',
            f'base_url = "http://127.0.0.1:{ports[bot.key]}/bot"',
        ]
    return "\n".join(lines) + "\n"


async def insert_cases(db: Database, bots: list[Bot], now: datetime) -> None:
    """Active, enrolled F1 cases in bulk, spread over each province's communes."""
    today = now.astimezone(TZ).date()
    zone = HOME.to_dict()
    async with db.transaction() as session:
        communes: dict[int, list[int]] = {}
        for code, province in (
            await session.execute(select(Commune.code, Commune.province_code))
        ).all():
            communes.setdefault(province, []).append(code)
    total = sum(bot.chats for bot in bots)
    progress = Progress("inserting cases", total, every=10.0)
    done = 0
    for bot in bots:
        codes = communes[bot.province]
        for start in range(0, bot.chats, INSERT_BATCH):
            rows = [
                {
                    "code": f"N{chat:08d}",
                    "full_name": f"Người {chat}",
                    "phone": "+84912345678",
                    "birth_year": 1970,
                    "address": "",
                    "commune_code": codes[(chat - bot.first_chat) % len(codes)],
                    "province_code": bot.province,
                    "kind": "f1",
                    "start_date": today - timedelta(days=2),
                    "end_date": today + timedelta(days=10),
                    "status": "active",
                    "language": "vi",
                    "zone": zone,
                    "home_status": "set",
                    "chat_id": chat,
                    "telegram_user_id": chat,
                    "created_at": now,
                    "updated_at": now,
                }
                for chat in range(
                    bot.first_chat + start, bot.first_chat + min(start + INSERT_BATCH, bot.chats)
                )
            ]
            async with db.transaction() as session:
                await session.execute(insert(Case), rows)
            done += len(rows)
            progress.update(done)
    progress.finish(done)


async def plan_day(services: Services, cases: int) -> tuple[float, int]:
    """Plan until nothing is left to plan; (seconds, occurrences written)."""
    written = 0
    progress = Progress("planning", None, every=10.0)
    started = time.perf_counter()
    while True:
        rows = await services.checkins.plan()
        if not rows:
            break
        written += rows
        progress.update(written)
    progress.finish(written)
    return time.perf_counter() - started, written


async def due_query_ms(db: Database, now: datetime) -> float:
    """Milliseconds to find the next batch of due prompts and open windows (median of 5)."""
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        async with db.transaction() as session:
            for state in (SCHEDULED, OPEN):
                await session.execute(
                    select(Checkin.id)
                    .where(Checkin.state == state, Checkin.next_action_at <= now)
                    .order_by(Checkin.next_action_at)
                    .limit(500)
                )
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)[2]


class Fleet:
    """The stand-ins' process: ports on start, a report on request."""

    def __init__(self, spec: Path) -> None:
        self.child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.fleet", str(spec)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ports: dict[str, int] = json.loads(self._line())

    def _line(self) -> str:
        assert self.child.stdout is not None
        line = self.child.stdout.readline()
        if not line:
            raise RuntimeError("the stand-ins' process stopped")
        return line

    async def report(self) -> dict[str, Any]:
        """Each bot's deliveries: per chat, the times; and its 429s."""
        assert self.child.stdin is not None
        self.child.stdin.write("report\n")
        self.child.stdin.flush()
        line = await asyncio.to_thread(self._line)
        report: dict[str, Any] = json.loads(line)
        return report

    def close(self) -> None:
        """Stop the stand-ins."""
        if self.child.stdin is not None:
            self.child.stdin.close()
        self.child.wait()


def peak_mb(pid: int) -> float:
    """A process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Workers:
    """The `cachly run` processes."""

    def __init__(self, config: Path, bots: list[Bot], count: int) -> None:
        self.config = config
        self.env = os.environ | tokens(bots)
        self.processes = [self.spawn() for _ in range(count)]
        self.peaks: list[float] = []

    def spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "cachly", "--config", str(self.config), "run"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill_and_restart(self, index: int) -> None:
        """SIGKILL one worker and start another at once, as systemd's Restart= would."""
        victim = self.processes[index]
        self.peaks.append(peak_mb(victim.pid))
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        self.processes[index] = self.spawn()

    def memory(self) -> list[float]:
        """Each running worker's peak memory so far, and the killed ones'."""
        return [peak_mb(p.pid) for p in self.processes] + self.peaks

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            process.wait()


# A round's messages: its prompts, and the reminders that ask again when a prompt's fate
# was lost in a kill (bot/checkins/rounds.py).
ROUND_PURPOSES = ("checkin_prompt", "checkin_reminder")


async def last_outbox_id(db: Database) -> int:
    """The newest outbox row's id: a round's rows are those after it."""
    async with db.transaction() as session:
        return int(await session.scalar(select(func.max(OutboxMessage.id))) or 0)


async def round_state(
    db: Database, after_id: int, until: datetime | None, now: datetime
) -> tuple[int, int]:
    """(sent, still to settle) of the round's messages (outbox rows after `after_id`, queued
    before the next round's `until`); still to settle counts its messages pending or
    sending, the round's check-ins due but not yet queued, those whose prompt's fate is not
    yet known to them (queued), and those whose reminder is due (a prompt lost in a kill).

    Through the primary key and the due index (a second's look must not cost the
    database what the workers need: counting the whole outbox by purpose took 65 ms).
    """
    queued = [OutboxMessage.id > after_id, OutboxMessage.purpose.in_(ROUND_PURPOSES)]
    due = [Checkin.state == SCHEDULED, Checkin.next_action_at <= now]
    if until is not None:
        queued.append(OutboxMessage.created_at < until)
        due.append(Checkin.next_action_at < until)
    async with db.transaction() as session:
        rows = dict(
            (
                await session.execute(
                    select(OutboxMessage.state, func.count())
                    .where(*queued)
                    .group_by(OutboxMessage.state)
                )
            ).all()
        )
        waiting = await session.scalar(select(func.count()).select_from(Checkin).where(*due))
        fates = await session.scalar(
            select(func.count())
            .select_from(Checkin)
            .where(
                or_(
                    Checkin.state == QUEUED,
                    and_(Checkin.state == OPEN, Checkin.next_action_at <= now),
                )
            )
        )
    open_rows = int(rows.get("pending", 0)) + int(rows.get("sending", 0))
    return int(rows.get("sent", 0)), open_rows + int(waiting or 0) + int(fates or 0)


async def backlog_by_bot(db: Database, after_id: int, now: datetime) -> dict[str, int]:
    """Each bot's round messages due and waiting to be sent (through the due index)."""
    async with db.transaction() as session:
        rows = await session.execute(
            select(OutboxMessage.bot, func.count())
            .where(
                OutboxMessage.id > after_id,
                OutboxMessage.state == "pending",
                OutboxMessage.not_before <= now,
            )
            .group_by(OutboxMessage.bot)
        )
        return {bot: int(n) for bot, n in rows.all()}


def backlog_rate(
    sends: list[float], samples: list[tuple[float, dict[str, int]]], key: str
) -> tuple[float, float]:
    """(sends a second, seconds) over the intervals between two samples at which `key`
    had messages waiting: the rate the issue's "while it has a backlog" asks for, with the
    round's start (prompts not yet queued) and its tail (nothing left to send) left out."""
    sends = sorted(sends)
    seconds, sent = 0.0, 0
    for (start, before), (end, after) in itertools.pairwise(samples):
        if before.get(key, 0) > 0 and after.get(key, 0) > 0:
            seconds += end - start
            sent += bisect.bisect_left(sends, end) - bisect.bisect_left(sends, start)
    return (sent / seconds if seconds else 0.0), seconds


async def wait_until(moment: float) -> None:
    """Sleep until a wall-clock moment (the workers run in real time)."""
    await asyncio.sleep(max(0.0, moment - time.time()))


async def run_round(
    name: str,
    due: datetime,
    db: Database,
    fleet: Fleet,
    workers: Workers,
    expected: int,
    kill_at: float | None,
    until: datetime | None = None,
) -> Round:
    """Wait for the round, kill a worker when `kill_at` of it is sent, until all is sent.

    The round's messages are those from its due time to `until`, the next round's: a
    round slower than the gap between the two is not credited with the next one's.
    """
    figures = Round(name, due.timestamp(), expected)
    after_id = await last_outbox_id(db)
    await wait_until(due.timestamp())
    killed = False
    progress = Progress(name, expected, every=10.0)
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline:
        now = datetime.now(UTC)
        sent, unsettled = await round_state(db, after_id, until, now)
        figures.backlogs.append((time.time(), await backlog_by_bot(db, after_id, now)))
        progress.update(sent)
        if kill_at is not None and not killed and sent >= kill_at * expected:
            workers.kill_and_restart(0)
            killed = True
            figures.note = f"worker 1 killed at {sent:,} sent and restarted"
        # Done when everything is sent, or settled (a prompt lost in the kill is failed
        # and its reminder sent instead).
        if sent >= expected or (sent and not unsettled):
            break
        await asyncio.sleep(1.0)
    else:
        figures.note += " NOT COMPLETE within an hour"
    progress.finish()
    if until is not None and datetime.now(UTC) >= until:
        figures.note += " (still sending when the next round began: counted until then)"
    await asyncio.sleep(2.0)  # the last answers reach the stand-ins' records
    figures.memory_mb = workers.memory()
    report = await fleet.report()
    count(figures, report, until=until.timestamp() if until is not None else None)
    return figures


def count(figures: Round, report: dict[str, Any], until: float | None) -> None:
    """Deliveries of the round (from its due time on), per bot and overall: a person is
    asked by the prompt or, when a kill lost the prompt's fate, by the reminder at once;
    duplicated means prompted twice (a reminder after a delivered prompt is an early one)."""
    first_all, last_all, total = math.inf, 0.0, 0

    def mine(times: list[float]) -> list[float]:
        return [t for t in times if t >= figures.due - 1 and (until is None or t < until)]

    for key, bot in report.items():
        reminders = {chat: mine(times) for chat, times in bot["reminders"].items()}
        chats = set(bot["sends"]) | {chat for chat, times in reminders.items() if times}
        times: list[float] = []
        for chat in chats:
            prompts = mine(bot["sends"].get(chat, []))
            again = reminders.get(chat, [])
            if prompts or again:
                figures.delivered += 1
            figures.duplicated += max(0, len(prompts) - 1)
            figures.reminded_early += bool(prompts and again)
            times += prompts + again
        times.sort()
        figures.count_429 += int(bot["count_429"])
        if len(times) > 1:
            figures.rates[key] = (len(times) - 1) / (times[-1] - times[0])
        rate, seconds = backlog_rate(times, figures.backlogs, key)
        if seconds >= 2.0:
            figures.backlog_rates[key] = rate
            figures.backlog_seconds += seconds
            first_all, last_all = min(first_all, times[0]), max(last_all, times[-1])
        total += len(times)
    figures.lost = figures.expected - figures.delivered
    figures.last_delay = last_all - figures.due if last_all else 0.0
    if total > 1 and last_all > first_all:
        figures.overall_rate = (total - 1) / (last_all - first_all)


def show(
    rounds: list[Round],
    planning: tuple[float, int],
    due_ms: tuple[float, float],
    cases: int,
    bots: int,
    workers: int,
) -> None:
    seconds, written = planning
    print(
        f"cases {cases:,} over {bots} provinces, a bot each; {workers} workers; "
        f"each bot configured at {RATE:g}/s (stand-ins: 30/s per bot, 1/s per chat)"
    )
    print(
        f"planning a day: {seconds:.1f} s, {written:,} occurrences, "
        f"{cases / seconds if seconds else 0:,.0f} cases/s, "
        f"{seconds / cases * 1e6 if cases else 0:.1f} µs per case"
    )
    print(
        f"due-work query: {due_ms[0]:.2f} ms right after the bulk write and plan, "
        f"{due_ms[1]:.2f} ms after ANALYZE"
    )
    for r in rounds:
        rates = sorted(r.rates.values())
        low = rates[0] if rates else 0.0
        print(
            f"{r.name}: {r.delivered:,} / {r.expected:,} delivered, lost {r.lost}, "
            f"duplicated {r.duplicated}, reminded early {r.reminded_early}, "
            f"429s {r.count_429}; last prompt "
            f"{r.last_delay / 60:.1f} min after its due time; overall {r.overall_rate:,.0f}/s; "
            f"per bot {low:.1f}–{rates[-1] if rates else 0:.1f}/s "
            f"(lowest {low / RATE:.2f} of {RATE:g}/s); peak memory per worker "
            + ", ".join(f"{m:.0f} MB" for m in r.memory_mb)
            + (f"; {r.note}" if r.note else "")
        )
        busy = sorted(r.backlog_rates.values())
        if busy:
            print(
                f"  while a bot had a backlog ({len(busy)} bots, "
                f"{r.backlog_seconds / len(busy):.0f} s each on average): per bot "
                f"{busy[0]:.1f}–{busy[-1]:.1f}/s, lowest {busy[0] / RATE:.2f} and median "
                f"{statistics.median(busy) / RATE:.2f} of {RATE:g}/s"
            )
        else:
            print("  no bot had a backlog for two seconds (a round too small to measure it)")


def round_times(now: datetime, lead: timedelta, gap: timedelta) -> list[datetime]:
    """Two round times at whole minutes: `lead` from now, then at least `gap` later.

    Whole minutes both: the configuration names a round by its hour and minute, so a
    second round due at 10:03:56 would be prompted at 10:03:00, before the benchmark
    looks for it, and the round would be waited for until the hour is up.
    """
    first = (now + lead).replace(second=0, microsecond=0) + timedelta(minutes=1)
    return [first, first + timedelta(minutes=math.ceil(gap / timedelta(minutes=1)))]


async def main_async(cases: int, workers_count: int, one_round: bool) -> None:
    url = os.environ.get("CACHLY_BENCH_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("bench_national needs CACHLY_BENCH_DATABASE_URL on PostgreSQL")
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as folder:
        bots = split(cases, sorted(int(code) for code in ProvinceCode))
        # The benchmark reads the same configuration as the workers, tokens included.
        os.environ.update(tokens(bots))
        spec = Path(folder) / "fleet.json"
        spec.write_text(
            json.dumps(
                {
                    "bots": [
                        {
                            "key": b.key,
                            "token": b.token,
                            "username": f"cachly_{b.key}_bot",
                            "first_chat": b.first_chat,
                            "chats": b.chats,
                        }
                        for b in bots
                    ]
                }
            )
        )
        fleet = Fleet(spec)
        try:
            now = datetime.now(UTC)
            # Time to insert and plan (generously), then a round's length and a margin.
            lead = timedelta(seconds=15 + cases / 3000)
            # Room for the first round at a third of the rate before the second begins.
            gap = timedelta(seconds=60 + 3 * cases / (len(bots) * RATE))
            times = round_times(now, lead, gap)
            local = [t.astimezone(TZ).strftime("%H:%M") for t in times[: 1 if one_round else 2]]
            config = Path(folder) / "cachly.toml"
            config.write_text(config_text(url, bots, fleet.ports, local))
            settings = load_settings(config)
            db = await fresh_database(settings, clock)
            try:
                await insert_cases(db, bots, now)
                planning = await plan_day(Services(settings, db, clock), cases)
                cold = await due_query_ms(db, times[0])
                async with db.engine.connect() as connection:
                    await connection.exec_driver_sql("ANALYZE")
                warm = await due_query_ms(db, times[0])
                workers = Workers(config, bots, workers_count)
                try:
                    rounds = []
                    if not one_round:
                        rounds.append(
                            await run_round(
                                "round 1", times[0], db, fleet, workers, cases, None, times[1]
                            )
                        )
                    due = times[0] if one_round else times[1]
                    name = f"round {len(rounds) + 1} (a worker killed)"
                    rounds.append(await run_round(name, due, db, fleet, workers, cases, 0.3))
                finally:
                    workers.stop()
                # 429s are counted from the stand-ins' start: round 2's are what it added.
                if len(rounds) == 2:
                    rounds[1].count_429 -= rounds[0].count_429
            finally:
                await db.dispose()
        finally:
            fleet.close()
    show(rounds, planning, (cold, warm), cases, len(bots), workers_count)


def tokens(bots: list[Bot]) -> dict[str, str]:
    """The environment variables the configuration takes each bot's token from."""
    return {f"CACHLY_TOKEN_{i}": bot.token for i, bot in enumerate(bots)}


def main() -> None:
    """Parse the size and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--one-round", action="store_true", help="only the round with a worker killed (CI)"
    )
    args = parser.parse_args()
    asyncio.run(main_async(args.cases, args.workers, args.one_round))


if __name__ == "__main__":
    main()
