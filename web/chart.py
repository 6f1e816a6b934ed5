"""Small server-side SVG charts: vitals, the public days, the digest (no script, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo
from html import escape

from bot.desk.cases import Vital
from bot.desk.disclosure import Figure
from bot.digest import Compliance

WIDTH, HEIGHT, PAD = 640, 220, 36
TEMPERATURE = (35.0, 41.0)
SPO2 = (85.0, 100.0)
# The bot's chart's colours (bot/digest.py), bottom to top.
OUTCOME_COLOURS = (("on_time", "#2e7d32"), ("late", "#f9a825"), ("missed", "#c62828"))


def vitals_svg(vitals: tuple[Vital, ...], tz: tzinfo, labels: tuple[str, str]) -> str:
    """Two lines (temperature, left scale; SpO2, right scale) with a point per check-in."""
    if not vitals:
        return ""
    first, last = vitals[0].at.timestamp(), vitals[-1].at.timestamp()
    span = max(last - first, 1.0)

    def x(v: Vital) -> float:
        return PAD + (v.at.timestamp() - first) / span * (WIDTH - 2 * PAD)

    def y(value: float, scale: tuple[float, float]) -> float:
        low, high = scale
        share = (min(max(value, low), high) - low) / (high - low)
        return HEIGHT - PAD - share * (HEIGHT - 2 * PAD)

    parts = [
        f'<svg class="vitals" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'aria-label="{escape(labels[0])} / {escape(labels[1])}">',
        f'<rect x="{PAD}" y="{PAD}" width="{WIDTH - 2 * PAD}" height="{HEIGHT - 2 * PAD}" '
        'fill="none" stroke="#ccc"/>',
        f'<text x="4" y="{PAD - 8}" class="t">{escape(labels[0])} °C</text>',
        f'<text x="{WIDTH - 4}" y="{PAD - 8}" text-anchor="end" class="s">'
        f"{escape(labels[1])} %</text>",
    ]
    series: tuple[tuple[str, tuple[float, float], list[float | None], str], ...] = (
        ("temperature", TEMPERATURE, [v.temperature for v in vitals], "#d7301f"),
        ("spo2", SPO2, [v.spo2 for v in vitals], "#2171b5"),
    )
    for name, scale, values, colour in series:
        points = [
            (x(v), y(value, scale))
            for v, value in zip(vitals, values, strict=True)
            if value is not None
        ]
        if not points:
            continue
        line = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline class="{name}" fill="none" stroke="{colour}" points="{line}"/>')
        parts += [
            f'<circle class="{name}" cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>'
            for px, py in points
        ]
    for v in (vitals[0], vitals[-1]):
        parts.append(
            f'<text x="{x(v):.1f}" y="{HEIGHT - 10}" text-anchor="middle">'
            f"{v.at.astimezone(tz).strftime('%d/%m')}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def days_svg(days: tuple[tuple[date, Figure], ...], label: str) -> str:
    """Bars of a published figure per day, each labelled as the public sees it ("< 5").

    Heights are the figures' shown values, never the exact counts, which an SVG's geometry
    would otherwise give away.
    """
    if not days:
        return ""
    width, height, pad = 640, 180, 24
    top = max(figure.height for _, figure in days) or 1.0
    step = (width - 2 * pad) / len(days)
    parts = [
        f'<svg class="days" role="img" viewBox="0 0 {width} {height}" aria-label="{escape(label)}">'
    ]
    for i, (day, figure) in enumerate(days):
        bar = (height - 2 * pad - 14) * figure.height / top
        x = pad + i * step
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{height - pad - bar:.1f}" width="{step - 4:.1f}" '
            f'height="{bar:.1f}" fill="#2171b5"/>'
            f'<text x="{x + step / 2:.1f}" y="{height - pad - bar - 3:.1f}" text-anchor="middle">'
            f"{escape(figure.text)}</text>"
            f'<text x="{x + step / 2:.1f}" y="{height - 8}" text-anchor="middle">'
            f"{day.strftime('%d/%m')}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def compliance_svg(
    history: Sequence[tuple[date, Compliance]], title: str, labels: tuple[str, str, str]
) -> str:
    """The digest's chart: each day's check-ins on time / late / missed, stacked, in percent.

    The same figures as the PNG the bot sends (bot/digest.py `compliance_chart`), drawn here
    without matplotlib so that a page view costs no image rendering.
    """
    if not history:
        return ""
    width, height, pad, legend = 640, 240, 28, 22
    plot = height - 2 * pad - legend
    step = (width - 2 * pad) / len(history)
    parts = [
        f'<svg class="compliance" role="img" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}">',
        f'<text x="{width / 2:.0f}" y="16" text-anchor="middle" class="title">'
        f"{escape(title)}</text>",
    ]
    for i, (day, counts) in enumerate(history):
        x, bottom = pad + i * step, float(height - pad - legend)
        for outcome, colour in OUTCOME_COLOURS:
            share = counts.percent(getattr(counts, outcome)) if counts.total else 0
            bar = plot * share / 100
            bottom -= bar
            parts.append(
                f'<rect class="{outcome}" x="{x + 3:.1f}" y="{bottom:.1f}" width="{step - 6:.1f}" '
                f'height="{bar:.1f}" fill="{colour}"><title>{share} %</title></rect>'
            )
        on_time = f"{counts.percent(counts.on_time)} %" if counts.total else "–"
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{pad + 10}" text-anchor="middle">{on_time}</text>'
            f'<text x="{x + step / 2:.1f}" y="{height - legend - 10}" text-anchor="middle">'
            f"{day.strftime('%d/%m')}</text>"
        )
    for i, ((_, colour), label) in enumerate(zip(OUTCOME_COLOURS, labels, strict=True)):
        x = pad + i * (width - 2 * pad) / 3
        parts.append(
            f'<rect x="{x:.0f}" y="{height - 16}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16:.0f}" y="{height - 6}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
