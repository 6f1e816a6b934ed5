"""Moving a person to another channel: Telegram, Zalo or SMS, chosen by their officer."""

from __future__ import annotations

from bot import audit
from bot.cases.base import CaseSeam
from bot.cases.enrolment import enrolment_link, new_enrolment_code
from bot.cases.queries import visible_case
from bot.cases.values import ACTIVE, PENDING, IssuedLink
from bot.channels import Channel
from bot.errors import UserError
from bot.officers import require_officer


class ChannelChange(CaseSeam):
    """An officer moves a case to another channel; the person consents there again."""

    async def change_channel(
        self, telegram_user_id: int, code: str, channel: Channel, bot_username: str
    ) -> IssuedLink | None:
        """The new channel's link (or SMS invitation, link ""); None if already on it.

        Until the person consents on the new channel, their messages keep going where they
        went: nothing is lost while they switch.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await visible_case(session, officer, code)
            if case.status not in (PENDING, ACTIVE):
                raise UserError("cases.closed", code=case.code)
            if case.channel == channel.value:
                return None
            case.channel = channel.value
            case.updated_at = now
            secret = new_enrolment_code(case, now, self._ttl())
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="case.channel",
                subject_type="case",
                subject_id=case.id,
                channel=channel.value,
            )
            return IssuedLink(
                await self._view(session, case),
                await enrolment_link(
                    session, case, secret, bot_username, now, zalo_oa_id=self._settings.zalo.oa_id
                ),
                case.enrolment_expires_at or now,
                case.channel,
            )
