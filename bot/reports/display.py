"""How a report looks to officers: the card's text, its keyboards and the photo and pin.

Still the Bot API's dicts (`inline_keyboard`, `sendPhoto` parameters) for now.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from bot.catalogue import Raw, plain, t
from bot.messaging.outbox import callback_button, inline_keyboard
from bot.reports.values import (
    ABUSE,
    CALLBACK_PREFIX,
    CONFIRMED,
    NOTHING_FOUND,
    AttachmentKind,
    ReportCard,
    ReportState,
)

# The outcome a card's outcome button carries in its callback data.
OUTCOME_CODES = {"c": CONFIRMED, "n": NOTHING_FOUND, "a": ABUSE}


def render_card(language: str, card: ReportCard, tz: tzinfo) -> tuple[str, dict[str, Any] | None]:
    """The officer's card text and its buttons (none once the report is closed)."""
    local = card.created_at.astimezone(tz)
    lines = [
        t(language, "report.card.header", reference=card.reference),
        t(
            language,
            "report.card.place",
            commune=card.commune_name,
            time=local.strftime("%H:%M %d/%m/%Y"),
        ),
        t(language, "report.card.text", text=card.text),
    ]
    if card.photo_file_id:
        lines.append(t(language, "report.card.photo"))
    lines.append(t(language, "report.card.pin" if card.location else "report.card.no_pin"))
    if card.times_reported > 1:
        lines.append(t(language, "report.card.times", count=card.times_reported))
    if card.matched_cases:
        lines.append(t(language, "report.card.cases", codes=", ".join(card.matched_cases)))
    if card.state == ReportState.CLOSED:
        outcome = plain(language, f"report.outcome.{card.outcome}")
        lines.append(t(language, "report.card.closed", outcome=outcome, name=card.handled_by or ""))
    elif card.state == ReportState.ACKNOWLEDGED:
        lines.append(t(language, "report.card.acknowledged", name=card.handled_by or ""))
    else:
        lines.append(t(language, "report.card.open"))
    text = Raw("\n".join(lines))
    return text, None if card.state == ReportState.CLOSED else main_keyboard(language, card)


def passed_on_text(language: str, card: ReportCard) -> str:
    """What a card says in the commune the report was handed away from."""
    return t(language, "report.card.passed_on", reference=card.reference, commune=card.commune_name)


def main_keyboard(language: str, card: ReportCard) -> dict[str, Any]:
    """Acknowledge, resolve (with an outcome) and mark as abuse."""
    rid = card.id
    first = [callback_button(plain(language, "report.button.resolve"), f"{CALLBACK_PREFIX}r:{rid}")]
    if card.state == ReportState.OPEN:
        first.insert(
            0,
            callback_button(
                plain(language, "report.button.acknowledge"), f"{CALLBACK_PREFIX}a:{rid}"
            ),
        )
    return inline_keyboard(
        [
            first,
            [callback_button(plain(language, "report.button.abuse"), f"{CALLBACK_PREFIX}b:{rid}")],
        ]
    )


def outcome_keyboard(language: str, card: ReportCard) -> dict[str, Any]:
    """The outcomes an officer can pick, and a way back."""
    rid = card.id
    return inline_keyboard(
        [
            [
                callback_button(
                    plain(language, "report.button.confirmed"), f"{CALLBACK_PREFIX}o:{rid}:c"
                )
            ],
            [
                callback_button(
                    plain(language, "report.button.nothing_found"), f"{CALLBACK_PREFIX}o:{rid}:n"
                )
            ],
            [
                callback_button(
                    plain(language, "report.button.not_ours"), f"{CALLBACK_PREFIX}x:{rid}"
                )
            ],
            [callback_button(plain(language, "report.button.back"), f"{CALLBACK_PREFIX}k:{rid}")],
        ]
    )


def abuse_keyboard(language: str, card: ReportCard) -> dict[str, Any]:
    """A second tap to mark a report as abuse: it limits its reporter."""
    rid = card.id
    return inline_keyboard(
        [
            [
                callback_button(
                    plain(language, "report.button.abuse_yes"), f"{CALLBACK_PREFIX}o:{rid}:a"
                )
            ],
            [callback_button(plain(language, "report.button.back"), f"{CALLBACK_PREFIX}k:{rid}")],
        ]
    )


def photo_message(language: str, card: ReportCard, chat_id: int) -> tuple[str, dict[str, Any]]:
    """The Bot API method and parameters that show the report's photo (or image file)."""
    method, key = (
        ("sendPhoto", "photo")
        if card.photo_kind == AttachmentKind.PHOTO
        else ("sendDocument", "document")
    )
    params = {
        "chat_id": chat_id,
        key: card.photo_file_id,
        "caption": t(language, "report.photo_caption", reference=card.reference),
        "parse_mode": "HTML",
    }
    return method, params


def pin_message(location: tuple[float, float], chat_id: int) -> dict[str, Any]:
    """The `sendLocation` parameters that show where the report is about."""
    lat, lon = location
    return {"chat_id": chat_id, "latitude": lat, "longitude": lon}


def card_edit(chat_id: int, text: str, keyboard: dict[str, Any] | None) -> dict[str, Any]:
    """The `editMessageText` parameters that redraw an officer's copy of the card."""
    params: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
    if keyboard is not None:
        params["reply_markup"] = keyboard
    return params
