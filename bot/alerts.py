"""Alerts: raising them (one open alert per case and kind), delivering every copy through the
outbox, acknowledging and closing them from a button, escalating, and quiet hours.

Other services call the module-level functions with their own session (`raise_alert`,
`note_back_home`, `close_alert`), so an alert and its messages are written in the same unit
of work as whatever caused them. `AlertService` is what handlers and ticks call.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.catalogue import CATALOGUE, Raw, plain, t
from bot.clock import Clock
from bot.config import AlertSettings, Settings
from bot.db import Database
from bot.errors import NotAuthorised, UserError
from bot.messaging.outbox import (
    PRIORITY_ALERT,
    PRIORITY_URGENT,
    callback_button,
    enqueue,
    enqueue_text,
    inline_keyboard,
)
from bot.models import Alert, AlertDelivery, Case, Commune, Officer, OutboxMessage
from bot.officers import require_officer
from bot.preferences import language_of

logger = logging.getLogger(__name__)

SOS = "sos"
DANGER_SIGNS = "danger_signs"
OUT_OF_ZONE = "out_of_zone"
MISSED_CHECKIN = "missed_checkin"
UNREACHABLE = "unreachable"
CONSENT_REFUSED = "consent_refused"
HOME_NOT_SET = "home_not_set"
CITIZEN_REPORT = "citizen_report"

# Lower is more urgent; it orders /alerts and picks the outbox priority.
SEVERITY = {
    SOS: 0,
    DANGER_SIGNS: 1,
    OUT_OF_ZONE: 2,
    MISSED_CHECKIN: 3,
    UNREACHABLE: 3,
    CONSENT_REFUSED: 4,
    HOME_NOT_SET: 4,
    CITIZEN_REPORT: 4,
}
URGENT_KINDS = frozenset({SOS, DANGER_SIGNS})
# Only these wait for the end of quiet hours; sos, danger signs and out of zone never do.
HELD_KINDS = frozenset({MISSED_CHECKIN, HOME_NOT_SET, CITIZEN_REPORT})
# Escalating these can wait for the morning too: nobody's life hangs on them tonight.
ESCALATION_HELD_KINDS = HELD_KINDS | {CONSENT_REFUSED}
# A refusal is a fact, not a false alarm: its card offers only acknowledge and resolve.
NO_FALSE_ALARM_KINDS = frozenset({CONSENT_REFUSED})
# The reports service delivers its own card (with its own buttons) for a citizen report;
# the alert carries escalation and the digest's counts.
SELF_DELIVERED_KINDS = frozenset({CITIZEN_REPORT})

OPEN, ACKNOWLEDGED, RESOLVED, FALSE_ALARM = "open", "acknowledged", "resolved", "false_alarm"
OPEN_STATES = (OPEN, ACKNOWLEDGED)
CLOSED_STATES = (RESOLVED, FALSE_ALARM)

CALLBACK_PREFIX = "al:"
ACTIONS = {"a": "acknowledge", "r": RESOLVED, "f": FALSE_ALARM}
# Evidence lines shown on a copy: the latest few; the count says how many there are.
SHOWN_EVIDENCE = 4


@dataclass(frozen=True)
class RaisedAlert:
    """The alert a piece of evidence went to, and whether it was opened just now."""

    id: int
    kind: str
    is_new: bool


@dataclass(frozen=True)
class ActionResult:
    """What a button press did, for the short answer the officer sees."""

    alert_id: int
    action: str
    state: str
    language: str


@dataclass(frozen=True)
class AlertCard:
    """An alert rendered for one reader: HTML text and its inline keyboard (Bot API dict)."""

    alert_id: int
    kind: str
    text: str
    reply_markup: dict[str, Any] | None


@dataclass(frozen=True)
class _Config:
    tz: ZoneInfo
    settings: AlertSettings
    language: str


# Set by AlertService from the deployment's settings; defaults serve tests of other modules.
_config = _Config(ZoneInfo("Asia/Ho_Chi_Minh"), AlertSettings(), "vi")


def configure(settings: Settings) -> None:
    """Give the module functions the deployment's time zone, quiet hours and language."""
    global _config
    _config = _Config(settings.schedule.tz, settings.alerts, settings.deployment.language)


