"""How an alert looks to one reader: its text, evidence lines, state line and choices."""

from __future__ import annotations

import html
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import Action, is_id
from bot.alerts.values import (
    ACKNOWLEDGED,
    ACTIONS,
    CITIZEN_REPORT,
    CLOSED_STATES,
    CONSENT_REFUSED,
    DANGER_SIGNS,
    HOME_NOT_SET,
    MISSED_CHECKIN,
    NO_FALSE_ALARM_KINDS,
    OPEN,
    OUT_OF_ZONE,
    SHOWN_EVIDENCE,
    SOS,
    UNREACHABLE,
)
from bot.catalogue import CATALOGUE, Raw, plain, t
from bot.messaging.message import Button, Buttons, Choice, Text, rows
from bot.models import Alert, Case, Commune, Officer
from bot.policy import Role


def local_time(moment: datetime, tz: tzinfo) -> str:
    """A time as officers read it: local, hours and minutes, day and month."""
    return moment.astimezone(tz).strftime("%H:%M %d/%m")


def number(language: str, value: float | str) -> str:
    """A number as officers read it: 37,2 in Vietnamese (37.2 in English), 94 not 94.0."""
    if isinstance(value, str):
        return value  # a placeholder such as "?" for evidence that lacks the number
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    text = "0" if text == "-0" else text
    return text.replace(".", ",") if language == "vi" else text


