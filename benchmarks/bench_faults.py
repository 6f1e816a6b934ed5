"""Delivery under faults: the real `cachly run`, killed, restarted, faulted, doubled.

    python -m benchmarks.bench_faults                      # small N, a few minutes
    python -m benchmarks.bench_faults --prompts 2000 --alerts 200 --kills 5
    CACHLY_BENCH_DATABASE_URL=postgresql+asyncpg://... python -m benchmarks.bench_faults
        # also the phase with two workers on one PostgreSQL

The stand-in runs in this process; the bot runs as `python -m cachly run` subprocesses on
one database (a throwaway SQLite file, or CACHLY_BENCH_DATABASE_URL, wiped). Each phase
queues outbox rows with unique texts and counts what the stand-in delivered: expected,
delivered, lost (never delivered), duplicated (delivered more than once), failed (settled
as not sent again: an orphaned or unknown-fate prompt, which the check-ins then treat as
sent), 429s drawn (not counting injected ones) and the time from a restart until every row
the killed process was sending is settled. The prompt round's rows belong to real check-ins,
counted per check-in (asked by the prompt or, once its fate was lost, by the reminder). The
confirmation phases count, under each fault, the people who pressed /sos or answered a
check-in's location question and got the bot's answer once the fault passed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text

from benchmarks.progress import Progress
from bot.checkins import ANSWERED, FEELING, LOCATION, QUEUED, SCHEDULED
from bot.clock import FakeClock
from bot.config import settings_from_mapping
from bot.db import Database
from bot.fresh import fresh_database
from bot.messaging.message import Text
from bot.messaging.outbox import PRIORITY_ALERT, PRIORITY_PROMPT, SENDING, enqueue
from bot.models import Case, Checkin, OutboxMessage
from cachly.demo.texts import says
from geofence import Circle
from standins.telegram import BotApiStandIn, Fault, Limits

TOKEN = "123456789:stand-in-token"
FIRST_CHAT = 5_000_000
KINDS = {PRIORITY_ALERT: "alert", PRIORITY_PROMPT: "prompt"}
HOME = Circle(19.8076, 105.7764, 50.0)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# About how long one kill takes: the restart, the orphans' settling (owner_stale_seconds).
KILL_SPACING_SECONDS = 6.0
# People who press /sos or answer a check-in during each fault (half each).
CONFIRMING = 20
# The bot's answers they wait for: the station knows of the SOS; the check-in's verdict.
CONFIRMATIONS = ("sos.sent", "location.inside", "location.outside_checkin", "location.recorded")


@dataclass
class Phase:
    """One phase's figures."""

    name: str
    expected: Counter[str] = field(default_factory=Counter)
    delivered: Counter[str] = field(default_factory=Counter)
    lost: Counter[str] = field(default_factory=Counter)
    duplicated: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    count_429: int = 0
    recover_seconds: list[float] = field(default_factory=list)
    kills: int = 0
    note: str = ""


