"""How reports look: the officers' card, its menus, photo and pin, the list, and the citizen's
steps of /report. All channel-free content (`bot.messaging.message`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import tzinfo

from bot.actions import Action
from bot.areas import CommuneView
from bot.catalogue import Raw, plain, t
from bot.messaging.message import (
    Button,
    Buttons,
    Choice,
    Document,
    LocationRequest,
    Picture,
    Pin,
    Text,
    one_per_row,
    rows,
)
from bot.reports.values import (
    ABUSE,
    CONFIRMED,
    NOTHING_FOUND,
    AttachmentKind,
    Draft,
    Receipt,
    ReportCard,
    ReportState,
)

# The outcome a card's outcome choice carries in its data.
OUTCOME_CODES = {"c": CONFIRMED, "n": NOTHING_FOUND, "a": ABUSE}
# The citizen's choices: start (under the /start welcome), send, cancel, pick a commune.
START_REPORT = Action.CITIZEN_REPORT.data("new")
SEND = Action.CITIZEN_REPORT.data("send")
CANCEL = Action.CITIZEN_REPORT.data("x")
COMMUNE = Action.CITIZEN_REPORT.data("c", "")
# How many open reports the list offers as choices (the list itself shows them all).
SHOWN_CHOICES = 20
EXCERPT = 80


# ---- the officers' card ---------------------------------------------------------------------


def render_card(language: str, card: ReportCard, tz: tzinfo) -> Text:
    """The officer's card and its main choices (none once the report is closed)."""
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
    choices = () if card.state == ReportState.CLOSED else main_keyboard(language, card)
    return Text(Raw("\n".join(lines)), choices)


def card_menu(language: str, card: ReportCard, tz: tzinfo, menu: str) -> Text:
    """The card with one of its menus: "r" the outcomes, "b" abuse's second tap, "k" main."""
    choices = {"r": outcome_keyboard, "b": abuse_keyboard, "k": main_keyboard}[menu]
    return replace(render_card(language, card, tz), buttons=choices(language, card))


def passed_on_text(language: str, card: ReportCard) -> Text:
    """What a card says in the commune the report was handed away from (no choices left)."""
    return Text(
        t(language, "report.card.passed_on", reference=card.reference, commune=card.commune_name)
    )


def main_keyboard(language: str, card: ReportCard) -> Buttons:
    """Acknowledge, resolve (with an outcome) and mark as abuse."""
    rid = card.id
    first: list[Button] = [
        Choice(plain(language, "report.button.resolve"), Action.REPORT.data("r", rid))
    ]
    if card.state == ReportState.OPEN:
        acknowledge = plain(language, "report.button.acknowledge")
        first.insert(0, Choice(acknowledge, Action.REPORT.data("a", rid)))
    return rows(
        first, [Choice(plain(language, "report.button.abuse"), Action.REPORT.data("b", rid))]
    )


def outcome_keyboard(language: str, card: ReportCard) -> Buttons:
    """The outcomes an officer can pick, and a way back."""
    rid = card.id
    return one_per_row(
        [
            Choice(plain(language, "report.button.confirmed"), Action.REPORT.data("o", rid, "c")),
            Choice(
                plain(language, "report.button.nothing_found"), Action.REPORT.data("o", rid, "n")
            ),
            Choice(plain(language, "report.button.not_ours"), Action.REPORT.data("x", rid)),
            Choice(plain(language, "report.button.back"), Action.REPORT.data("k", rid)),
        ]
    )


def abuse_keyboard(language: str, card: ReportCard) -> Buttons:
    """A second tap to mark a report as abuse: it limits its reporter."""
    rid = card.id
    return one_per_row(
        [
            Choice(plain(language, "report.button.abuse_yes"), Action.REPORT.data("o", rid, "a")),
            Choice(plain(language, "report.button.back"), Action.REPORT.data("k", rid)),
        ]
    )


def photo_message(language: str, card: ReportCard) -> Picture | Document | None:
    """The report's photo (or image file), a file the channel already holds; None without."""
    if not card.photo_file_id:
        return None
    caption = t(language, "report.photo_caption", reference=card.reference)
    if card.photo_kind == AttachmentKind.PHOTO:
        return Picture(caption, channel_file_id=card.photo_file_id)
    return Document("", caption, channel_file_id=card.photo_file_id)


def pin_message(card: ReportCard) -> Pin | None:
    """Where the report is about, on a map; None without a location."""
    if card.location is None:
        return None
    lat, lon = card.location
    return Pin(lat, lon)