def _hm(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


async def render(
    session: AsyncSession,
    alert: Alert,
    language: str,
    reader: Officer | None,
    now: datetime,
    tz: tzinfo,
    *,
    level: int = 0,
) -> Text:
    """The alert as one reader sees it: who, what, when, the state, and its choices."""
    lines = [t(language, f"alert.kind.{alert.kind}")]
    if level:
        # The header follows the state, so a taken or closed alert never says "nobody took it".
        header = t(language, f"alert.escalated_header.{alert.state}", level=level)
        lines[0] = header + "\n" + lines[0]
    case = await session.get(Case, alert.case_id) if alert.case_id is not None else None
    if case is not None:
        today = now.astimezone(tz).date()
        day = max(1, (today - case.start_date).days + 1)
        commune = await session.get(Commune, case.commune_code)
        lines.append(t(language, "alert.who", name=case.full_name, code=case.code, day=day))
        # The international form, because Telegram turns it into a tap-to-call link; the
        # spaced local form of lists and exports is not reliably recognised.
        lines.append(t(language, "alert.phone", phone=case.phone))
        if case.channel != "telegram":
            # An officer calling back needs to know the person may not read Telegram.
            channel = plain(language, f"channel.{case.channel}")
            lines.append(t(language, "channel.shown", channel=channel))
        if case.address:
            lines.append(t(language, "alert.address", address=case.address))
        if reader is not None and reader.role == Role.SUPERVISOR and commune is not None:
            lines.append(t(language, "alert.commune", commune=commune.name))
    if alert.officer_id is not None:
        subject = await session.get(Officer, alert.officer_id)
        commune = await session.get(Commune, alert.commune_code)
        lines.append(
            t(
                language,
                "alert.officer_blocked",
                name=subject.display_name if subject else "",
                commune=commune.name if commune else "",
            )
        )
    lines.append(t(language, "alert.opened", time=local_time(alert.opened_at, tz)))
    evidence = alert.evidence or []
    for entry in evidence[-SHOWN_EVIDENCE:]:
        line = _evidence_line(language, alert.kind, entry, case, tz)
        if line:
            lines.append(line)
    if len(evidence) > SHOWN_EVIDENCE:
        lines.append(t(language, "alert.more_evidence", count=len(evidence) - SHOWN_EVIDENCE))
    lines.append(await _state_line(session, alert, language, tz))
    return Text(Raw("\n".join(lines)), _choices(alert, language))


def _evidence_line(
    language: str, kind: str, entry: dict[str, Any], case: Case | None, tz: tzinfo
) -> str:
    at = datetime.fromisoformat(entry["at"]) if "at" in entry else None
    when = _hm(at, tz) if at else ""
    if entry.get("back_home"):
        return t(language, "alert.ev.back_home", time=when)
    if kind == SOS:
        return t(language, "alert.ev.sos", time=when)
    if kind == DANGER_SIGNS:
        parts = [_sign(language, sign) for sign in entry.get("signs", [])]
        parts += _vitals(language, entry.get("vitals") or {})
        return t(language, "alert.ev.danger", time=when, signs=Raw(", ".join(parts) or "—"))
    if kind == OUT_OF_ZONE:
        key = "alert.ev.outside_weak" if entry.get("weak") else "alert.ev.outside"
        line = t(
            language,
            key,
            time=when,
            distance=number(language, entry.get("distance_m", "?")),
            accuracy=number(language, entry.get("accuracy_m", "?")),
        )
        home = (case.zone or {}) if case is not None else {}
        if "lat" in entry and "lat" in home:
            url = (
                "https://www.google.com/maps/dir/?api=1"
                f"&origin={home['lat']},{home['lon']}&destination={entry['lat']},{entry['lon']}"
            )
            line += "\n" + t(language, "alert.ev.map", url=url)
        return line
    if kind == MISSED_CHECKIN:
        label = "alert.ev.missed_spot" if entry.get("label") == "spot_check" else "alert.ev.missed"
        return t(language, label, round=entry.get("round", when))
    if kind == UNREACHABLE:
        reason = entry.get("reason", "")
        if reason == "missed_rounds":
            return t(language, "alert.ev.unreachable_rounds", round=entry.get("round", when))
        if reason == "never_enrolled":
            return t(
                language, "alert.ev.never_enrolled", hours=number(language, entry.get("hours", "?"))
            )
        if reason in ("blocked", "officer_blocked"):
            return t(language, "alert.ev.blocked", time=when)
        if reason == "undeliverable":
            return t(language, "alert.ev.undeliverable", time=when)
        return ""
    if kind == HOME_NOT_SET:
        return t(language, "alert.ev.home_not_set", hours=number(language, entry.get("hours", "?")))
    if kind == CITIZEN_REPORT:
        return t(language, "alert.ev.report", reference=entry.get("report", ""))
    if kind == CONSENT_REFUSED:
        return t(language, "alert.ev.consent_refused", time=when)
    return ""


def _vitals(language: str, vitals: dict[str, Any]) -> list[str]:
    """The readings of a check-in, in the order they are asked; SpO2 with its re-measure."""
    parts = []
    for name in ("temperature", "spo2", "breaths", "pulse"):
        value = vitals.get(name)
        again = vitals.get("spo2_again") if name == "spo2" else None
        if value is None:
            value, again = again, None
        if value is None:
            continue
        if again is not None:
            # A low first SpO2 is measured again; the second reading raised the alert.
            first, value = number(language, value), number(language, again)
            parts.append(t(language, "alert.vital.spo2_again", first=first, value=value))
        else:
            parts.append(t(language, f"alert.vital.{name}", value=number(language, value)))
    return parts


def _sign(language: str, sign: str) -> str:
    key = f"alert.sign.{sign}"
    return html.escape(plain(language, key) if key in CATALOGUE[language] else sign)


async def _state_line(session: AsyncSession, alert: Alert, language: str, tz: tzinfo) -> str:
    if alert.state == ACKNOWLEDGED:
        name = await officer_name(session, alert.acknowledged_by)
        at = alert.acknowledged_at or alert.updated_at
        return t(language, "alert.state.acknowledged", name=name, time=_hm(at, tz))
    if alert.state in CLOSED_STATES:
        name = await officer_name(session, alert.closed_by)
        at = alert.closed_at or alert.updated_at
        return t(language, f"alert.state.{alert.state}", name=name, time=_hm(at, tz))
    if alert.escalation_level:
        return t(
            language, "alert.state.escalated", time=_hm(alert.escalated_at or alert.opened_at, tz)
        )
    return t(language, "alert.state.open")


async def officer_name(session: AsyncSession, officer_id: int | None) -> str:
    officer = await session.get(Officer, officer_id) if officer_id is not None else None
    return officer.display_name if officer and officer.display_name else "—"


def _choices(alert: Alert, language: str) -> Buttons:
    if alert.state in CLOSED_STATES:
        return ()
    row: list[Button] = []
    if alert.state == OPEN:
        row.append(Choice(plain(language, "alert.button.acknowledge"), _data("a", alert)))
    row.append(Choice(plain(language, "alert.button.resolve"), _data("r", alert)))
    if alert.kind not in NO_FALSE_ALARM_KINDS:
        row.append(Choice(plain(language, "alert.button.false_alarm"), _data("f", alert)))
    return rows(row)


def _data(action: str, alert: Alert) -> str:
    # Names the alert only; who may press it and what it may still do is checked on use.
    return Action.ALERT.data(action, alert.id)


def parse_callback(data: str) -> tuple[str, int] | None:
    """(action, alert id) from a choice's data, or None if it is not well formed."""
    parts = data.removeprefix(Action.ALERT).split(":")
    if not data.startswith(Action.ALERT) or len(parts) != 2 or parts[0] not in ACTIONS:
        return None
    if not is_id(parts[1]):
        return None
    return ACTIONS[parts[0]], int(parts[1])
