"""Sign-in to the web desk: a one-time link from `/web`, then an 8-hour session.

The link's code and the session's token are random (192 bits) and kept only as hashes,
like every other one-time code (bot/tokens.py). Ending an officer's access (revocation, a
move) ends their sessions and unused links in the same unit of work
(bot/access.py `end_access`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot import audit
from bot.clock import Clock
from bot.db import Database
from bot.errors import UserError
from bot.models import Commune, Officer, Province, WebSession, WebSignin
from bot.officers import require_officer
from bot.tokens import CODE_BYTES, hash_code

SIGNIN_PATH = "/dang-nhap/"


@dataclass(frozen=True)
class SigninLink:
    """A fresh sign-in link; the code exists only here."""

    url: str
    expires_at: datetime


@dataclass(frozen=True)
class DeskUser:
    """Who is signed in: an officer (their commune) or a supervisor (their province)."""

    officer_id: int
    telegram_user_id: int
    role: str
    province_code: int
    province_name: str
    commune_code: int | None
    commune_name: str | None
    display_name: str


class SigninService:
    """Issues sign-in links, opens sessions on them, finds and ends sessions."""

    def __init__(
        self, db: Database, clock: Clock, base_url: str, link_ttl: timedelta, session_ttl: timedelta
    ) -> None:
        self._db = db
        self._clock = clock
        self._base_url = base_url.rstrip("/")
        self._link_ttl = link_ttl
        self._session_ttl = session_ttl

    async def issue(self, telegram_user_id: int) -> SigninLink:
        """A one-time sign-in link for an active officer or supervisor."""
        now = self._clock.now()
        code = secrets.token_urlsafe(CODE_BYTES)
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            signin = WebSignin(
                code_hash=hash_code(code),
                officer_id=officer.id,
                created_at=now,
                expires_at=now + self._link_ttl,
            )
            session.add(signin)
            await session.flush()
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="web.link",
                subject_type="officer",
                subject_id=officer.id,
            )
        return SigninLink(url=f"{self._base_url}{SIGNIN_PATH}{code}", expires_at=signin.expires_at)

    async def redeem(self, code: str) -> str:
        """Open a session on a link's code, once; returns the session's token."""
        now = self._clock.now()
        token = secrets.token_urlsafe(CODE_BYTES)
        async with self._db.transaction() as session:
            signin = await session.scalar(
                select(WebSignin).where(WebSignin.code_hash == hash_code(code))
            )
            if signin is None:
                raise UserError("web.link_invalid")
            # Conditional: two openings of one link at once open one session at most.
            claimed = await session.execute(
                update(WebSignin)
                .where(
                    WebSignin.id == signin.id,
                    WebSignin.used_at.is_(None),
                    WebSignin.expires_at > now,
                )
                .values(used_at=now)
            )
            officer = await session.get(Officer, signin.officer_id)
            if claimed.rowcount != 1 or officer is None or officer.revoked_at is not None:  # type: ignore[attr-defined]
                raise UserError("web.link_invalid")
            row = WebSession(
                token_hash=hash_code(token),
                officer_id=officer.id,
                created_at=now,
                expires_at=now + self._session_ttl,
            )
            session.add(row)
            await session.flush()
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="web.signin",
                subject_type="web_session",
                subject_id=row.id,
            )
        return token

    async def user(self, token: str) -> DeskUser | None:
        """The signed-in officer of a session token, if the session still holds."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = await session.execute(
                select(Officer, Province.name, Commune.name)
                .join(WebSession, WebSession.officer_id == Officer.id)
                .join(Province, Province.code == Officer.province_code)
                .outerjoin(Commune, Commune.code == Officer.commune_code)
                .where(
                    WebSession.token_hash == hash_code(token),
                    WebSession.ended_at.is_(None),
                    WebSession.expires_at > now,
                    Officer.revoked_at.is_(None),
                )
            )
            found = row.first()
        if found is None:
            return None
        officer, province_name, commune_name = found
        return DeskUser(
            officer_id=officer.id,
            telegram_user_id=officer.telegram_user_id,
            role=officer.role,
            province_code=officer.province_code,
            province_name=province_name,
            commune_code=officer.commune_code,
            commune_name=commune_name,
            display_name=officer.display_name,
        )

    async def sign_out(self, token: str) -> None:
        """End the session of this token (nothing happens for an unknown one)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            await session.execute(
                update(WebSession)
                .where(WebSession.token_hash == hash_code(token), WebSession.ended_at.is_(None))
                .values(ended_at=now)
            )