# ---- raising ------------------------------------------------------------------------------


async def raise_alert(
    session: AsyncSession,
    *,
    kind: str,
    commune_code: int,
    now: datetime,
    evidence: dict[str, Any],
    case_id: int | None = None,
    officer_id: int | None = None,
) -> RaisedAlert:
    """Open an alert, or add the evidence to the open alert of the same case and kind.

    Runs inside the caller's unit of work, so the alert, its evidence and its outbox rows
    are written together with whatever caused them. New evidence on an open alert edits
    the copies already delivered instead of sending new ones.
    """
    if kind not in SEVERITY:
        raise ValueError(f"unknown alert kind {kind}")
    entry = {"at": now.isoformat(), **evidence}
    open_key = _open_key(kind, case_id, officer_id)
    alert = (
        await session.scalar(select(Alert).where(Alert.open_key == open_key))
        if open_key is not None
        else None
    )
    if alert is not None:
        alert.evidence = [*alert.evidence, entry]
        alert.updated_at = now
        await session.flush()
        await refresh_copies(session, alert, now)
        if kind == OUT_OF_ZONE:
            await _send_pins(session, alert, entry, now)
        return RaisedAlert(alert.id, kind, is_new=False)
    province_code = await session.scalar(
        select(Commune.province_code).where(Commune.code == commune_code)
    )
    if province_code is None:
        raise ValueError(f"unknown commune {commune_code}")
    alert = Alert(
        kind=kind,
        severity=SEVERITY[kind],
        case_id=case_id,
        officer_id=officer_id,
        commune_code=commune_code,
        province_code=province_code,
        state=OPEN,
        open_key=open_key,
        evidence=[entry],
        opened_at=now,
        updated_at=now,
        escalation_level=0,
        deliver_at=hold_until(kind, now),
    )
    session.add(alert)
    await session.flush()
    audit.record(
        session,
        at=now,
        actor=audit.SYSTEM,
        action="alert.open",
        subject_type="alert",
        subject_id=alert.id,
        kind=kind,
        case=case_id,
        officer=officer_id,
    )
    if kind not in SELF_DELIVERED_KINDS:
        if officer_id is not None:
            await _deliver(session, alert, await province_supervisors(session, province_code), now)
        else:
            await _deliver(session, alert, await commune_officers(session, commune_code), now)
    return RaisedAlert(alert.id, kind, is_new=True)


def _open_key(kind: str, case_id: int | None, officer_id: int | None) -> str | None:
    if case_id is not None:
        return f"case:{case_id}:{kind}"
    if officer_id is not None:
        return f"officer:{officer_id}:{kind}"
    return None


def hold_until(kind: str, now: datetime) -> datetime:
    """When an alert of this kind raised now goes out: at once, or at the end of quiet hours."""
    if kind not in HELD_KINDS:
        return now
    return quiet_hours_end(now) or now


def quiet_hours_end(now: datetime) -> datetime | None:
    """The end of the quiet hours `now` falls in (UTC), or None outside them."""
    settings = _config.settings
    start, end = time.fromisoformat(settings.quiet_start), time.fromisoformat(settings.quiet_end)
    local = now.astimezone(_config.tz)
    clock = local.time()
    quiet = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not quiet:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=_config.tz).astimezone(UTC)


async def commune_officers(session: AsyncSession, commune_code: int) -> list[Officer]:
    """The active officers of a commune."""
    rows = await session.scalars(
        select(Officer)
        .where(
            Officer.commune_code == commune_code,
            Officer.role == "officer",
            Officer.revoked_at.is_(None),
        )
        .order_by(Officer.id)
    )
    return list(rows)


async def province_supervisors(session: AsyncSession, province_code: int) -> list[Officer]:
    """The active supervisors of a province."""
    rows = await session.scalars(
        select(Officer)
        .where(
            Officer.province_code == province_code,
            Officer.role == "supervisor",
            Officer.revoked_at.is_(None),
        )
        .order_by(Officer.id)
    )
    return list(rows)


