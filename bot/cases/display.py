"""What the case service says: notices, the home pin, the questions and their choices.

Everything here is channel-free content (`bot.messaging.message`): the seams queue it in
the outbox, the handlers hand it to their reply helper. Choices carry `bot.actions.Action`
data that comes back to the handler of that action and is checked again by the service.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import qrcode
from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import Action
from bot.alerts import commune_officers
from bot.case_files import KINDS, write_csv
from bot.cases.values import (
    ACTIVE,
    EXTEND,
    HOME_SET,
    HOSPITALIZE,
    RELEASE,
    TRANSFER,
    CaseHistory,
    ChangePreview,
    Invitation,
    IssuedLink,
    PersonStatus,
)
from bot.catalogue import for_channel, plain, t
from bot.messaging.message import (
    Buttons,
    Choice,
    Content,
    Document,
    LocationRequest,
    Picture,
    Pin,
    Text,
    rows,
)
from bot.messaging.outbox import PRIORITY_REPLY, enqueue
from bot.models import Case
from bot.preferences import language_of
from bot.text import day_month_year

# A lifecycle change in a choice's data: cs:<code>:<case id>[:<days or commune code>].
CHANGE_CODES = {EXTEND: "ext", RELEASE: "rel", HOSPITALIZE: "hos", TRANSFER: "tr"}
CHANGE_CANCEL = Action.CASE_CHANGE.data("no")
IMPORT_OK = Action.IMPORT.data("ok")
IMPORT_NO = Action.IMPORT.data("no")
# What the officer may correct from the /register summary ("source" comes with "kind").
EDITABLE = ("name", "phone", "birth", "address", "kind", "start", "end", "home")
# A choice of the /register conversation: (label, answer); its data is rg:<answer>.
Option = tuple[str, str]


# ---- to the person and the officers, through the outbox ------------------------------------


def location_keyboard(language: str) -> LocationRequest:
    """One big button that sends the phone's current location."""
    return LocationRequest(plain(language, "home.send_button"))


async def person_language(session: AsyncSession, case: Case) -> str:
    """The language the person chose, else the case's."""
    if case.telegram_user_id is None:
        return case.language
    return await language_of(session, case.telegram_user_id, case.language)


async def tell_person(
    session: AsyncSession,
    case: Case,
    key: str,
    now: datetime,
    *,
    ask_location: bool = False,
    **params: object,
) -> None:
    """A notice to the case's chat, if it has one (with the location button if asked)."""
    if case.chat_id is None:
        return
    language = await person_language(session, case)
    enqueue(
        session,
        chat_id=case.chat_id,
        province=case.province_code,
        content=Text(
            t(language, for_channel(key, case.channel), **params),
            location_request=location_keyboard(language) if ask_location else None,
        ),
        priority=PRIORITY_REPLY,
        purpose="case_notice",
        now=now,
        ref_id=case.id,
    )


async def tell_officers(
    session: AsyncSession, case: Case, key: str, now: datetime, **params: object
) -> None:
    """A notice to every officer of the case's commune, each in their language."""
    for officer in await commune_officers(session, case.commune_code):
        language = await language_of(session, officer.telegram_user_id)
        enqueue(
            session,
            chat_id=officer.telegram_user_id,
            province=officer.province_code,
            content=Text(t(language, key, **params)),
            priority=PRIORITY_REPLY,
            purpose="officer_notice",
            now=now,
            ref_id=case.id,
        )


async def send_home_pin(session: AsyncSession, case: Case, now: datetime) -> None:
    """The proposed home on a map for each commune officer, then accept/reject choices."""
    home = case.proposed_home or {}
    accuracy = home.get("accuracy_m")
    pin = Pin(home["lat"], home["lon"], float(accuracy) if accuracy is not None else None)
    for officer in await commune_officers(session, case.commune_code):
        language = await language_of(session, officer.telegram_user_id)
        for content in (pin, _home_check(language, case, accuracy)):
            enqueue(
                session,
                chat_id=officer.telegram_user_id,
                province=officer.province_code,
                content=content,
                priority=PRIORITY_REPLY,
                purpose="home_pin",
                now=now,
                ref_id=case.id,
            )


