"""Officers and supervisors: invitations, redemption, identity and revocation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.access import end_access
from bot.areas import find_communes, resolve_commune, resolve_province
from bot.clock import Clock
from bot.db import Database
from bot.errors import NotAuthorised, UserError
from bot.models import Commune, Invitation, Officer, Province
from bot.policy import Role
from bot.routing import routing_of, served
from bot.tokens import deep_link, hash_code, new_code

OFFICER = Role.OFFICER
SUPERVISOR = Role.SUPERVISOR
ROLES = tuple(Role)
INVITATION_PREFIX = "o_"


@dataclass(frozen=True)
class OfficerView:
    """An officer or supervisor as the rest of the bot sees them."""

    id: int
    telegram_user_id: int
    role: str
    province_code: int
    province_name: str
    commune_code: int | None
    commune_name: str | None
    display_name: str
    revoked: bool


@dataclass(frozen=True)
class IssuedInvitation:
    """A fresh invitation; the code exists only here, the database keeps its hash."""

    id: int
    role: str
    link: str
    expires_at: datetime
    province_name: str
    commune_name: str | None


@dataclass(frozen=True)
class InvitationView:
    """An invitation as listed to the admin."""

    id: int
    role: str
    province_name: str
    commune_name: str | None
    expires_at: datetime
    status: str


class OfficerService:
    """Invites, binds, lists and revokes officers and supervisors."""

    def __init__(
        self, db: Database, clock: Clock, provinces: tuple[int, ...], ttl: timedelta
    ) -> None:
        self._db = db
        self._clock = clock
        self._provinces = provinces
        self._ttl = ttl

    async def invite(
        self, role: str, area: str, bot_username: str, created_by: str = audit.CLI
    ) -> IssuedInvitation:
        """Create a one-time invitation for a commune's officer or a province's supervisor."""
        if role not in ROLES:
            raise UserError("admin.bad_role", role=role)
        now = self._clock.now()
        async with self._db.transaction() as session:
            commune = await resolve_commune(session, area, self._provinces)
            commune_code: int | None
            if role == OFFICER:
                if commune is None:
                    await _refuse_unknown_commune(session, area, self._provinces)
                province_code, province_name = commune.province_code, commune.province_name
                commune_code, commune_name = commune.code, commune.name
            else:
                province = await resolve_province(session, area, self._provinces)
                if province is None and commune is not None:
                    province = (commune.province_code, commune.province_name)
                if province is None:
                    raise UserError("admin.unknown_province", query=area)
                province_code, province_name = province
                commune_code = commune_name = None
            code = new_code(INVITATION_PREFIX)
            invitation = Invitation(
                code_hash=hash_code(code),
                role=role,
                province_code=province_code,
                commune_code=commune_code,
                created_by=created_by,
                created_at=now,
                expires_at=now + self._ttl,
            )
            session.add(invitation)
            await session.flush()
            audit.record(
                session,
                at=now,
                actor=created_by,
                action="invitation.create",
                subject_type="invitation",
                subject_id=invitation.id,
                role=role,
                province=province_code,
                commune=commune_code,
            )
        return IssuedInvitation(
            id=invitation.id,
            role=role,
            link=deep_link(bot_username, code),
            expires_at=invitation.expires_at,
            province_name=province_name,
            commune_name=commune_name,
        )

    async def redeem(self, code: str, telegram_user_id: int, display_name: str) -> OfficerView:
        """Bind the Telegram user who opened an invitation; any unusable code is refused alike."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            invitation = await _claim_invitation(session, code, now)
            officer = await session.scalar(
                select(Officer)
                .where(Officer.telegram_user_id == telegram_user_id)
                .with_for_update()
            )
            moved = (
                officer is not None
                and officer.revoked_at is None
                and (
                    (officer.role, officer.province_code, officer.commune_code)
                    != (invitation.role, invitation.province_code, invitation.commune_code)
                )
            )
            if officer is None:
                officer = Officer(telegram_user_id=telegram_user_id, created_at=now)
                session.add(officer)
            officer.role = invitation.role
            officer.province_code = invitation.province_code
            officer.commune_code = invitation.commune_code
            officer.display_name = display_name[:200]
            officer.revoked_at = None
            await session.flush()
            invitation.officer_id = officer.id
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="officer.grant",
                subject_type="officer",
                subject_id=officer.id,
                invitation=invitation.id,
                role=invitation.role,
                province=invitation.province_code,
                commune=invitation.commune_code,
            )
            if moved:
                # The same person, another area: what they had of the old one ends here.
                await end_access(session, officer, now, audit.officer_actor(officer.id), "moved")
            return await _view(session, officer)

    async def whoami(self, telegram_user_id: int) -> OfficerView | None:
        """The active officer or supervisor bound to this Telegram user, if any."""
        async with self._db.transaction() as session:
            officer = await active_officer(session, telegram_user_id)
            return None if officer is None else await _view(session, officer)

    async def officers(self) -> list[OfficerView]:
        """Every officer and supervisor, revoked ones included."""
        async with self._db.transaction() as session:
            rows = (await session.scalars(select(Officer).order_by(Officer.id))).all()
            return [await _view(session, officer) for officer in rows]

    async def invitations(self) -> list[InvitationView]:
        """Every invitation with its status."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            rows = (
                await session.execute(
                    select(Invitation, Province.name, Commune.name)
                    .join(Province, Province.code == Invitation.province_code)
                    .outerjoin(Commune, Commune.code == Invitation.commune_code)
                    .order_by(Invitation.id)
                )
            ).all()
        views = []
        for invitation, province_name, commune_name in rows:
            if invitation.revoked_at is not None:
                status = "revoked"
            elif invitation.used_at is not None:
                status = "used"
            elif invitation.expires_at <= now:
                status = "expired"
            else:
                status = "pending"
            views.append(
                InvitationView(
                    invitation.id,
                    invitation.role,
                    province_name,
                    commune_name,
                    invitation.expires_at,
                    status,
                )
            )
        return views

    async def revoke_officer(self, officer_id: int, actor: str = audit.CLI) -> OfficerView:
        """Take an officer's or supervisor's rights away, and every message still to come."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await session.get(Officer, officer_id, with_for_update=True)
            if officer is None:
                raise UserError("admin.unknown_officer", id=officer_id)
            if officer.revoked_at is None:
                officer.revoked_at = now
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="officer.revoke",
                    subject_type="officer",
                    subject_id=officer.id,
                )
                await end_access(session, officer, now, actor, "revoked")
            return await _view(session, officer)

    async def revoke_invitation(self, invitation_id: int, actor: str = audit.CLI) -> None:
        """Make an unused invitation unusable; a used one is refused (revoke the officer)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            invitation = await session.get(Invitation, invitation_id)
            if invitation is None:
                raise UserError("admin.unknown_invitation", id=invitation_id)
            # Conditional, like redeeming, so a link opened at the same moment is either
            # used or revoked, never both.
            revoked = await session.execute(
                update(Invitation)
                .where(
                    Invitation.id == invitation_id,
                    Invitation.used_at.is_(None),
                    Invitation.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )
            if revoked.rowcount != 1:  # type: ignore[attr-defined]
                await session.refresh(invitation)
                if invitation.used_at is not None:
                    raise UserError("admin.invitation_used", id=invitation_id)
            else:
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="invitation.revoke",
                    subject_type="invitation",
                    subject_id=invitation.id,
                )


async def _refuse_unknown_commune(
    session: AsyncSession, query: str, provinces: tuple[int, ...]
) -> NoReturn:
    """Refuse an unmatched commune, naming the closest candidates when there are some."""
    candidates = await find_communes(session, query, provinces, limit=6)
    if candidates:
        names = ", ".join(f"{c.name} ({c.code})" for c in candidates)
        raise UserError("admin.ambiguous_commune", query=query[:60], candidates=names)
    raise UserError("admin.unknown_commune", query=query[:60])


async def active_officer(session: AsyncSession, telegram_user_id: int) -> Officer | None:
    """The active officer or supervisor row of a Telegram user.

    Through a bot of other provinces than theirs, nobody is an officer: that bot serves
    them as anyone (bot/routing.py).
    """
    return await session.scalar(
        select(Officer).where(
            Officer.telegram_user_id == telegram_user_id,
            Officer.revoked_at.is_(None),
            served(session, Officer.province_code),
        )
    )


async def require_officer(session: AsyncSession, telegram_user_id: int) -> Officer:
    """The caller's officer row, or a refusal that reveals nothing."""
    officer = await active_officer(session, telegram_user_id)
    if officer is None:
        raise NotAuthorised()
    return officer


