"""The demo's summary: compliance per day, alerts by kind with time to take, the digest."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

from sqlalchemy import select

from bot.catalogue import plain
from bot.db import Database
from bot.models import Alert, Checkin
from cachly.demo.texts import says
from cachly.demo.transcript import Transcript

OUTCOMES = ("on_time", "late", "missed")


@dataclass(frozen=True, slots=True)
class AlertLine:
    """Alerts of one kind: how many, how many an officer took, the median minutes to take."""

    kind: str
    raised: int
    taken: int
    escalated: int
    resolved: int
    median_minutes_to_take: float | None


@dataclass(frozen=True, slots=True)
class ChannelCounts:
    """The bot's messages per channel, and what Zalo's templates cost."""

    telegram: int = 0
    zalo_free: int = 0  # customer-service messages in the free window
    zns: int = 0  # template messages outside it
    zns_cost_vnd: int = 0
    sms: int = 0
    sms_segments: int = 0


@dataclass
class Summary:
    """What the demo showed, in numbers and in the officers' own digest."""

    compliance: dict[date, dict[str, int]] = field(default_factory=dict)
    alerts: list[AlertLine] = field(default_factory=list)
    digest: str = ""
    chart: Path | None = None
    messages_sent: int = 0
    too_many_requests: int = 0
    refused: list[str] = field(default_factory=list)
    channels: ChannelCounts = field(default_factory=ChannelCounts)


async def compliance(db: Database, tz: tzinfo) -> dict[date, dict[str, int]]:
    """Check-ins closed per local day of their due time, by outcome."""
    days: dict[date, Counter[str]] = defaultdict(Counter)
    async with db.transaction() as session:
        rows = await session.execute(
            select(Checkin.due_at, Checkin.outcome).where(Checkin.outcome.is_not(None))
        )
        for due_at, outcome in rows:
            days[_aware(due_at).astimezone(tz).date()][str(outcome)] += 1
    return {day: {o: days[day][o] for o in OUTCOMES} for day in sorted(days)}


async def alert_lines(db: Database) -> list[AlertLine]:
    """Every kind of alert raised, with how it was handled."""
    async with db.transaction() as session:
        alerts = list(await session.scalars(select(Alert).order_by(Alert.id)))
    lines = []
    for kind in dict.fromkeys(a.kind for a in alerts):
        group = [a for a in alerts if a.kind == kind]
        waits = [
            (_aware(a.acknowledged_at) - _aware(a.opened_at)).total_seconds() / 60
            for a in group
            if a.acknowledged_at is not None
        ]
        lines.append(
            AlertLine(
                kind=kind,
                raised=len(group),
                taken=len(waits),
                escalated=sum(1 for a in group if a.escalation_level > 0),
                resolved=sum(1 for a in group if a.state == "resolved"),
                median_minutes_to_take=statistics.median(waits) if waits else None,
            )
        )
    return lines


def last_digest(transcript: Transcript, chat_id: int) -> str:
    """The latest daily digest this chat received, as its reader saw it."""
    texts = [
        line.text
        for line in transcript.of(chat_id)
        if line.source == "bot" and says(line.text, "digest.header")
    ]
    return texts[-1] if texts else ""


def render(summary: Summary, language: str = "vi") -> list[str]:
    """The summary as lines of text (the live view prints it with rich)."""
    lines = ["Khai báo theo ngày (đúng giờ / muộn / bỏ lỡ):"]
    for day, counts in summary.compliance.items():
        total = sum(counts.values()) or 1
        lines.append(
            f"  {day:%d/%m}: {counts['on_time']} / {counts['late']} / {counts['missed']}"
            f"  ({100 * counts['on_time'] // total}% đúng giờ)"
        )
    lines.append("Cảnh báo theo loại (nhận, chuyển tỉnh, giải quyết, trung vị phút đến khi nhận):")
    for a in summary.alerts:
        name = plain(language, f"alert.short.{a.kind}")
        median = "–" if a.median_minutes_to_take is None else f"{a.median_minutes_to_take:.0f}"
        lines.append(
            f"  {name}: {a.raised} (nhận {a.taken}, chuyển tỉnh {a.escalated}, "
            f"xong {a.resolved}, {median} phút)"
        )
    c = summary.channels
    lines.append(
        f"Tin theo kênh: Telegram {c.telegram}; Zalo {c.zalo_free + c.zns} "
        f"(ZNS {c.zns}: {c.zns_cost_vnd} đồng); SMS {c.sms} ({c.sms_segments} đoạn, "
        "giá theo gói cước SIM của trạm)"
    )
    return lines


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