def _home_check(language: str, case: Case, accuracy: Any) -> Text:
    text = t(
        language,
        "home.officer_check",
        name=case.full_name,
        code=case.code,
        address=case.address or "—",
        accuracy=plain(language, "home.accuracy", metres=round(accuracy))
        if accuracy is not None
        else plain(language, "home.accuracy_unknown"),
    )
    choices = (
        Choice(plain(language, "home.accept"), Action.HOME.data("y", case.id)),
        Choice(plain(language, "home.reject"), Action.HOME.data("n", case.id)),
    )
    return Text(text, rows(choices))


# ---- enrolment and home, as replies -------------------------------------------------------


def ask_home(language: str, key: str = "enrol.ask_home", **params: object) -> Text:
    """A text with the one-tap button that sends the phone's location."""
    return ask_home_on("telegram", language, key, **params)


def ask_home_on(channel: str, language: str, key: str = "enrol.ask_home", **params: object) -> Text:
    """The same, worded as the person's channel shares a location (Zalo has no button)."""
    text = t(language, for_channel(key, channel), **params)
    return Text(text, location_request=location_keyboard(language))


def home_sent(language: str) -> Text:
    """The home pin is on its way to the officers: the location button goes away."""
    return Text(t(language, "home.sent"), close_request=True)


def consent_choices(language: str, case_id: int) -> Buttons:
    """I agree / I do not agree, in the person's language."""
    return rows(
        (
            Choice(plain(language, "enrol.agree"), Action.CONSENT.data("y", case_id)),
            Choice(plain(language, "enrol.refuse"), Action.CONSENT.data("n", case_id)),
        )
    )


def consent_notice(language: str, invitation: Invitation, lead: str = "") -> Text:
    """The privacy notice with its consent choices (after `lead`, a text, if given)."""
    notice = t(
        language,
        "enrol.notice",
        name=invitation.full_name,
        commune=invitation.commune_name,
        end=invitation.end_date.strftime("%d/%m/%Y"),
    )
    text = f"{lead}\n\n{notice}" if lead else notice
    return Text(text, consent_choices(language, invitation.case_id))


def consent_reminder(language: str, case_id: int) -> Text:
    """Something typed while the consent question is open: use the choices."""
    text = t(
        language,
        "enrol.use_buttons",
        agree=plain(language, "enrol.agree"),
        refuse=plain(language, "enrol.refuse"),
    )
    return Text(text, consent_choices(language, case_id))


def status_text(language: str, statuses: Sequence[PersonStatus], tz: Any) -> str:
    """/status: one paragraph per case bound to the chat."""
    parts = []
    for item in statuses:
        if item.status != ACTIVE:
            parts.append(t(language, "status.hospitalized", name=item.full_name))
            continue
        upcoming = (
            item.next_checkin.astimezone(tz).strftime("%H:%M %d/%m")
            if item.next_checkin
            else plain(language, "status.next_unknown")
        )
        text = t(
            language,
            "status.line",
            name=item.full_name,
            day=item.day,
            total=item.total_days,
            end=item.end_date.strftime("%d/%m/%Y"),
            next=upcoming,
        )
        if item.home_status != HOME_SET:
            text += "\n" + t(language, "status.home_not_set")
        parts.append(text)
    return "\n\n".join(parts)


# ---- to officers, as replies ---------------------------------------------------------------


def change_confirmation(language: str, preview: ChangePreview) -> Text:
    """A checked lifecycle change and yes/no choices to confirm it."""
    case = preview.case
    text = t(
        language,
        f"cases.confirm.{preview.action}",
        name=case.full_name,
        code=case.code,
        days=preview.days or "",
        end=day_month_year(preview.new_end_date) if preview.new_end_date else "",
        commune=preview.target.name if preview.target else "",
    )
    choices = (
        Choice(plain(language, "cases.yes"), _change_data(preview)),
        Choice(plain(language, "cases.no"), CHANGE_CANCEL),
    )
    return Text(text, rows(choices))


def _change_data(preview: ChangePreview) -> str:
    parts: list[object] = [CHANGE_CODES[preview.action], preview.case.id]
    if preview.action == EXTEND:
        parts.append(preview.days)
    elif preview.action == TRANSFER:
        assert preview.target is not None
        parts.append(preview.target.code)
    return Action.CASE_CHANGE.data(*parts)


