"""`cachly demo`: the whole system against the Bot API stand-in, with a simulated commune.

No token, no network, a throw-away SQLite database and an accelerated clock: the real
services, Application, handlers, ticks, outbox and sender, and simulated people who talk
to the bot only through the stand-in (`run.py` the loop, `commune.py` the case list and
behaviours, `people.py` the simulated users, `view.py` the live view, `summary.py` the
summary, `transcript.py` what every user saw).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.live import Live

from bot.clock import FakeClock
from cachly.demo.channels import channel_standins, serving_webhooks, with_channels
from cachly.demo.run import (
    Options,
    Simulation,
    demo_settings,
    first_morning,
    per_chat_rate,
    running_bot,
)
from cachly.demo.summary import (
    ChannelCounts,
    Summary,
    alert_lines,
    compliance,
    last_digest,
    render,
)
from cachly.demo.view import LiveView
from cachly.root import ZALO_CHANNEL_KEY
from cachly.zalo import ZaloChannel
from standins.telegram import Limits

__all__ = ["Options", "Summary", "main", "play"]


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    """The `cachly demo` command."""
    args = _parser().parse_args(argv)
    options = Options(
        days=args.days,
        speed=None if args.speed == "max" else float(args.speed),
        people=args.people,
        seed=args.seed,
    )
    console = console or Console()
    chart = args.chart or Path(tempfile.gettempdir()) / "cachly-demo-digest.png"
    summary = asyncio.run(play(options, console, transcript=args.transcript, chart=chart))
    return 0 if not summary.refused else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cachly demo", description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=3, help="simulated days (default 3)")
    parser.add_argument(
        "--speed",
        default="1440",
        help="simulated seconds per real second, or 'max' (default 1440: a day a minute)",
    )
    parser.add_argument("--people", type=int, default=30, help="people isolating (default 30)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated commune")
    parser.add_argument("--transcript", type=Path, help="write what every user saw to FILE")
    parser.add_argument("--chart", type=Path, help="where to write the digest chart (PNG)")
    return parser


async def play(
    options: Options, console: Console, *, transcript: Path | None, chart: Path
) -> Summary:
    """Run the simulated commune to its end and return (and print) its summary."""
    rate = per_chat_rate(options.speed)
    # People answer in no time here; Telegram's limits are scaled by the same factor.
    limits = Limits(overall_per_second=int(30 * rate), per_chat_per_second=rate)
    with tempfile.TemporaryDirectory(prefix="cachly-demo-") as directory:
        settings = demo_settings(Path(directory), rate)
        clock = FakeClock()
        clock.set(first_morning(clock.now().astimezone(settings.schedule.tz)))
        async with (
            channel_standins(clock) as channels,
            running_bot(with_channels(settings, channels, Path(directory)), clock, limits) as (
                standin,
                application,
            ),
            serving_webhooks(application.bot_data["services"], channels),
        ):
            sim = Simulation(standin, application, clock, channels)
            console.print(f"[bold]cachly demo[/]: {options.people} people, {options.days} days")
            await sim.join_staff()
            await sim.import_and_enrol(options.people, options.seed)
            supervisor = sim.supervisor.user.chat_id if sim.supervisor else 0
            view = LiveView(sim.transcript, sim.officers[0].user.chat_id, supervisor)
            if console.is_terminal:
                with Live(view, console=console, refresh_per_second=4):
                    await sim.play(
                        options.days, options.speed, lambda: view.update(sim.local_now())
                    )
            else:
                await sim.play(options.days, options.speed)
            summary = await _summary(sim, chart)
        if transcript is not None:
            sim.transcript.write(transcript)
    _print(console, summary, transcript)
    return summary


async def _summary(sim: Simulation, chart: Path) -> Summary:
    db, tz = sim.services.db, sim.tz
    officer = sim.officers[0].user
    photos = [m.file for m in officer.messages if m.file is not None and "photo" in m.message]
    if photos and photos[-1] is not None:
        await asyncio.to_thread(chart.write_bytes, photos[-1].content)
    sim.collect()
    return Summary(
        compliance=await compliance(db, tz),
        alerts=await alert_lines(db),
        digest=last_digest(sim.transcript, officer.chat_id),
        chart=chart if photos else None,
        messages_sent=sim.sent,
        too_many_requests=sim.standin.count_429,
        refused=list(sim.refused),
        channels=_channel_counts(sim),
    )


def _channel_counts(sim: Simulation) -> ChannelCounts:
    """What went out on each channel: Zalo's transport counts, the SMS gateway's phone."""
    zalo: ZaloChannel = sim.application.bot_data[ZALO_CHANNEL_KEY]
    stats = zalo.transport.stats
    sent = sim.channels.sms.sent
    return ChannelCounts(
        telegram=sim.sent,
        zalo_free=stats.cs_sent,
        zns=stats.zns_sent,
        zns_cost_vnd=stats.zns_cost_vnd,
        sms=len(sent),
        sms_segments=sum(s.segments for s in sent),
    )


def _print(console: Console, summary: Summary, transcript: Path | None) -> None:
    console.rule("Tổng kết")
    for line in render(summary):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    console.rule("Bản tổng kết ngày như cán bộ nhận được")
    console.print(summary.digest, markup=False, highlight=False, soft_wrap=True)
    console.rule()
    console.print(
        f"Bot đã gửi {summary.messages_sent} tin; 429: {summary.too_many_requests}; "
        f"bị từ chối: {len(summary.refused)}",
        markup=False,
        soft_wrap=True,
    )
    for refused in summary.refused:
        console.print(f"  {refused}", markup=False)
    if summary.chart is not None:
        console.print(f"Biểu đồ tổng kết: {summary.chart}", markup=False)
    if transcript is not None:
        console.print(f"Nhật ký hội thoại: {transcript}", markup=False)
