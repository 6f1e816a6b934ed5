"""Enrolment: one-time links, and the person's consent that binds their chat to the case."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.alerts import CONSENT_REFUSED, AlertConfig, raise_alert
from bot.areas import commune_view
from bot.cases.base import CaseSeam
from bot.cases.display import consent_notice, tell_officers
from bot.cases.home import ask_for_home
from bot.cases.queries import visible_case
from bot.cases.values import (
    ACTIVE,
    ENROL_FLOW,
    ENROL_PREFIX,
    PENDING,
    ConsentPending,
    Enrolled,
    Invitation,
    IssuedLink,
)
from bot.channels import Channel, contact_chat_id
from bot.dialogues import DialogueState, current_dialogue, end_dialogue, save_dialogue
from bot.errors import UserError
from bot.messaging.contacts import contact_at, contact_of_chat
from bot.messaging.outbox import PRIORITY_REPLY, enqueue
from bot.models import Case
from bot.officers import require_officer
from bot.routing import routing_of
from bot.tokens import deep_link, hash_code, new_code, zalo_follow_link


async def enrolment_link(
    session: AsyncSession,
    case: Case,
    code: str,
    bot_username: str,
    now: datetime,
    *,
    zalo_oa_id: str = "",
) -> str:
    """What enrols the person on their channel: a link to hand over (the OA's for a person
    on Zalo), or, for a person on SMS, nothing: the consent question goes to their phone at
    once ("")."""
    if case.channel == Channel.SMS:
        await _invite_by_sms(session, case, code, now)
        return ""
    if case.channel == Channel.ZALO and zalo_oa_id:
        return zalo_follow_link(zalo_oa_id, code)
    return deep_link(bot_username, code)


async def _invite_by_sms(session: AsyncSession, case: Case, code: str, now: datetime) -> None:
    """The person's phone is asked for consent; their reply binds the case to it."""
    contact = await contact_at(
        session, Channel.SMS, case.phone, now, phone=case.phone, language=case.language
    )
    chat = contact_chat_id(Channel.SMS, contact.id)
    await _ask_consent(session, chat, chat, case, hash_code(code), case.language, now)
    notice = consent_notice(case.language, await _invitation(session, case))
    enqueue(
        session,
        chat_id=chat,
        province=case.province_code,
        priority=PRIORITY_REPLY,
        purpose="invitation",
        now=now,
        content=notice,
    )


def new_enrolment_code(case: Case, now: datetime, ttl: timedelta) -> str:
    """A fresh link code for the case; only its hash is kept, so the old link stops working."""
    code = new_code(ENROL_PREFIX)
    case.enrolment_code_hash = hash_code(code)
    case.enrolment_expires_at = now + ttl
    return code


class Enrolment(CaseSeam):
    """Links officers hand out and the consent people give through them."""

    async def new_link(self, telegram_user_id: int, code: str, bot_username: str) -> IssuedLink:
        """Issue a fresh enrolment link for a case not yet enrolled; the old one stops working."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await visible_case(session, officer, code)
            if case.status != PENDING:
                raise UserError("cases.already_enrolled", code=case.code)
            secret = new_enrolment_code(case, now, self._ttl())
            case.enrol_overdue_at = None
            case.updated_at = now
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="case.link",
                subject_type="case",
                subject_id=case.id,
            )
            return IssuedLink(
                await self._view(session, case),
                await enrolment_link(
                    session, case, secret, bot_username, now, zalo_oa_id=self._settings.zalo.oa_id
                ),
                case.enrolment_expires_at or now,
                case.channel,
            )

    async def open_link(
        self, code: str, telegram_user_id: int, chat_id: int, language: str | None = None
    ) -> Invitation:
        """A person opened their link: remember which case they must consent to.

        `language` is the one the notice is shown in, so a later change can show it again.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            case = await _case_by_link(session, hash_code(code), now)
            await _ask_consent(
                session, telegram_user_id, chat_id, case, hash_code(code), language, now
            )
            audit.record(
                session,
                at=now,
                actor=f"person:{telegram_user_id}",
                action="case.link_opened",
                subject_type="case",
                subject_id=case.id,
            )
            return await _invitation(session, case)

    async def pending_consent(
        self, telegram_user_id: int, chat_id: int, language: str
    ) -> ConsentPending | None:
        """The case this person was asked to agree to and has not (unanswered or refused).

        When its link still works the consent question is opened again (in `language`), so
        the buttons shown with the notice work; otherwise they need a new link.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            state = await current_dialogue(session, telegram_user_id, now)
            case: Case | None = None
            if state is not None and state.flow == ENROL_FLOW and state.chat_id == chat_id:
                case = await session.get(Case, int(state.data.get("case_id", 0)))
            if case is None or case.status != PENDING:
                case = await _last_refused(session, telegram_user_id)
            if case is None:
                return None
            link = case.enrolment_code_hash
            can_agree = (
                link is not None
                and case.enrolment_expires_at is not None
                and case.enrolment_expires_at > now
            )
            if can_agree and link is not None:
                await _ask_consent(session, telegram_user_id, chat_id, case, link, language, now)
            return ConsentPending(await _invitation(session, case), can_agree)

    async def answer_consent(
        self, telegram_user_id: int, chat_id: int, case_id: int, agree: bool, language: str
    ) -> Enrolled:
        """Consent binds the chat to the case; refusal binds nothing and tells the officers."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            state = await current_dialogue(session, telegram_user_id, now)
            if (
                state is None
                or state.flow != ENROL_FLOW
                or state.data.get("case_id") != case_id
                or state.chat_id != chat_id
            ):
                raise UserError("enrol.invalid")
            case = await _case_by_link(session, str(state.data.get("link")), now)
            if not agree:
                await _refuse(self._alerts, session, case, telegram_user_id, now)
                return Enrolled(case.full_name, case.code, False, False, case.end_date)
            home_needed = await _consent(session, case, telegram_user_id, chat_id, language, now)
            return Enrolled(case.full_name, case.code, True, home_needed, case.end_date)