def import_confirmation(language: str, valid: int) -> Text:
    """Some rows are bad: import the good ones, or not?"""
    choices = (
        Choice(plain(language, "import.button_ok", valid=valid), IMPORT_OK),
        Choice(plain(language, "import.button_no"), IMPORT_NO),
    )
    return Text(t(language, "import.confirm", valid=valid), rows(choices))


def links_file(links: Sequence[IssuedLink], tz: Any) -> bytes:
    """A CSV of enrolment links, one per case, for the officer to send out."""
    headers = ["Mã ca", "Họ và tên", "Số điện thoại", "Đường dẫn", "Hết hạn"]
    table = [
        [
            link.case.code,
            link.case.full_name,
            link.case.phone_display,
            link.link or plain("vi", "channel.sent_by_sms"),
            link.expires_at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
        ]
        for link in links
    ]
    return write_csv(headers, table)


def links_document(language: str, links: Sequence[IssuedLink], tz: Any) -> Document:
    """The imported cases' links as a CSV file."""
    return Document(
        "cachly-links.csv",
        t(language, "import.links_caption", count=len(links)),
        links_file(links, tz),
    )


def link_messages(language: str, issued: IssuedLink, key: str, tz: Any) -> list[Content]:
    """A new link as text, as a message to forward, then as a QR code to show or print."""
    expires = issued.expires_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
    case = issued.case
    if not issued.link:
        # A person on SMS has been asked by SMS already: nothing to hand over.
        sent = t(language, "channel.invited_by_sms", name=case.full_name, code=case.code)
        return [Text(f"{sent}\n{t(language, 'channel.next.sms', phone=case.phone_display)}")]
    return [
        Text(
            t(language, key, name=case.full_name, code=case.code, link=issued.link, expires=expires)
        ),
        Text(t(language, "register.forward", link=issued.link)),
        Picture(
            t(language, "register.qr_caption", name=case.full_name, code=case.code),
            qr_png(issued.link),
            filename="cachly-qr.png",
        ),
    ]


def qr_png(link: str) -> bytes:
    """A QR code of the link as a PNG image, big enough to scan from a printed page."""
    image = qrcode.make(link, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def history_reply(language: str, history: CaseHistory) -> Content:
    """/case CODE khaibao: the XLSX alone (a phone opens it; a CSV would add nothing)."""
    files, name, code = history.files, history.name, history.code
    if not files.rows:
        return Text(t(language, "cases.history_empty", name=name, code=code))
    caption = t(language, "cases.history_caption", name=name, code=code, count=files.rows)
    return Document(f"{files.basename}.xlsx", caption, files.xlsx)


def registration_options(
    language: str, step: str, data: dict[str, Any], default_days: int
) -> list[list[Option]]:
    """The choices of a /register step, in rows: what is shown, what a typed label means."""

    def option(label_key: str, value: str, **params: object) -> Option:
        return plain(language, label_key, **params), value

    if step in ("birth", "source"):
        return [[option("register.skip", "skip")]]
    if step == "kind":
        return [[option(f"cases.kind.{kind}", f"kind:{kind}")] for kind in KINDS]
    if step == "start" and not data.get("start_typed"):
        return [
            [
                option("register.today", "start:today"),
                option("register.tomorrow", "start:tomorrow"),
                option("register.other_date", "start:other"),
            ]
        ]
    if step == "end":
        return [[option("register.default_days", "end:default", days=default_days)]]
    if step == "home":
        return [[option("register.home_later_button", "home:later")]]
    if step == "edit":
        fields = [option(f"register.field.{field}", f"edit:{field}") for field in EDITABLE]
        return [fields[i : i + 2] for i in range(0, len(fields), 2)] + [
            [option("register.back", "back")]
        ]
    if step == "confirm":
        return [
            [option("register.confirm", "ok")],
            [option("register.edit", "edit"), option("register.cancel", "cancel")],
        ]
    return []


def registration_question(text: str, options: list[list[Option]]) -> Text:
    """A /register question with its choices."""
    return Text(
        text,
        tuple(
            tuple(Choice(label, Action.REGISTRATION.data(value)) for label, value in row)
            for row in options
        ),
    )


def home_pin(point: Sequence[float]) -> Pin:
    """A home typed as coordinates, on a map for the officer to check."""
    return Pin(point[0], point[1])