async def _claim_invitation(session: AsyncSession, code: str, now: datetime) -> Invitation:
    """The invitation behind a code, marked used; any unusable code is refused alike."""
    invitation = await session.scalar(
        select(Invitation).where(Invitation.code_hash == hash_code(code))
    )
    if (
        invitation is None
        # An invitation of another bot's province opened here is no invitation of this bot's.
        or not routing_of(session).serves(invitation.province_code)
        or invitation.used_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now
    ):
        raise UserError("invite.invalid")
    # The conditional update makes two simultaneous openings of one link, or an opening
    # racing a revocation, bind at most one officer and only if still valid.
    claimed = await session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise UserError("invite.invalid")
    return invitation


async def _view(session: AsyncSession, officer: Officer) -> OfficerView:
    province_name = await session.scalar(
        select(Province.name).where(Province.code == officer.province_code)
    )
    commune_name = (
        await session.scalar(select(Commune.name).where(Commune.code == officer.commune_code))
        if officer.commune_code is not None
        else None
    )
    return OfficerView(
        id=officer.id,
        telegram_user_id=officer.telegram_user_id,
        role=officer.role,
        province_code=officer.province_code,
        province_name=province_name or "",
        commune_code=officer.commune_code,
        commune_name=commune_name,
        display_name=officer.display_name,
        revoked=officer.revoked_at is not None,
    )
