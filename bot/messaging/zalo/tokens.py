"""The OA access token, refreshed before it expires from a single-use refresh token.

Zalo's refresh token is spent by each refresh, which answers the next one (OAuth v4): a
refresh token used twice is refused, and a lost one means an operator must authorise the
app again. So the state (refresh token, access token, expiry) lives in one file outside
the repository (mode 0600), every refresh happens under an exclusive lock on it, re-reads
it first (another worker may have refreshed already) and writes the new state atomically
(a temporary file, fsync, rename) before the new access token is used. The first refresh
token comes from the environment or the operator's file; from then on, the file holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import Clock
from bot.messaging.zalo.client import ZaloClient, ZaloError

logger = logging.getLogger(__name__)

# Refreshed this long before it expires (Zalo's access tokens live 25 hours).
DEFAULT_MARGIN = timedelta(minutes=30)


class TokenUnavailable(Exception):
    """No valid access token can be had (the refresh token is missing or was refused)."""


@dataclass(frozen=True, slots=True)
class TokenState:
    """What the state file holds."""

    refresh_token: str
    access_token: str = ""
    expires_at: datetime | None = None

    def fresh(self, now: datetime, margin: timedelta) -> bool:
        """Whether the access token is good for at least `margin` more."""
        return (
            bool(self.access_token)
            and self.expires_at is not None
            and (now < self.expires_at - margin)
        )

    def to_json(self) -> str:
        """The file's content."""
        expires = self.expires_at.isoformat() if self.expires_at else None
        data = {
            "refresh_token": self.refresh_token,
            "access_token": self.access_token,
            "expires_at": expires,
        }
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> TokenState:
        """The state in a file's content."""
        data = json.loads(text)
        expires = data.get("expires_at")
        return cls(
            str(data.get("refresh_token") or ""),
            str(data.get("access_token") or ""),
            datetime.fromisoformat(expires) if expires else None,
        )


class TokenKeeper:
    """Hands out a valid OA access token, refreshing (once, for all callers) when due."""

    def __init__(
        self,
        client: ZaloClient,
        *,
        app_id: str,
        app_secret: str,
        state_file: Path,
        clock: Clock,
        initial_refresh_token: str = "",
        margin: timedelta = DEFAULT_MARGIN,
    ) -> None:
        self._client = client
        self._app_id = app_id
        self._app_secret = app_secret
        self._file = state_file
        self._clock = clock
        self._initial = initial_refresh_token
        self._margin = margin
        self._lock = asyncio.Lock()
        self._state: TokenState | None = None
        self.refreshes = 0  # refreshes this process made (for tests and logs)

    async def access_token(self) -> str:
        """A valid access token, refreshed first if it expires within the margin."""
        state = self._state
        if state is not None and state.fresh(self._clock.now(), self._margin):
            return state.access_token
        return await self._renew(stale=None)

    async def replace(self, stale: str) -> str:
        """A new access token after Zalo refused `stale` (expired or revoked early)."""
        return await self._renew(stale=stale)

    async def _renew(self, *, stale: str | None) -> str:
        async with self._lock:
            state = self._state
            fresh = state is not None and state.fresh(self._clock.now(), self._margin)
            if state is not None and fresh and state.access_token != stale:
                return state.access_token  # another caller renewed it meanwhile
            async with self._locked_file():
                state = self._read()
                now = self._clock.now()
                if state.fresh(now, self._margin) and state.access_token != stale:
                    self._state = state  # another worker renewed it
                    return state.access_token
                state = await self._refresh(state, now)
                self._write(state)
                self._state = state
                return state.access_token

    async def _refresh(self, state: TokenState, now: datetime) -> TokenState:
        if not state.refresh_token:
            raise TokenUnavailable("no Zalo refresh token: authorise the OA's app again")
        try:
            grant = await self._client.refresh(self._app_id, self._app_secret, state.refresh_token)
        except ZaloError as error:
            # The token was spent or revoked: only an operator can give a new one.
            logger.error("Zalo refused the refresh token (error %s)", error.code)
            raise TokenUnavailable(f"Zalo refused the refresh token ({error.code})") from error
        self.refreshes += 1
        # Zalo always answers the next refresh token; keep the old one only if it did not.
        refresh = grant.refresh_token or state.refresh_token
        return TokenState(refresh, grant.access_token, now + timedelta(seconds=grant.expires_in))

    # ---- the state file ---------------------------------------------------------------

    def _read(self) -> TokenState:
        try:
            return TokenState.from_json(self._file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return TokenState(self._initial)
        except (ValueError, TypeError) as error:
            raise TokenUnavailable(f"unreadable Zalo token file {self._file}") from error

    def _write(self, state: TokenState) -> None:
        """Replace the file atomically: a crash leaves the old state or the new, never half."""
        temporary = self._file.with_name(f".{self._file.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(state.to_json())
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self._file)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            raise
        directory = os.open(self._file.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    @contextlib.asynccontextmanager
    async def _locked_file(self) -> AsyncIterator[None]:
        """An exclusive lock beside the state file, held across workers of this machine."""
        self._file.parent.mkdir(parents=True, exist_ok=True)
        lock = self._file.with_name(f".{self._file.name}.lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            # Another worker may hold it for a refresh's round trip: wait off the loop.
            await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
