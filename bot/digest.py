"""The daily digest (per commune for officers, per province for supervisors, with a 7-day
compliance chart) and /worklist, the day's prioritised list of whom to call or visit."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot import alerts, policy
from bot.access import lock_readers
from bot.alerts import number
from bot.catalogue import Raw, plain, t
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.messaging.message import Picture, Text
from bot.messaging.outbox import PRIORITY_DIGEST, enqueue
from bot.models import Alert, Case, Checkin, Commune, DigestRun, Officer, Province
from bot.officers import require_officer
from bot.preferences import language_of

logger = logging.getLogger(__name__)

ON_TIME, LATE, MISSED = "on_time", "late", "missed"
CHART_DAYS = 7
LIST_LIMIT = 15
COMMUNE_LINES = 40  # a province digest's message names the communes most missed first


# ---- check-in counts: the one place the digest reads the check-ins' tables ----------------


async def checkin_counts(
    session: AsyncSession, commune_codes: Sequence[int], start: datetime, end: datetime
) -> dict[tuple[int, str], int]:
    """Closed check-ins due in [start, end) by (commune, outcome): on_time, late, missed."""
    rows = await session.execute(
        select(Case.commune_code, Checkin.outcome, func.count())
        .join(Case, Case.id == Checkin.case_id)
        .where(
            Case.commune_code.in_(commune_codes),
            Checkin.due_at >= start,
            Checkin.due_at < end,
            Checkin.outcome.in_((ON_TIME, LATE, MISSED)),
        )
        .group_by(Case.commune_code, Checkin.outcome)
    )
    return {(commune, outcome or ""): count for commune, outcome, count in rows.all()}


# ---- digest data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Compliance:
    """Check-in outcomes of one day."""

    on_time: int = 0
    late: int = 0
    missed: int = 0

    @property
    def total(self) -> int:
        """Closed check-ins."""
        return self.on_time + self.late + self.missed

    def percent(self, part: int) -> int:
        """A share of the total, rounded, 0 when there is nothing."""
        return round(100 * part / self.total) if self.total else 0


@dataclass(frozen=True)
class AreaDigest:
    """One commune's (or a province's) day."""

    name: str
    active: dict[str, int]
    today: Compliance
    open_alerts: dict[str, int]
    closed_alerts: dict[str, int]
    median_ack_minutes: float | None
    ending_tomorrow: int
    not_enrolled: int
    history: list[tuple[date, Compliance]] = field(default_factory=list)
    # Active cases per channel, so officers know how many they reach off Telegram.
    channels: dict[str, int] = field(default_factory=dict)


async def area_digest(
    session: AsyncSession,
    name: str,
    communes: Sequence[int],
    day: date,
    tz: tzinfo,
    *,
    chart: bool,
) -> AreaDigest:
    """The numbers of one day for a set of communes (one commune, or a province's)."""
    active = await _active_by(session, Case.kind, communes)
    channels = await _active_by(session, Case.channel, communes)
    start, end = alerts.local_day_bounds(day, tz)
    open_alerts, closed_alerts, median = await alerts.alert_counts(
        session, list(communes), start, end
    )
    ending = await session.scalar(
        select(func.count()).where(
            Case.commune_code.in_(communes),
            Case.status == "active",
            Case.end_date == day + timedelta(days=1),
        )
    )
    pending = await session.scalar(
        select(func.count()).where(Case.commune_code.in_(communes), Case.status == "pending")
    )
    history: list[tuple[date, Compliance]] = []
    days = range(CHART_DAYS - 1, -1, -1) if chart else range(0, 1)
    for back in days:
        when = day - timedelta(days=back)
        lo, hi = alerts.local_day_bounds(when, tz)
        counts = await checkin_counts(session, communes, lo, hi)
        history.append((when, _sum(counts)))
    return AreaDigest(
        name=name,
        active=active,
        today=history[-1][1],
        open_alerts=open_alerts,
        closed_alerts=closed_alerts,
        median_ack_minutes=median,
        ending_tomorrow=int(ending or 0),
        not_enrolled=int(pending or 0),
        history=history if chart else [],
        channels=channels,
    )


async def _active_by(
    session: AsyncSession, column: InstrumentedAttribute[str], communes: Sequence[int]
) -> dict[str, int]:
    """The communes' active cases counted by one of their columns (kind, channel)."""
    rows = await session.execute(
        select(column, func.count())
        .where(Case.commune_code.in_(communes), Case.status == "active")
        .group_by(column)
    )
    return {value: count for value, count in rows}


def _sum(counts: dict[tuple[int, str], int]) -> Compliance:
    totals = {ON_TIME: 0, LATE: 0, MISSED: 0}
    for (_, outcome), count in counts.items():
        totals[outcome] += count
    return Compliance(totals[ON_TIME], totals[LATE], totals[MISSED])


def render_digest(language: str, digest: AreaDigest, day: date) -> str:
    """The digest text (HTML)."""
    lines = [
        t(language, "digest.header", date=day.strftime("%d/%m/%Y"), area=digest.name),
        t(
            language,
            "digest.active",
            total=number(language, sum(digest.active.values())),
            f0=number(language, digest.active.get("f0", 0)),
            f1=number(language, digest.active.get("f1", 0)),
            other=number(language, digest.active.get("other", 0)),
        ),
    ]
    if set(digest.channels) - {"telegram"}:
        # Only once someone is off Telegram: a Telegram-only commune's digest is unchanged.
        lines.append(t(language, "channel.digest", items=_channels(language, digest.channels)))
    today = digest.today
    if today.total:
        lines.append(
            t(
                language,
                "digest.checkins",
                on_time=number(language, today.on_time),
                late=number(language, today.late),
                missed=number(language, today.missed),
                percent=number(language, today.percent(today.on_time)),
            )
        )
    else:
        lines.append(t(language, "digest.no_checkins"))
    lines.append(t(language, "digest.open_alerts", items=_kinds(language, digest.open_alerts)))
    lines.append(t(language, "digest.closed_alerts", items=_kinds(language, digest.closed_alerts)))
    if digest.median_ack_minutes is not None:
        minutes = number(language, round(digest.median_ack_minutes, 1))
        lines.append(t(language, "digest.median_ack", minutes=minutes))
    lines.append(
        t(language, "digest.ending_tomorrow", count=number(language, digest.ending_tomorrow))
    )
    lines.append(t(language, "digest.not_enrolled", count=number(language, digest.not_enrolled)))
    return Raw("\n".join(lines))


def _channels(language: str, counts: dict[str, int]) -> str:
    order = ("telegram", "zalo", "sms")
    return ", ".join(
        f"{plain(language, f'channel.{c}')} {number(language, counts[c])}"
        for c in order
        if counts.get(c)
    )


def _kinds(language: str, counts: dict[str, int]) -> str:
    if not counts:
        return plain(language, "digest.none")
    ordered = sorted(counts.items(), key=lambda item: alerts.SEVERITY.get(item[0], 9))
    return ", ".join(
        f"{plain(language, f'alert.short.{kind}')} {number(language, n)}" for kind, n in ordered
    )


def compliance_chart(language: str, digest: AreaDigest) -> bytes:
    """A phone-sized PNG: the last 7 days' check-ins, on time / late / missed, in percent."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [when.strftime("%d/%m") for when, _ in digest.history]
    series = [
        (ON_TIME, "#2e7d32", [c.percent(c.on_time) for _, c in digest.history]),
        (LATE, "#f9a825", [c.percent(c.late) for _, c in digest.history]),
        (MISSED, "#c62828", [c.percent(c.missed) for _, c in digest.history]),
    ]
    # 6 x 4 inches at 150 dpi: 900 x 600 pixels, large type, readable on a small screen.
    figure, axes = plt.subplots(figsize=(6, 4), dpi=150)
    try:
        bottom = [0] * len(labels)
        for outcome, colour, values in series:
            axes.bar(
                labels,
                values,
                bottom=bottom,
                color=colour,
                label=plain(language, f"digest.chart_{outcome}"),
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        for index, (_, day) in enumerate(digest.history):
            if day.total:
                axes.text(
                    index,
                    day.percent(day.on_time) / 2,
                    f"{day.percent(day.on_time)}%",
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=11,
                    fontweight="bold",
                )
        axes.set_ylim(0, 100)
        axes.set_title(plain(language, "digest.chart_title"), fontsize=14)
        axes.tick_params(labelsize=11)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=11, frameon=False
        )
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


@dataclass(frozen=True)
class CommuneLine:
    """One commune of a province digest: active cases, today's missed share, open alerts."""

    code: int
    name: str
    active: int
    missed_percent: int
    open_alerts: int


@dataclass(frozen=True)
class DigestView:
    """One day's digest of an area; for a province, its communes with cases, most missed first."""

    day: date
    digest: AreaDigest
    communes: tuple[CommuneLine, ...]


def render_view(language: str, view: DigestView) -> str:
    """The digest's text (HTML), with a province's commune lines (the 40 most missed)."""
    text = render_digest(language, view.digest, view.day)
    if view.communes:
        text += "\n\n" + t(language, "digest.communes")
        for line in view.communes[:COMMUNE_LINES]:
            text += "\n" + t(
                language,
                "digest.commune_line",
                commune=line.name,
                active=number(language, line.active),
                missed_percent=number(language, line.missed_percent),
                open=number(language, line.open_alerts),
            )
    return Raw(text)


# ---- the worklist ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    """One person to call or visit."""

    name: str
    code: str
    phone: str
    kind: str | None = None  # the alert kind, for open alerts
    channel: str = "telegram"  # what carries the person's messages


@dataclass(frozen=True)
class Worklist:
    """The day's prioritised list for one officer's commune (or a supervisor's province)."""

    day: date
    sections: dict[str, list[WorkItem]]
    more: dict[str, int]


# ---- the service -----------------------------------------------------------------------------


class DigestService:
    """The daily digest tick and the worklist."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._tz = settings.schedule.tz
        self._at = time.fromisoformat(settings.alerts.digest_time)
        self._language = settings.deployment.language

    def _today(self, now: datetime) -> date:
        return now.astimezone(self._tz).date()

    async def tick(self) -> bool:
        """Queue today's digests once the digest time has passed; True if it did now."""
        now = self._clock.now()
        local = now.astimezone(self._tz)
        if local.time() < self._at:
            return False
        day = local.date()
        try:
            async with self._db.transaction() as session:
                if await session.get(DigestRun, day) is not None:
                    return False
                # The primary key makes a second worker's insert fail: one digest a day.
                session.add(DigestRun(day=day, queued_at=now))
                await session.flush()
                await self._queue_all(session, day, now)
        except IntegrityError:
            return False
        return True

    async def _queue_all(self, session: AsyncSession, day: date, now: datetime) -> None:
        officers = list(
            await session.scalars(
                lock_readers(
                    select(Officer).where(Officer.revoked_at.is_(None)).order_by(Officer.id)
                )
            )
        )
        for officer in officers:
            # Their own area, as they hold it today (revoked or moved: not the old one).
            if not policy.entitled(officer, officer.commune_code, officer.province_code):
                continue
            language = await language_of(session, officer.telegram_user_id, self._language)
            view = await self._view(session, officer, day)
            self._queue(session, officer, language, render_view(language, view), view.digest, now)

    async def today(self, telegram_user_id: int) -> DigestView:
        """Today's digest of the officer's commune (a supervisor's: the province's)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            return await self._view(session, officer, self._today(now))

    async def _view(self, session: AsyncSession, officer: Officer, day: date) -> DigestView:
        """The digest an officer gets: their commune's, or for a supervisor the province's."""
        if policy.is_commune_officer(officer) and officer.commune_code is not None:
            commune = await session.get(Commune, officer.commune_code)
            name = commune.name if commune else ""
            digest = await area_digest(
                session, name, [officer.commune_code], day, self._tz, chart=True
            )
            return DigestView(day, digest, ())
        province = await session.get(Province, officer.province_code)
        name = province.name if province else ""
        return await self._province(session, officer.province_code, name, day)

    async def _province(
        self, session: AsyncSession, province_code: int, name: str, day: date
    ) -> DigestView:
        """The province digest, with one line per commune that has cases, most missed first."""
        communes = list(
            (
                await session.execute(
                    select(Commune.code, Commune.name)
                    .join(Case, Case.commune_code == Commune.code)
                    .where(Commune.province_code == province_code)
                    .group_by(Commune.code, Commune.name)
                )
            ).all()
        )
        codes = [code for code, _ in communes]
        digest = await area_digest(session, name, codes, day, self._tz, chart=True)
        start, end = alerts.local_day_bounds(day, self._tz)
        counts = await checkin_counts(session, codes, start, end)
        # One grouped count each, not two statements per commune.
        active = dict(
            (
                await session.execute(
                    select(Case.commune_code, func.count())
                    .where(Case.province_code == province_code, Case.status == "active")
                    .group_by(Case.commune_code)
                )
            ).all()
        )
        open_alerts = dict(
            (
                await session.execute(
                    select(Alert.commune_code, func.count())
                    .where(
                        Alert.province_code == province_code,
                        Alert.state.in_(alerts.OPEN_STATES),
                    )
                    .group_by(Alert.commune_code)
                )
            ).all()
        )
        lines = []
        for code, commune_name in communes:
            one = Compliance(
                counts.get((code, ON_TIME), 0),
                counts.get((code, LATE), 0),
                counts.get((code, MISSED), 0),
            )
            lines.append(
                CommuneLine(
                    code,
                    commune_name,
                    int(active.get(code, 0)),
                    one.percent(one.missed),
                    int(open_alerts.get(code, 0)),
                )
            )
        lines.sort(key=lambda line: (-line.missed_percent, line.name))
        return DigestView(day, digest, tuple(lines))

    def _queue(
        self,
        session: AsyncSession,
        officer: Officer,
        language: str,
        text: str,
        digest: AreaDigest,
        now: datetime,
    ) -> None:
        enqueue(
            session,
            chat_id=officer.telegram_user_id,
            province=officer.province_code,
            content=Text(text),
            priority=PRIORITY_DIGEST,
            purpose="digest",
            now=now,
        )
        chart = Picture(
            t(language, "digest.chart_caption", area=digest.name),
            compliance_chart(language, digest),
        )
        enqueue(
            session,
            chat_id=officer.telegram_user_id,
            province=officer.province_code,
            content=chart,
            priority=PRIORITY_DIGEST,
            purpose="digest_chart",
            now=now,
        )

    async def worklist(self, telegram_user_id: int) -> Worklist:
        """Open alerts, missed last check-in, not enrolled, home not set, ending today/tomorrow."""
        now = self._clock.now()
        today = self._today(now)
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            area = policy.area_clause(officer, Case.commune_code, Case.province_code)
            alert_area = policy.area_clause(officer, Alert.commune_code, Alert.province_code)
            sections: dict[str, list[WorkItem]] = {}
            more: dict[str, int] = {}

            def add(section: str, items: list[WorkItem]) -> None:
                if items:
                    sections[section] = items[:LIST_LIMIT]
                    if len(items) > LIST_LIMIT:
                        more[section] = len(items) - LIST_LIMIT

            open_rows = await session.execute(
                select(Alert.kind, Case)
                .join(Case, Case.id == Alert.case_id)
                .where(alert_area, Alert.state.in_(alerts.OPEN_STATES))
                .order_by(Alert.severity, Alert.opened_at)
            )
            add("alerts", [_item(case, kind) for kind, case in open_rows.all()])
            active = list(
                await session.scalars(
                    select(Case).where(area, Case.status == "active").order_by(Case.full_name)
                )
            )
            add("missed", await _missed_last(session, active, now))
            pending = list(
                await session.scalars(
                    select(Case).where(area, Case.status == "pending").order_by(Case.created_at)
                )
            )
            # Opened the link and said no: a call to explain, not a link to resend.
            add("refused", [_item(c) for c in pending if c.consent_refused_at is not None])
            add("not_enrolled", [_item(c) for c in pending if c.consent_refused_at is None])
            add("home_not_set", [_item(c) for c in active if c.home_status != "set"])
            add("ending_today", [_item(c) for c in active if c.end_date == today])
            add(
                "ending_tomorrow",
                [_item(c) for c in active if c.end_date == today + timedelta(days=1)],
            )
            return Worklist(today, sections, more)


def _item(case: Case, kind: str | None = None) -> WorkItem:
    # The worklist is for calling: the international form is the one Telegram makes tappable.
    return WorkItem(case.full_name, case.code, case.phone, kind, case.channel)


async def _missed_last(session: AsyncSession, cases: list[Case], now: datetime) -> list[WorkItem]:
    """The cases whose latest closed check-in (in the last two days) was missed."""
    if not cases:
        return []
    by_id = {case.id: case for case in cases}
    rows = await session.execute(
        select(Checkin.case_id, Checkin.outcome)
        .where(
            Checkin.case_id.in_(list(by_id)),
            Checkin.outcome.in_((ON_TIME, LATE, MISSED)),
            Checkin.due_at >= now - timedelta(days=2),
        )
        .order_by(Checkin.case_id, Checkin.due_at)
    )
    last: dict[int, str] = {}
    for case_id, outcome in rows.all():
        last[case_id] = outcome or ""
    return [_item(by_id[cid]) for cid, outcome in last.items() if outcome == MISSED]


def render_worklist(language: str, worklist: Worklist) -> str:
    """The worklist as one HTML message."""
    lines = [t(language, "worklist.header", date=worklist.day.strftime("%d/%m/%Y"))]
    if not worklist.sections:
        lines.append(t(language, "worklist.empty"))
    for section, items in worklist.sections.items():
        lines.append("")
        lines.append(t(language, f"worklist.{section}"))
        for item in items:
            if item.kind is not None:
                kind = plain(language, f"alert.short.{item.kind}")
                lines.append(
                    t(
                        language,
                        "worklist.alert_item",
                        kind=kind,
                        name=item.name,
                        code=item.code,
                        phone=item.phone,
                    )
                )
            else:
                lines.append(
                    t(language, "worklist.item", name=item.name, code=item.code, phone=item.phone)
                )
            if item.channel != "telegram":
                lines[-1] += f" · {plain(language, f'channel.{item.channel}')}"
        if section in worklist.more:
            more = number(language, worklist.more[section])
            lines.append(t(language, "worklist.more", count=more))
    return Raw("\n".join(lines))