async def _refuse(
    config: AlertConfig, session: AsyncSession, case: Case, telegram_user_id: int, now: datetime
) -> None:
    """Record the refusal and raise the officers' alert."""
    case.consent_refused_at = now
    # Who refused, so /status can tell them how to agree later; the chat stays
    # unbound (chat_id), so nothing is asked of them and no check-in starts.
    case.telegram_user_id = telegram_user_id
    case.updated_at = now
    await end_dialogue(session, telegram_user_id)
    audit.record(
        session,
        at=now,
        actor=f"person:{telegram_user_id}",
        action="case.consent_refused",
        subject_type="case",
        subject_id=case.id,
    )
    await raise_alert(
        config,
        session,
        kind=CONSENT_REFUSED,
        commune_code=case.commune_code,
        now=now,
        evidence={"case": case.code},
        case_id=case.id,
    )


async def _consent(
    session: AsyncSession,
    case: Case,
    telegram_user_id: int,
    chat_id: int,
    language: str,
    now: datetime,
) -> bool:
    """Bind the chat and start the case; returns whether the home must still be pinned."""
    case.chat_id = chat_id
    case.telegram_user_id = telegram_user_id
    case.consent_at = now
    case.consent_refused_at = None
    # A case moving channel consents again; it was enrolled when it first consented.
    case.enrolled_at = case.enrolled_at or now
    case.status = ACTIVE
    case.language = language
    # Single use: the hash goes, so the link opens nothing any more.
    case.enrolment_code_hash = None
    case.enrolment_expires_at = None
    case.updated_at = now
    contact = await contact_of_chat(session, chat_id)
    if contact is not None and contact.phone is None:
        # The registered phone is how Zalo reaches them out of its window (a ZNS template).
        contact.phone = case.phone
    audit.record(
        session,
        at=now,
        actor=f"person:{telegram_user_id}",
        action="case.consent",
        subject_type="case",
        subject_id=case.id,
    )
    home_needed = case.zone is None
    if home_needed:
        await ask_for_home(session, telegram_user_id, chat_id, now)
    else:
        await end_dialogue(session, telegram_user_id)
    await tell_officers(
        session, case, "cases.notice.enrolled", now, name=case.full_name, code=case.code
    )
    return home_needed


async def _invitation(session: AsyncSession, case: Case) -> Invitation:
    commune = await commune_view(session, case.commune_code)
    return Invitation(case.id, case.full_name, commune.name, case.start_date, case.end_date)


async def _last_refused(session: AsyncSession, telegram_user_id: int) -> Case | None:
    """The person's latest refused case still waiting for consent."""
    return await session.scalar(
        select(Case)
        .where(
            Case.telegram_user_id == telegram_user_id,
            Case.status == PENDING,
            Case.consent_refused_at.is_not(None),
        )
        .order_by(Case.consent_refused_at.desc(), Case.id.desc())
        .limit(1)
    )


async def _case_by_link(session: AsyncSession, code_hash: str, now: datetime) -> Case:
    case = await session.scalar(select(Case).where(Case.enrolment_code_hash == code_hash))
    if (
        case is None
        # A link of another bot's province opened here is no link of this bot's.
        or not routing_of(session).serves(case.province_code)
        # An active case has a link only while it moves to another channel.
        or case.status not in (PENDING, ACTIVE)
        or case.enrolment_expires_at is None
        or case.enrolment_expires_at <= now
    ):
        raise UserError("enrol.invalid")
    return case


async def _ask_consent(
    session: AsyncSession,
    telegram_user_id: int,
    chat_id: int,
    case: Case,
    link_hash: str,
    language: str | None,
    now: datetime,
) -> None:
    """The person's next answer is their consent to this case (the link's hash kept)."""
    data: dict[str, Any] = {"case_id": case.id, "link": link_hash}
    if language is not None:
        data["language"] = language
    await save_dialogue(
        session, DialogueState(telegram_user_id, chat_id, ENROL_FLOW, "consent", data), now
    )