def report_list(language: str, area: str, cards: Sequence[ReportCard], tz: tzinfo) -> Text:
    """/reports: the open reports, oldest first, each with a choice to show its card."""
    if not cards:
        return Text(t(language, "report.list_empty", area=area))
    lines = [t(language, "report.list_header", area=area, count=len(cards))]
    for card in cards:
        excerpt = card.text if len(card.text) <= EXCERPT else card.text[: EXCERPT - 1] + "…"
        times = t(language, "report.list_times", count=card.times_reported)
        lines.append(
            t(
                language,
                "report.list_item",
                reference=card.reference,
                time=card.created_at.astimezone(tz).strftime("%H:%M %d/%m"),
                state=plain(language, f"report.state.{card.state}"),
                times=times if card.times_reported > 1 else "",
                excerpt=excerpt,
            )
        )
    choices: list[Button] = [
        Choice(
            plain(language, "report.button.show", reference=card.reference),
            Action.REPORT.data("s", card.id),
        )
        for card in cards[:SHOWN_CHOICES]
    ]
    return Text(Raw("\n".join(lines)), one_per_row(choices))


def reroute_choices(language: str, card: ReportCard, communes: Sequence[CommuneView]) -> Text:
    """The communes an officer may pass the report on to."""
    return Text(
        t(language, "report.reroute_choices", reference=card.reference),
        one_per_row([Choice(c.name, Action.REPORT.data("t", card.id, c.code)) for c in communes]),
    )


def rerouted(language: str, card: ReportCard) -> Text:
    """What the pressed choice's message says once the report is passed on (choices gone)."""
    return Text(t(language, "report.rerouted", reference=card.reference, commune=card.commune_name))


# ---- the citizen's /report ------------------------------------------------------------------


def start_choice(language: str) -> Choice:
    """The choice under the /start welcome that opens /report."""
    return Choice(plain(language, "report.start_button"), START_REPORT)


def ask_photo(language: str, max_mb: int) -> Text:
    """The photo step: send one, or skip it with one tap."""
    skip = plain(language, "report.skip")
    return Text(t(language, "report.ask_photo", mb=max_mb, skip=skip), answers=(skip,))


def ask_text(language: str, min_length: int, max_length: int) -> Text:
    """The first step: what happened (a one-tap keyboard left from before goes away)."""
    return Text(t(language, "report.ask_text", min=min_length, max=max_length), close_request=True)


def ask_location(language: str) -> Text:
    """Where it happens: the current location in one tap, or skip."""
    skip = plain(language, "report.skip")
    share = plain(language, "report.send_location")
    text = t(language, "report.ask_location", button=share, skip=skip)
    return Text(text, location_request=LocationRequest(share, (skip,)))


def ask_commune(language: str, outside_boundaries: bool) -> Text:
    """No commune from the location: ask for its name (the location keyboard goes away)."""
    key = "report.ask_commune_outside" if outside_boundaries else "report.ask_commune"
    return Text(t(language, key), close_request=True)


def commune_choices(language: str, communes: Sequence[CommuneView]) -> Text:
    """The served communes matching what the reporter typed."""
    return Text(
        t(language, "report.commune_choices"),
        one_per_row([Choice(c.name, Action.CITIZEN_REPORT.data("c", c.code)) for c in communes]),
    )


def summary(language: str, draft: Draft) -> Text:
    """The report to confirm: send or cancel."""
    yes, no = plain(language, "report.yes"), plain(language, "report.no")
    text = t(
        language,
        "report.summary",
        text=draft.text,
        photo=yes if draft.has_photo else no,
        location=yes if draft.has_location else no,
        commune=draft.commune_name or "",
    )
    send = Choice(plain(language, "report.button.send"), SEND)
    cancel = Choice(plain(language, "report.button.cancel"), CANCEL)
    return Text(text, rows([send, cancel]))


def receipt(language: str, receipt: Receipt) -> Text:
    """The report is in: its reference (the one-tap keyboard goes away)."""
    key = "report.receipt_merged" if receipt.merged else "report.receipt"
    text = t(language, key, reference=receipt.reference, commune=receipt.commune_name)
    return Text(text, close_request=True)


def cancelled(language: str) -> Text:
    """The report was cancelled (the one-tap keyboard goes away)."""
    return Text(t(language, "dialogue.cancelled"), close_request=True)
