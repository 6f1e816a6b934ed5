"""What the case service says: notices to people and officers, the home pin, its keyboards.

Messages go into the outbox as Bot API parameters (text, `sendLocation`, reply markup).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.alerts import commune_officers
from bot.catalogue import plain, t
from bot.messaging.outbox import (
    PRIORITY_REPLY,
    callback_button,
    enqueue,
    enqueue_text,
    inline_keyboard,
)
from bot.models import Case
from bot.preferences import language_of


def location_keyboard(language: str) -> dict[str, Any]:
    """A reply keyboard whose one button sends the phone's current location."""
    return {
        "keyboard": [[{"text": plain(language, "home.send_button"), "request_location": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


async def person_location_keyboard(session: AsyncSession, case: Case) -> dict[str, Any]:
    """The location keyboard in the person's language."""
    return location_keyboard(await person_language(session, case))


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
    keyboard: dict[str, Any] | None = None,
    **params: object,
) -> None:
    """A notice to the case's chat, if it has one."""
    if case.chat_id is None:
        return
    language = await person_language(session, case)
    enqueue_text(
        session,
        chat_id=case.chat_id,
        text=t(language, key, **params),
        priority=PRIORITY_REPLY,
        purpose="case_notice",
        now=now,
        reply_markup=keyboard,
        ref_id=case.id,
    )


async def tell_officers(
    session: AsyncSession, case: Case, key: str, now: datetime, **params: object
) -> None:
    """A notice to every officer of the case's commune, each in their language."""
    for officer in await commune_officers(session, case.commune_code):
        language = await language_of(session, officer.telegram_user_id)
        enqueue_text(
            session,
            chat_id=officer.telegram_user_id,
            text=t(language, key, **params),
            priority=PRIORITY_REPLY,
            purpose="case_notice",
            now=now,
            ref_id=case.id,
        )


async def send_home_pin(session: AsyncSession, case: Case, now: datetime) -> None:
    """The proposed home on a map for each commune officer, then accept/reject buttons."""
    home = case.proposed_home or {}
    accuracy = home.get("accuracy_m")
    for officer in await commune_officers(session, case.commune_code):
        language = await language_of(session, officer.telegram_user_id)
        params: dict[str, Any] = {
            "chat_id": officer.telegram_user_id,
            "latitude": home["lat"],
            "longitude": home["lon"],
        }
        if accuracy is not None:
            params["horizontal_accuracy"] = min(float(accuracy), 1500.0)
        enqueue(
            session,
            chat_id=officer.telegram_user_id,
            method="sendLocation",
            params=params,
            priority=PRIORITY_REPLY,
            purpose="home_pin",
            now=now,
            ref_id=case.id,
        )
        enqueue_text(
            session,
            chat_id=officer.telegram_user_id,
            text=_home_check_text(language, case, accuracy),
            priority=PRIORITY_REPLY,
            purpose="home_pin",
            now=now,
            reply_markup=_home_decision_keyboard(language, case.id),
            ref_id=case.id,
        )


def _home_check_text(language: str, case: Case, accuracy: Any) -> str:
    return t(
        language,
        "home.officer_check",
        name=case.full_name,
        code=case.code,
        address=case.address or "—",
        accuracy=plain(language, "home.accuracy", metres=round(accuracy))
        if accuracy is not None
        else plain(language, "home.accuracy_unknown"),
    )


def _home_decision_keyboard(language: str, case_id: int) -> dict[str, Any]:
    return inline_keyboard(
        [
            [
                callback_button(plain(language, "home.accept"), f"hm:y:{case_id}"),
                callback_button(plain(language, "home.reject"), f"hm:n:{case_id}"),
            ]
        ]
    )
