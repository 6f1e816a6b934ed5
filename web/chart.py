"""A small server-side SVG chart of temperature and SpO2 over the days (no script, no CDN)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo
from html import escape

from bot.desk.cases import Vital

WIDTH, HEIGHT, PAD = 640, 220, 36
TEMPERATURE = (35.0, 41.0)
SPO2 = (85.0, 100.0)


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


def days_svg(days: tuple[tuple[date, int], ...], label: str, shown: Callable[[int], str]) -> str:
    """Bars of a count per day, each labelled as the public sees it ("< 5" for small ones)."""
    if not days:
        return ""
    width, height, pad = 640, 180, 24
    top = max(count for _, count in days) or 1
    step = (width - 2 * pad) / len(days)
    parts = [
        f'<svg class="days" role="img" viewBox="0 0 {width} {height}" aria-label="{escape(label)}">'
    ]
    for i, (day, count) in enumerate(days):
        bar = (height - 2 * pad - 14) * count / top
        x = pad + i * step
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{height - pad - bar:.1f}" width="{step - 4:.1f}" '
            f'height="{bar:.1f}" fill="#2171b5"/>'
            f'<text x="{x + step / 2:.1f}" y="{height - pad - bar - 3:.1f}" text-anchor="middle">'
            f"{escape(shown(count))}</text>"
            f'<text x="{x + step / 2:.1f}" y="{height - 8}" text-anchor="middle">'
            f"{day.strftime('%d/%m')}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