class Bench:
    """The stand-in, the database and the bot's processes."""

    def __init__(self, url: str, folder: Path, standin: BotApiStandIn) -> None:
        self.url = url
        self.folder = folder
        self.standin = standin
        self.db: Database | None = None
        self.next_text = 0

    def config(self, rate: float, timeout: float) -> Path:
        path = self.folder / f"cachly-{rate:g}-{timeout:g}.toml"
        path.write_text(
            f"""[telegram]
token = "{TOKEN}"
base_url = "{self.standin.base_url}"
base_file_url = "{self.standin.base_file_url}"
[database]
url = "{self.url}"
[deployment]
provinces = [38]
[outbox]
rate_per_second = {rate}
paid_broadcast = true
max_in_flight = 200
retry_base_seconds = 0.2
request_timeout_seconds = {timeout}
idle_poll_seconds = 0.2
[checkins]
tick_seconds = 1
spread_minutes = 0
{_far_rounds()}
"""
        )
        return path

    def spawn(self, config: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "cachly", "--config", str(config), "run"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    async def queue(self, chats: list[int], priority: int, phase: Phase) -> None:
        assert self.db is not None
        now = datetime.now(UTC)
        async with self.db.transaction() as session:
            for chat in chats:
                self.next_text += 1
                enqueue(
                    session,
                    province=None,
                    chat_id=chat,
                    priority=priority,
                    purpose=KINDS[priority],
                    now=now,
                    content=Text(f"{KINDS[priority]} {self.next_text}"),
                )
        phase.expected[KINDS[priority]] += len(chats)

    async def round_of_checkins(self, chats: list[int], phase: Phase) -> None:
        """An active case per chat whose check-in prompt is queued, as a round leaves them."""
        assert self.db is not None
        now = datetime.now(UTC)
        ids = await self.cases(chats, now)
        async with self.db.transaction() as session:
            prompts = []
            for chat in chats:
                self.next_text += 1
                prompts.append(
                    enqueue(
                        session,
                        chat_id=chat,
                        province=38,
                        priority=PRIORITY_PROMPT,
                        purpose="checkin_prompt",
                        now=now,
                        content=Text(f"prompt {self.next_text}"),
                    )
                )
            await session.flush()
            session.add_all(
                Checkin(
                    case_id=ids[prompt.chat_id],
                    kind=SCHEDULED,
                    nominal_at=now,
                    due_at=now,
                    state=QUEUED,
                    queued_at=now,
                    step=FEELING,
                    prompt_outbox_id=prompt.id,
                    created_at=now,
                )
                for prompt in prompts
            )
        phase.expected["prompt"] += len(chats)

    async def at_location_step(self, chats: list[int]) -> None:
        """An active case per chat whose check-in waits for the location, its last answer."""
        assert self.db is not None
        now = datetime.now(UTC)
        ids = await self.cases(chats, now)
        async with self.db.transaction() as session:
            session.add_all(
                Checkin(
                    case_id=ids[chat],
                    kind=SCHEDULED,
                    nominal_at=now,
                    due_at=now,
                    state=ANSWERED,
                    queued_at=now,
                    prompt_sent_at=now,
                    answered_at=now,
                    closes_at=now + timedelta(hours=2),
                    next_action_at=now + timedelta(hours=2),
                    outcome="on_time",
                    step=LOCATION,
                    answers={"feeling": "good", "symptoms": []},
                    created_at=now,
                )
                for chat in chats
            )

    async def cases(self, chats: list[int], now: datetime) -> dict[int, int]:
        """An active, enrolled case per chat; their ids by chat."""
        assert self.db is not None
        today = now.astimezone(TZ).date()
        zone = HOME.to_dict()
        cases = [
            {
                "code": f"K{chat:08d}",
                "full_name": f"Người {chat}",
                "phone": "+84912345678",
                "birth_year": 1970,
                "address": "",
                "commune_code": 14797,
                "province_code": 38,
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
            for chat in chats
        ]
        async with self.db.transaction() as session:
            await session.execute(insert(Case), cases)
            found = await session.execute(
                select(Case.chat_id, Case.id).where(Case.chat_id.in_(chats))
            )
            return {chat: case_id for chat, case_id in found.all() if chat is not None}

    async def asked(self, deadline: float) -> bool:
        """Until no check-in waits for its prompt's fate and nothing is left to send."""
        assert self.db is not None
        quiet = 0
        while time.monotonic() < deadline:
            async with self.db.transaction() as session:
                waiting = await session.scalar(
                    select(func.count()).select_from(Checkin).where(Checkin.state == QUEUED)
                )
            # Twice in a row: a failed prompt's reminder is queued by the next tick.
            quiet = quiet + 1 if not waiting and not await self.unsettled() else 0
            if quiet >= 3:
                return True
            await asyncio.sleep(0.5)
        return False

    async def count_asked(self, phase: Phase, since: int, faults_429: int) -> None:
        """Per check-in: asked (its prompt or, once the prompt's fate was lost, its reminder),
        never asked (lost), prompted twice (duplicated)."""
        assert self.db is not None
        prompts: Counter[int] = Counter()
        others: Counter[int] = Counter()
        for call in self.standin.calls[since:]:
            if call.method != "sendMessage" or not call.ok or call.chat_id is None:
                continue
            said = str(call.params.get("text"))
            (prompts if said.startswith("prompt ") else others)[call.chat_id] += 1
        async with self.db.transaction() as session:
            rows = (
                await session.execute(
                    select(OutboxMessage.chat_id, OutboxMessage.state).where(
                        OutboxMessage.purpose == "checkin_prompt"
                    )
                )
            ).all()
        reminded_only = reminded_both = 0
        for chat, state in rows:
            if prompts[chat] or others[chat]:
                phase.delivered["prompt"] += 1
            else:
                phase.lost["prompt"] += 1
            phase.duplicated["prompt"] += max(0, prompts[chat] - 1)
            if state == "failed":
                phase.failed["prompt"] += 1
                if others[chat]:
                    reminded_both += bool(prompts[chat])
                    reminded_only += not prompts[chat]
        phase.count_429 = self.standin.count_429 - faults_429
        phase.note = (
            f"prompts settled failed (fate lost in the kill) were asked again by their "
            f"reminder at once: {reminded_only} had not had the prompt, {reminded_both} had it "
            f"(reminded early, not prompted twice)"
        )

    async def unsettled(self) -> set[int]:
        assert self.db is not None
        async with self.db.transaction() as session:
            return set(
                await session.scalars(
                    select(OutboxMessage.id).where(OutboxMessage.state.in_(("pending", SENDING)))
                )
            )

    async def sending(self) -> set[int]:
        assert self.db is not None
        async with self.db.transaction() as session:
            return set(
                await session.scalars(
                    select(OutboxMessage.id).where(OutboxMessage.state == SENDING)
                )
            )

    async def drained(self, deadline: float) -> bool:
        while time.monotonic() < deadline:
            if not await self.unsettled():
                return True
            await asyncio.sleep(0.2)
        return False

    async def count(self, phase: Phase, since: int, faults_429: int) -> None:
        assert self.db is not None
        seen: Counter[str] = Counter()
        for call in self.standin.calls[since:]:
            if call.method == "sendMessage" and call.ok:
                seen[str(call.params.get("text"))] += 1
        async with self.db.transaction() as session:
            rows = (
                await session.execute(
                    select(OutboxMessage.body, OutboxMessage.priority, OutboxMessage.state)
                )
            ).all()
        kinds: dict[str, str] = {}
        settled_failed: dict[str, bool] = {}
        for body, priority, state in rows:
            said = str(body.get("text", ""))
            kinds[said] = KINDS.get(priority, "other")
            settled_failed[said] = settled_failed.get(said, True) and state == "failed"
        texts = {said: (kinds[said], settled_failed[said]) for said in kinds}
        for said, (kind, all_failed) in texts.items():
            times = seen.get(said, 0)
            if times:
                phase.delivered[kind] += 1
                phase.duplicated[kind] += times - 1
            else:
                phase.lost[kind] += 1
                if all_failed:
                    phase.failed[kind] += 1
        phase.count_429 = self.standin.count_429 - faults_429

    def progress(self, phase: Phase, since: int, total: int) -> Progress:
        """Progress lines of a phase: the texts the stand-in delivered since `since`, polled
        (distinct ones: a duplicate is not progress)."""

        def delivered() -> int:
            calls = self.standin.calls[since:]
            return len({c.params.get("text") for c in calls if c.method == "sendMessage" and c.ok})

        return Progress(phase.name, total, read=delivered)

    async def reset(self) -> None:
        assert self.db is not None
        async with self.db.transaction() as session:
            for table in (
                "outbox",
                "outbox_senders",
                "handled_updates",
                "dialogues",
                "alert_deliveries",
                "alerts",
                "live_streams",
                "location_fixes",
                "checkins",
                "checkin_plans",
                "cases",
            ):
                await session.execute(text(f"DELETE FROM {table}"))


async def stop(child: subprocess.Popen[bytes]) -> None:
    """SIGTERM, as systemd stops it; waited for off the loop (the stand-in must answer)."""
    child.send_signal(signal.SIGTERM)
    await asyncio.to_thread(child.wait)


async def kill_phase(
    bench: Bench, name: str, chats: list[int], priority: int, kills: int, rate: float
) -> Phase:
    """Queue, then SIGKILL the bot at random moments of its sending and restart it at once."""
    phase = Phase(f"{name} at {rate:.3g}/s")
    await bench.reset()
    since, base_429 = len(bench.standin.calls), bench.standin.count_429
    with_checkins = priority == PRIORITY_PROMPT
    if with_checkins:
        await bench.round_of_checkins(chats, phase)
    else:
        await bench.queue(chats, priority, phase)
    config = bench.config(rate=rate, timeout=5.0)
    async with bench.progress(phase, since, len(chats)):
        child = bench.spawn(config)
        for _ in range(kills):
            # A random moment once it is sending.
            if not await next_send(bench, since):
                break  # everything was sent before this kill
            phase.kills += 1
            await asyncio.sleep(random.uniform(0.0, 0.5))
            child.send_signal(signal.SIGKILL)
            child.wait()
            orphans = await bench.sending()
            restarted = time.monotonic()
            child = bench.spawn(config)
            while orphans & await bench.sending():  # noqa: ASYNC110 (another process's rows)
                await asyncio.sleep(0.05)
            phase.recover_seconds.append(time.monotonic() - restarted)
        settled = bench.asked if with_checkins else bench.drained
        drained = await settled(time.monotonic() + 120)
        await stop(child)
    if with_checkins:
        await bench.count_asked(phase, since, base_429)
    else:
        await bench.count(phase, since, base_429)
    if not drained:
        phase.note = "not drained in 120 s; " + phase.note
    return phase


async def next_send(bench: Bench, since: int) -> bool:
    """Until the bot sends its next message; False if nothing is left to send."""

    def sends() -> int:
        return sum(1 for c in bench.standin.calls[since:] if c.method == "sendMessage")

    start = sends()
    while sends() == start:
        if not await bench.unsettled():
            return False
        await asyncio.sleep(0.01)
    return True


def _far_rounds() -> str:
    """Check-in times half a day from now: no round of the bot's own falls due meanwhile."""
    far = (datetime.now(TZ) + timedelta(hours=12)).strftime("%H:%M")
    return "\n".join(f'{kind}_times = ["{far}"]' for kind in ("f0", "f1", "other"))


async def fault_phase(bench: Bench, name: str, fault: Fault, chats: list[int]) -> Phase:
    """Alerts and prompts queued while every message call meets `fault`, for 3 s."""
    phase = Phase(name)
    await bench.reset()
    since, base_429 = len(bench.standin.calls), bench.standin.count_429
    async with bench.progress(phase, since, len(chats)):
        child = bench.spawn(bench.config(rate=200.0, timeout=1.0))
        half = len(chats) // 2
        bench.standin.fault_mode = fault
        await bench.queue(chats[:half], PRIORITY_ALERT, phase)
        await bench.queue(chats[half:], PRIORITY_PROMPT, phase)
        await asyncio.sleep(3.0)
        bench.standin.fault_mode = None
        injected = bench.standin.count_429 - base_429 if fault.kind == "retry_after" else 0
        if not await bench.drained(time.monotonic() + 120):
            phase.note = "not drained in 120 s"
        await stop(child)
    await bench.count(phase, since, base_429 + injected)
    return phase


async def confirmation_phase(bench: Bench, name: str, fault: Fault, chats: list[int]) -> Phase:
    """What a person must see while every message call meets `fault` for 3 s: half press
    /sos, half send the location their check-in asks for; each must get the bot's answer
    once the fault has passed."""
    phase = Phase(f"confirmations: {name}")
    await bench.reset()
    half = len(chats) // 2
    sos, located = chats[:half], chats[half:]
    await bench.cases(sos, datetime.now(UTC))
    await bench.at_location_step(located)
    since, base_429 = len(bench.standin.calls), bench.standin.count_429
    child = bench.spawn(bench.config(rate=200.0, timeout=1.0))
    bench.standin.fault_mode = fault
    for chat in sos:
        await bench.standin.user(chat).send_text("/sos")
    for chat in located:
        await bench.standin.user(chat).send_location(HOME.lat, HOME.lon, horizontal_accuracy=10.0)
    await asyncio.sleep(3.0)  # the fault's length, in real time: the bot runs in real time
    bench.standin.fault_mode = None
    injected = bench.standin.count_429 - base_429 if fault.kind == "retry_after" else 0
    kinds = {chat: "sos" for chat in sos} | {chat: "checkin" for chat in located}
    answers: Counter[int] = Counter()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answers = Counter(
            c.chat_id
            for c in bench.standin.calls[since:]
            if c.method == "sendMessage"
            and c.ok
            and c.chat_id in kinds
            and any(says(c.message.text if c.message else None, key) for key in CONFIRMATIONS)
        )
        if len(answers) == len(kinds):
            break
        await asyncio.sleep(0.2)
    await stop(child)
    for chat, kind in kinds.items():
        phase.expected[kind] += 1
        if answers[chat]:
            phase.delivered[kind] += 1
            phase.duplicated[kind] += answers[chat] - 1
        else:
            phase.lost[kind] += 1
    phase.count_429 = bench.standin.count_429 - base_429 - injected
    return phase


async def two_workers(bench: Bench, messages: int, chats: list[int], rate: float) -> Phase:
    """Two workers on one PostgreSQL: one sends (the lock), the other stands by."""
    phase = Phase(f"two workers, {messages:,} to {len(chats)} chats")
    await bench.reset()
    since, base_429 = len(bench.standin.calls), bench.standin.count_429
    for start in range(0, messages, len(chats)):
        await bench.queue(chats[: messages - start], PRIORITY_PROMPT, phase)
    config = bench.config(rate=rate, timeout=5.0)
    async with bench.progress(phase, since, messages):
        workers = [bench.spawn(config), bench.spawn(config)]
        began = time.monotonic()
        drained = await bench.drained(time.monotonic() + 600)
        for worker in workers:
            await stop(worker)
    await bench.count(phase, since, base_429)
    sends = [c for c in bench.standin.calls[since:] if c.method == "sendMessage" and c.ok]
    by_chat: dict[int | None, list[float]] = defaultdict(list)
    for call in sends:
        by_chat[call.chat_id].append(call.at)
    fast = sum(
        1 for times in by_chat.values() if any(b - a < 0.99 for a, b in itertools.pairwise(times))
    )
    span = (sends[-1].at - sends[0].at) if len(sends) > 1 else 0.0
    achieved = (len(sends) - 1) / span if span else 0.0
    # Per-chat spacing caps the rate at len(chats) a second: the bot's rate is the lower.
    ceiling = min(rate, float(len(chats)))
    phase.note = (
        f"chats served faster than 1/s: {fast}; rate {achieved:.0f}/s = "
        f"{achieved / ceiling:.2f} of {ceiling:.0f}/s; {time.monotonic() - began:.0f} s"
        + ("" if drained else "; NOT DRAINED")
    )
    return phase


def _print(phases: list[Phase], kills: int, rate: float) -> None:
    print(f"kills per kill phase: {kills}; kill phases at {rate:g} messages a second")
    header = f"{'phase':34} {'kind':7} {'expected':>8} {'delivered':>9} {'lost':>5} "
    print(header + f"{'failed':>6} {'dup':>5} {'429s':>5} {'recover s':>10}")
    for phase in phases:
        worst = f"{max(phase.recover_seconds):.1f}" if phase.recover_seconds else "-"
        if phase.kills:
            print(f"{phase.name}: {phase.kills} kills")
        for kind in sorted(phase.expected):
            print(
                f"{phase.name:34} {kind:7} {phase.expected[kind]:>8} "
                f"{phase.delivered[kind]:>9} {phase.lost[kind]:>5} {phase.failed[kind]:>6} "
                f"{phase.duplicated[kind]:>5} {phase.count_429:>5} {worst:>10}"
            )
        if phase.note:
            print(f"{'':34} {phase.note}")


async def main_async(prompts: int, alerts: int, kills: int, per_fault: int, rate: float) -> None:
    url_env = os.environ.get("CACHLY_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as folder:
        url = url_env or f"sqlite+aiosqlite:///{Path(folder) / 'faults.sqlite3'}"
        chats = list(range(FIRST_CHAT, FIRST_CHAT + max(prompts, alerts, per_fault, 500)))
        async with BotApiStandIn(TOKEN, limits=Limits.paid_broadcast()) as standin:
            for chat in chats:
                standin.user(chat)
            settings = settings_from_mapping(
                {"deployment": {"provinces": [38]}}, {"CACHLY_DATABASE_URL": url}
            )
            bench = Bench(url, Path(folder), standin)
            bench.db = await fresh_database(settings, FakeClock())
            phases = [
                await kill_phase(
                    bench, "SIGKILL x prompt round", chats[:prompts], PRIORITY_PROMPT, kills, rate
                ),
                await kill_phase(
                    bench,
                    "SIGKILL x alert burst",
                    chats[:alerts],
                    PRIORITY_ALERT,
                    kills,
                    # Slow enough that the burst outlasts every kill and its recovery.
                    min(rate, alerts / (kills * KILL_SPACING_SECONDS)),
                ),
            ]
            faults = {
                "429 storm": Fault.too_many(1),
                "5xx": Fault.bad_gateway(),
                "hang past timeout": Fault.hang(seconds=3.0),
                "late answer": Fault.late(seconds=2.0),
                "cut after receipt": Fault.cut(deliver=True),
            }
            for name, fault in faults.items():
                phases.append(await fault_phase(bench, f"fault: {name}", fault, chats[:per_fault]))
            for name, fault in faults.items():
                phases.append(await confirmation_phase(bench, name, fault, chats[:CONFIRMING]))
            if url_env and not bench.db.settings.is_sqlite:
                phases.append(await two_workers(bench, 5000, chats[:500], rate=400.0))
            await bench.db.dispose()
    _print(phases, kills, rate)
    print(
        "(the fault phases' prompts are bare outbox rows: 'lost' there is 'settled failed, not"
        " sent twice'; with a check-in behind it, its reminder asks again, as the kill phase"
        " shows)"
    )


def main() -> None:
    """Parse the figures' sizes and run every phase."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=500)
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--per-fault", type=int, default=100)
    parser.add_argument("--rate", type=float, default=25.0, help="the kill phases' send rate")
    args = parser.parse_args()
    asyncio.run(main_async(args.prompts, args.alerts, args.kills, args.per_fault, args.rate))


if __name__ == "__main__":
    main()
