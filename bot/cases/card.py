"""An officer's card of one case (/case): who, the latest answers with the warning signs
marked, the trend of the last days, the last location's verdict, the open alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.actions import Action
from bot.alerts import number
from bot.case_files import display_phone
from bot.cases.values import (
    ACTIVE,
    EXTEND,
    HOME_NOT_SET,
    HOME_PROPOSED,
    HOSPITALIZE,
    PENDING,
    RELEASE,
    TRANSFER,
    CaseView,
    CheckinAnswers,
    OpenAlert,
)
from bot.catalogue import Raw, plain, t
from bot.messaging.message import (
    Text,
)
from bot.text import day_month_year
from bot.triage import BREATHS_HIGH, FEVER_HIGH, PULSE_HIGH, PULSE_LOW, SPO2_LOW

# A lifecycle change in a choice's data: cs:<code>:<case id>[:<days or commune code>].
CHANGE_CODES = {EXTEND: "ext", RELEASE: "rel", HOSPITALIZE: "hos", TRANSFER: "tr"}
CHANGE_CANCEL = Action.CASE_CHANGE.data("no")
IMPORT_OK = Action.IMPORT.data("ok")
IMPORT_NO = Action.IMPORT.data("no")
# What the officer may correct from the /register summary ("source" comes with "kind").
EDITABLE = ("name", "phone", "birth", "address", "kind", "start", "end", "home")
# A choice of the /register conversation: (label, answer); its data is rg:<answer>.
Option = tuple[str, str]


# The readings of a check-in in the order asked, and the warning sign each can be.
_READINGS = ("temperature", "spo2", "breaths", "pulse")
_READING_SIGNS = {
    "temperature": (FEVER_HIGH,),
    "spo2": (SPO2_LOW,),
    "breaths": (BREATHS_HIGH,),
    "pulse": (PULSE_HIGH, PULSE_LOW),
}
_MARK = "⚠️"
# The trend lines of the card: the measures whose drift an officer watches.
_TRENDS = ("spo2", "temperature")


def case_card(language: str, case: CaseView, tz: Any) -> Text:
    """/case: who, the dates, the latest answers and trend, the last location, open alerts."""
    never = plain(language, "cases.never")
    latest = case.recent[-1] if case.recent else None
    unknown = plain(language, "register.unknown")
    text = t(
        language,
        "cases.detail",
        name=case.full_name,
        code=case.code,
        status=plain(language, f"cases.status.{case.status}") + case_flags(language, case),
        kind=plain(language, f"cases.kind.{case.kind}"),
        source=plain(language, "register.source_line", code=case.source_code)
        if case.source_code
        else "",
        phone=display_phone(case.phone) + _channel(language, case.channel),
        birth=case.birth_year or unknown,
        address=case.address or unknown,
        commune=case.commune_name,
        start=day_month_year(case.start_date),
        end=day_month_year(case.end_date),
        day=case.day,
        total=case.total_days,
        home=plain(language, f"cases.home.{case.home_status}"),
        checkin=_when(case.last_checkin_at, tz, never),
        answers=Raw("".join(f"\n{line}" for line in _answer_lines(language, latest))),
        trend=Raw("".join(f"\n{line}" for line in _trend_lines(language, case.recent))),
        location=_location(language, case, tz, never),
        alerts=Raw(_alerts(language, case.open_alerts, tz)),
    )
    return Text(text)


def _channel(language: str, channel: str) -> str:
    """ " · Zalo" after the phone of a person off Telegram; nothing for Telegram."""
    return "" if channel == "telegram" else f" · {plain(language, f'channel.{channel}')}"


def case_flags(language: str, case: CaseView) -> str:
    """What is still missing of a case, as " · ..." after its status (and in /cases)."""
    flags = []
    if case.status == PENDING:
        if case.consent_refused:
            flags.append("cases.flag.refused")
        flags.append("cases.flag.overdue" if case.enrol_overdue else "cases.flag.not_enrolled")
    elif case.status == ACTIVE and case.home_status == HOME_NOT_SET:
        flags.append("cases.flag.home_not_set")
    elif case.status == ACTIVE and case.home_status == HOME_PROPOSED:
        flags.append("cases.flag.home_proposed")
    return "".join(f" · {plain(language, flag)}" for flag in flags)


def _when(moment: datetime | None, tz: Any, never: str) -> str:
    return moment.astimezone(tz).strftime("%H:%M %d/%m") if moment else never


def _answer_lines(language: str, answers: CheckinAnswers | None) -> list[str]:
    """How they felt and which symptoms; the readings; warning signs marked ⚠️."""
    if answers is None:
        return []
    signs = set(answers.danger_signs)
    feeling = plain(language, f"checkin.feel.{answers.feeling}") if answers.feeling else ""
    symptoms = [
        (f"{_MARK} " if symptom in signs else "") + plain(language, f"checkin.symptom.{symptom}")
        for symptom in answers.symptoms
    ]
    said = t(
        language,
        "cases.card.symptoms",
        feeling=feeling or "–",
        symptoms=", ".join(symptoms) or plain(language, "cases.card.no_symptoms"),
    )
    readings = []
    for name in _READINGS:
        value = answers.spo2 if name == "spo2" else answers.vitals.get(name)
        if value is None:
            continue
        first = answers.vitals.get("spo2") if name == "spo2" else None
        if first is not None and answers.vitals.get("spo2_again") is not None:
            # The first reading was low and measured again: both are shown.
            shown = t(
                language,
                "alert.vital.spo2_again",
                first=number(language, first),
                value=number(language, value),
            )
        else:
            shown = t(language, f"alert.vital.{name}", value=number(language, value))
        marked = any(sign in signs for sign in _READING_SIGNS[name])
        readings.append(f"{shown} {_MARK}" if marked else shown)
    return [said, " · ".join(readings)] if readings else [said]


def _trend_lines(language: str, recent: Sequence[CheckinAnswers]) -> list[str]:
    """One line per watched measure over the recent check-ins: "SpO2 98 → 97 → 95"."""
    lines = []
    for name in _TRENDS:
        values = [a.spo2 if name == "spo2" else a.vitals.get(name) for a in recent]
        shown = [number(language, v) for v in values if v is not None]
        if len(shown) >= 2:
            lines.append(t(language, f"cases.card.trend.{name}", values=" → ".join(shown)))
    return lines


def _location(language: str, case: CaseView, tz: Any, never: str) -> str:
    """The last location's verdict, how far from home, how sure, and when."""
    if case.last_location_at is None:
        # On SMS a location comes only through the link: say that the zone is not checked.
        return plain(language, "cases.no_geofence") if case.channel == "sms" else never
    verdict = plain(language, f"cases.verdict.{case.last_verdict or 'none'}")
    when = _when(case.last_location_at, tz, never)
    if case.last_distance_m is None:
        return plain(language, "cases.location_line", verdict=verdict, when=when)
    metres = round(case.last_distance_m)
    if case.last_accuracy_m is None:
        return plain(language, "cases.location_distance", verdict=verdict, metres=metres, when=when)
    accuracy = round(case.last_accuracy_m)
    return plain(
        language,
        "cases.location_accuracy",
        verdict=verdict,
        metres=metres,
        accuracy=accuracy,
        when=when,
    )


def _alerts(language: str, alerts: Sequence[OpenAlert], tz: Any) -> str:
    """The open alerts, one line each, most urgent first ("none" when there are none)."""
    if not alerts:
        return t(language, "cases.card.no_alerts")
    return str(len(alerts)) + "".join(
        "\n"
        + t(
            language,
            "cases.card.alert",
            kind=Raw(t(language, f"alert.kind.{alert.kind}")),
            state=plain(language, f"cases.card.alert_state.{alert.state}"),
            time=_when(alert.opened_at, tz, ""),
        )
        for alert in alerts
    )