def _priority(alert: Alert) -> int:
    return PRIORITY_URGENT if alert.kind in URGENT_KINDS else PRIORITY_ALERT


async def _deliver(
    session: AsyncSession,
    alert: Alert,
    readers: list[Officer],
    now: datetime,
    *,
    role: str = "officer",
    level: int = 0,
) -> None:
    """Queue one copy of the alert (and for out of zone, the pin) for every reader."""
    not_before = alert.deliver_at if alert.deliver_at and alert.deliver_at > now else now
    for reader in readers:
        language = await language_of(session, reader.telegram_user_id, _config.language)
        card = await render(session, alert, language, reader, now, level=level)
        row = enqueue_text(
            session,
            chat_id=reader.telegram_user_id,
            text=card.text,
            reply_markup=card.reply_markup,
            priority=_priority(alert),
            purpose="alert",
            now=now,
            not_before=not_before,
            ref_id=alert.id,
        )
        await session.flush()
        session.add(
            AlertDelivery(
                alert_id=alert.id,
                officer_id=reader.id,
                chat_id=reader.telegram_user_id,
                outbox_id=row.id,
                role=role,
                level=level,
                created_at=now,
            )
        )
        if alert.kind == OUT_OF_ZONE and alert.evidence:
            _pin(session, alert, alert.evidence[-1], reader.telegram_user_id, now, not_before)
    await session.flush()


def _pin(
    session: AsyncSession,
    alert: Alert,
    entry: dict[str, Any],
    chat_id: int,
    now: datetime,
    not_before: datetime,
) -> None:
    if "lat" not in entry or "lon" not in entry:
        return
    params: dict[str, Any] = {
        "chat_id": chat_id,
        "latitude": entry["lat"],
        "longitude": entry["lon"],
    }
    if entry.get("accuracy_m"):
        params["horizontal_accuracy"] = min(1500, max(0, int(entry["accuracy_m"])))
    enqueue(
        session,
        chat_id=chat_id,
        method="sendLocation",
        params=params,
        priority=_priority(alert),
        purpose="alert_pin",
        now=now,
        not_before=not_before,
        ref_id=alert.id,
    )


async def _send_pins(
    session: AsyncSession, alert: Alert, entry: dict[str, Any], now: datetime
) -> None:
    """A new outside fix: a new pin under every copy, so the map shows where they are now."""
    for delivery in await _deliveries(session, alert.id):
        _pin(session, alert, entry, delivery.chat_id, now, now)


async def _deliveries(session: AsyncSession, alert_id: int) -> list[AlertDelivery]:
    return list(
        await session.scalars(
            select(AlertDelivery)
            .where(AlertDelivery.alert_id == alert_id)
            .order_by(AlertDelivery.id)
        )
    )


async def refresh_copies(session: AsyncSession, alert: Alert, now: datetime) -> None:
    """Edit every delivered copy of the alert whose text or buttons have changed."""
    for delivery in await _deliveries(session, alert.id):
        reader = await session.get(Officer, delivery.officer_id)
        if reader is None:
            continue
        language = await language_of(session, reader.telegram_user_id, _config.language)
        card = await render(session, alert, language, reader, now, level=delivery.level)
        # Telegram refuses an edit that changes nothing ("message is not modified"): a call
        # wasted in the shared rate, so compare with what this copy was last given.
        if await _last_content(session, delivery) == (card.text, card.reply_markup):
            continue
        params: dict[str, Any] = {
            "chat_id": delivery.chat_id,
            "text": card.text,
            "parse_mode": "HTML",
        }
        if card.reply_markup is not None:
            params["reply_markup"] = card.reply_markup
        enqueue(
            session,
            chat_id=delivery.chat_id,
            method="editMessageText",
            params=params,
            priority=_priority(alert),
            purpose="alert_edit",
            now=now,
            ref_id=alert.id,
            edit_of_id=delivery.outbox_id,
        )


async def _last_content(
    session: AsyncSession, delivery: AlertDelivery
) -> tuple[str | None, dict[str, Any] | None] | None:
    """The text and buttons a copy was last queued with (the copy itself or its last edit)."""
    row = await session.scalar(
        select(OutboxMessage)
        .where(
            or_(
                OutboxMessage.id == delivery.outbox_id,
                and_(
                    OutboxMessage.edit_of_id == delivery.outbox_id,
                    # A failed edit never reached the chat: what it shows is the one before.
                    OutboxMessage.state != "failed",
                ),
            )
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    params = row.body.get("params", {}) if row is not None else {}
    if "text" not in params:
        return None  # unknown (purged by retention): edit rather than guess
    return params["text"], params.get("reply_markup")


# ---- functions for other services -----------------------------------------------------------


async def note_back_home(session: AsyncSession, case_id: int, now: datetime) -> None:
    """The person is back inside the zone: the open out-of-zone alert says since when."""
    alert = await session.scalar(
        select(Alert).where(Alert.open_key == _open_key(OUT_OF_ZONE, case_id, None))
    )
    if alert is None:
        return
    alert.evidence = [*alert.evidence, {"at": now.isoformat(), "back_home": True}]
    alert.updated_at = now
    await session.flush()
    await refresh_copies(session, alert, now)


async def close_alert(
    session: AsyncSession,
    alert_id: int,
    *,
    state: str,
    officer_id: int | None,
    now: datetime,
    **details: Any,
) -> bool:
    """Close an open alert as resolved or a false alarm (for services that own the cause)."""
    if state not in CLOSED_STATES:
        raise ValueError(f"not a closed state: {state}")
    alert = await session.get(Alert, alert_id)
    if alert is None or alert.state not in OPEN_STATES:
        return False
    _close(alert, state, officer_id, now)
    audit.record(
        session,
        at=now,
        actor=audit.officer_actor(officer_id) if officer_id else audit.SYSTEM,
        action=f"alert.{state}",
        subject_type="alert",
        subject_id=alert.id,
        **details,
    )
    await refresh_copies(session, alert, now)
    return True


def _close(alert: Alert, state: str, officer_id: int | None, now: datetime) -> None:
    alert.state = state
    alert.closed_at = now
    alert.closed_by = officer_id
    alert.open_key = None  # frees the slot: the next evidence opens a new alert
    alert.updated_at = now


async def chat_unreachable(session: AsyncSession, chat_id: int, now: datetime) -> None:
    """Telegram answered Forbidden for this chat (sender hook): flag whoever it belongs to.

    A person's cases get `unreachable_since` and one unreachable alert to their commune; an
    officer gets an unreachable alert to the province's supervisors.
    """
    cases = await session.scalars(
        select(Case).where(Case.chat_id == chat_id, Case.status.in_(("pending", "active")))
    )
    for case in cases:
        if case.unreachable_since is not None:
            continue  # already known; one alert, not one per message
        case.unreachable_since = now
        await raise_alert(
            session,
            kind=UNREACHABLE,
            commune_code=case.commune_code,
            now=now,
            evidence={"reason": "blocked"},
            case_id=case.id,
        )
    officer = await session.scalar(
        select(Officer).where(Officer.telegram_user_id == chat_id, Officer.revoked_at.is_(None))
    )
    if officer is None:
        return
    audit.record(
        session,
        at=now,
        actor=audit.SYSTEM,
        action="officer.unreachable",
        subject_type="officer",
        subject_id=officer.id,
    )
    if officer.commune_code is None:
        logger.warning("supervisor %s blocked the bot", officer.id)
        return
    if await session.scalar(
        select(Alert.id).where(Alert.open_key == _open_key(UNREACHABLE, None, officer.id))
    ):
        return
    await raise_alert(
        session,
        kind=UNREACHABLE,
        commune_code=officer.commune_code,
        now=now,
        evidence={"reason": "officer_blocked"},
        officer_id=officer.id,
    )


async def delivery_resent(session: AsyncSession, old_outbox_id: int, new_outbox_id: int) -> None:
    """An alert copy was queued again after a crash (sender hook): edits follow the new one."""
    for delivery in await session.scalars(
        select(AlertDelivery).where(AlertDelivery.outbox_id == old_outbox_id)
    ):
        delivery.outbox_id = new_outbox_id


# ---- rendering ------------------------------------------------------------------------------


def local_time(moment: datetime) -> str:
    """A time as officers read it: local, hours and minutes, day and month."""
    return moment.astimezone(_config.tz).strftime("%H:%M %d/%m")


def number(language: str, value: float | str) -> str:
    """A number as officers read it: 37,2 in Vietnamese (37.2 in English), 94 not 94.0."""
    if isinstance(value, str):
        return value  # a placeholder such as "?" for evidence that lacks the number
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    text = "0" if text == "-0" else text
    return text.replace(".", ",") if language == "vi" else text


def _hm(moment: datetime) -> str:
    return moment.astimezone(_config.tz).strftime("%H:%M")


async def render(
    session: AsyncSession,
    alert: Alert,
    language: str,
    reader: Officer | None,
    now: datetime,
    *,
    level: int = 0,
) -> AlertCard:
    """The alert as one reader sees it: who, what, when, the state, and its buttons."""
    lines = [t(language, f"alert.kind.{alert.kind}")]
    if level:
        # The header follows the state, so a taken or closed alert never says "nobody took it".
        header = t(language, f"alert.escalated_header.{alert.state}", level=level)
        lines[0] = header + "\n" + lines[0]
    case = await session.get(Case, alert.case_id) if alert.case_id is not None else None
    if case is not None:
        today = now.astimezone(_config.tz).date()
        day = max(1, (today - case.start_date).days + 1)
        commune = await session.get(Commune, case.commune_code)
        lines.append(t(language, "alert.who", name=case.full_name, code=case.code, day=day))
        # The international form, because Telegram turns it into a tap-to-call link; the
        # spaced local form of lists and exports is not reliably recognised.
        lines.append(t(language, "alert.phone", phone=case.phone))
        if case.address:
            lines.append(t(language, "alert.address", address=case.address))
        if reader is not None and reader.role == "supervisor" and commune is not None:
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
    lines.append(t(language, "alert.opened", time=local_time(alert.opened_at)))
    evidence = alert.evidence or []
    for entry in evidence[-SHOWN_EVIDENCE:]:
        line = _evidence_line(language, alert.kind, entry, case)
        if line:
            lines.append(line)
    if len(evidence) > SHOWN_EVIDENCE:
        lines.append(t(language, "alert.more_evidence", count=len(evidence) - SHOWN_EVIDENCE))
    lines.append(await _state_line(session, alert, language))
    text = Raw("\n".join(lines))
    return AlertCard(alert.id, alert.kind, text, _keyboard(alert, language))


def _evidence_line(language: str, kind: str, entry: dict[str, Any], case: Case | None) -> str:
    at = datetime.fromisoformat(entry["at"]) if "at" in entry else None
    when = _hm(at) if at else ""
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


async def _state_line(session: AsyncSession, alert: Alert, language: str) -> str:
    if alert.state == ACKNOWLEDGED:
        name = await _officer_name(session, alert.acknowledged_by)
        at = alert.acknowledged_at or alert.updated_at
        return t(language, "alert.state.acknowledged", name=name, time=_hm(at))
    if alert.state in CLOSED_STATES:
        name = await _officer_name(session, alert.closed_by)
        at = alert.closed_at or alert.updated_at
        return t(language, f"alert.state.{alert.state}", name=name, time=_hm(at))
    if alert.escalation_level:
        return t(language, "alert.state.escalated", time=_hm(alert.escalated_at or alert.opened_at))
    return t(language, "alert.state.open")


async def _officer_name(session: AsyncSession, officer_id: int | None) -> str:
    officer = await session.get(Officer, officer_id) if officer_id is not None else None
    return officer.display_name if officer and officer.display_name else "—"


def _keyboard(alert: Alert, language: str) -> dict[str, Any] | None:
    if alert.state in CLOSED_STATES:
        return None
    row = []
    if alert.state == OPEN:
        row.append(callback_button(plain(language, "alert.button.acknowledge"), _data("a", alert)))
    row.append(callback_button(plain(language, "alert.button.resolve"), _data("r", alert)))
    if alert.kind not in NO_FALSE_ALARM_KINDS:
        row.append(callback_button(plain(language, "alert.button.false_alarm"), _data("f", alert)))
    return inline_keyboard([row])


def _data(action: str, alert: Alert) -> str:
    # Names the alert only; who may press it and what it may still do is checked on use.
    return f"{CALLBACK_PREFIX}{action}:{alert.id}"


def parse_callback(data: str) -> tuple[str, int] | None:
    """(action, alert id) from a button's callback data, or None if it is not well formed."""
    parts = data.removeprefix(CALLBACK_PREFIX).split(":")
    if not data.startswith(CALLBACK_PREFIX) or len(parts) != 2 or parts[0] not in ACTIONS:
        return None
    if not parts[1].isdigit() or len(parts[1]) > 12:
        return None
    return ACTIONS[parts[0]], int(parts[1])


# ---- the service ------------------------------------------------------------------------------


def _may_see(officer: Officer, alert: Alert) -> bool:
    if officer.role == "officer":
        return officer.commune_code == alert.commune_code and alert.officer_id is None
    return officer.province_code == alert.province_code


class AlertService:
    """Button presses, lists and the periodic escalation of alerts."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings.alerts
        self._language = settings.deployment.language
        configure(settings)

    async def act(self, telegram_user_id: int, data: str) -> ActionResult:
        """Acknowledge, resolve or call a false alarm from a button; everything re-checked."""
        parsed = parse_callback(data)
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            language = await language_of(session, telegram_user_id, self._language)
            if parsed is None:
                raise NotAuthorised("alert.refused")
            action, alert_id = parsed
            alert = await session.get(Alert, alert_id, with_for_update=True)
            if alert is None or not _may_see(officer, alert):
                raise NotAuthorised("alert.refused")
            if alert.state in CLOSED_STATES:
                name = await _officer_name(session, alert.closed_by)
                raise UserError(f"alert.already_{alert.state}", name=name)
            if action == FALSE_ALARM and alert.kind in NO_FALSE_ALARM_KINDS:
                raise NotAuthorised("alert.refused")  # no such button on this card
            if action == "acknowledge":
                if alert.state == ACKNOWLEDGED:
                    name = await _officer_name(session, alert.acknowledged_by)
                    raise UserError("alert.already_acknowledged", name=name)
                alert.state = ACKNOWLEDGED
                alert.acknowledged_at = now
                alert.acknowledged_by = officer.id
                alert.updated_at = now
            else:
                if alert.acknowledged_at is None:
                    # Closing straight away also counts as taking it.
                    alert.acknowledged_at, alert.acknowledged_by = now, officer.id
                _close(alert, action, officer.id, now)
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action=f"alert.{action}",
                subject_type="alert",
                subject_id=alert.id,
                kind=alert.kind,
            )
            await session.flush()
            await refresh_copies(session, alert, now)
            return ActionResult(alert.id, action, alert.state, language)

    async def open_alerts(self, telegram_user_id: int, limit: int = 10) -> list[AlertCard]:
        """The caller's commune's (a supervisor: province's) open alerts, most urgent first."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            language = await language_of(session, telegram_user_id, self._language)
            query = select(Alert).where(Alert.state.in_(OPEN_STATES))
            if officer.role == "officer":
                query = query.where(
                    Alert.commune_code == officer.commune_code, Alert.officer_id.is_(None)
                )
            else:
                query = query.where(Alert.province_code == officer.province_code)
            alerts = await session.scalars(
                query.order_by(Alert.severity, Alert.opened_at, Alert.id).limit(limit)
            )
            return [await render(session, alert, language, officer, now) for alert in alerts]

    async def tick(self) -> int:
        """Escalate what nobody acknowledged in time, and raise home-not-set; how many."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            done = await escalate_due(session, now, self._settings)
            done += await raise_home_not_set(session, now, self._settings)
            return done


async def escalate_due(session: AsyncSession, now: datetime, settings: AlertSettings) -> int:
    """Send alerts left open past their kind's deadline (and again past the second) upward."""
    candidates = await session.scalars(
        select(Alert)
        .where(Alert.state == OPEN, Alert.escalation_level < 2, Alert.officer_id.is_(None))
        .order_by(Alert.severity, Alert.id)
        .with_for_update(skip_locked=True)
    )
    count = 0
    for alert in list(candidates):
        deadline = timedelta(minutes=settings.deadline_minutes(alert.kind))
        start = alert.deliver_at or alert.opened_at
        level = alert.escalation_level + 1
        due = start + deadline * (1 if level == 1 else settings.second_escalation_factor)
        if due > now:
            continue
        if alert.kind in ESCALATION_HELD_KINDS and quiet_hours_end(now) is not None:
            continue  # the next tick after the quiet hours end escalates it
        alert.escalation_level = level
        alert.escalated_at = now
        alert.updated_at = now
        audit.record(
            session,
            at=now,
            actor=audit.SYSTEM,
            action="alert.escalate",
            subject_type="alert",
            subject_id=alert.id,
            level=level,
        )
        supervisors = await province_supervisors(session, alert.province_code)
        if not supervisors:
            logger.warning("alert %s escalated but the province has no supervisor", alert.id)
        # One card per supervisor per alert: a card from the first level is edited to show
        # the next one; only a supervisor without a card yet gets a new message.
        carded = set()
        for delivery in await _deliveries(session, alert.id):
            if delivery.role == "escalation":
                delivery.level = level
                carded.add(delivery.officer_id)
        fresh = [supervisor for supervisor in supervisors if supervisor.id not in carded]
        await _deliver(session, alert, fresh, now, role="escalation", level=level)
        await refresh_copies(session, alert, now)
        count += 1
    return count


async def raise_home_not_set(session: AsyncSession, now: datetime, settings: AlertSettings) -> int:
    """One alert for each enrolled case whose home is still not anchored after the delay."""
    cutoff = now - timedelta(hours=settings.home_not_set_hours)
    already = select(Alert.id).where(Alert.case_id == Case.id, Alert.kind == HOME_NOT_SET)
    cases = await session.scalars(
        select(Case).where(
            Case.status == "active",
            Case.home_status != "set",
            Case.enrolled_at.is_not(None),
            Case.enrolled_at <= cutoff,
            ~already.exists(),
        )
    )
    count = 0
    for case in list(cases):
        await raise_alert(
            session,
            kind=HOME_NOT_SET,
            commune_code=case.commune_code,
            now=now,
            evidence={"hours": settings.home_not_set_hours},
            case_id=case.id,
        )
        count += 1
    return count


# ---- counts for the digest and the worklist --------------------------------------------------


async def alert_counts(
    session: AsyncSession, commune_codes: list[int], day_start: datetime, day_end: datetime
) -> tuple[dict[str, int], dict[str, int], float | None]:
    """Open alerts by kind, alerts closed in the day by kind, median minutes to acknowledge."""
    open_rows = await session.execute(
        select(Alert.kind, func.count())
        .where(Alert.commune_code.in_(commune_codes), Alert.state.in_(OPEN_STATES))
        .group_by(Alert.kind)
    )
    closed_rows = await session.execute(
        select(Alert.kind, func.count())
        .where(
            Alert.commune_code.in_(commune_codes),
            Alert.state.in_(CLOSED_STATES),
            Alert.closed_at >= day_start,
            Alert.closed_at < day_end,
        )
        .group_by(Alert.kind)
    )
    acked = await session.execute(
        select(Alert.opened_at, Alert.deliver_at, Alert.acknowledged_at).where(
            Alert.commune_code.in_(commune_codes),
            Alert.acknowledged_at >= day_start,
            Alert.acknowledged_at < day_end,
        )
    )
    waits = sorted(
        (ack - (deliver or opened)).total_seconds() / 60
        for opened, deliver, ack in acked.all()
        if ack is not None
    )
    median = None
    if waits:
        middle = len(waits) // 2
        median = waits[middle] if len(waits) % 2 else (waits[middle - 1] + waits[middle]) / 2
    return (
        {kind: count for kind, count in open_rows.all()},
        {kind: count for kind, count in closed_rows.all()},
        median,
    )


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC start and end of a local calendar day."""
    start = datetime.combine(day, time(0), tzinfo=_config.tz)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)
